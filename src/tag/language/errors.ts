/**
 * Errors in rule files. Every one names `file:line:column`, says what is wrong and, where the parser
 * knows, what it expected there — the one line a rule author needs to fix it. They are UsageErrors
 * (exit code 2): a broken rule file is the user's to fix, not a crash.
 */
import { UsageError } from "../../core/errors.js";

/** "a", "a or b", "a, b or c". */
export function formatExpected(expected: readonly string[]): string {
  const unique = [...new Set(expected)];
  if (unique.length <= 1) return unique[0] ?? "";
  return `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
}

export class RuleSyntaxError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
    readonly expected: readonly string[] = [],
    /** The rule the error is in, when it is inside one. */
    readonly rule?: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}${expected.length > 0 ? ` (expected ${formatExpected(expected)})` : ""}`);
    this.name = "RuleSyntaxError";
  }
}

/**
 * All the errors found while loading a rule set. The message's first line is the first error (what the
 * CLI prints when nothing else does); `lines()` gives every one, for commands that report them all.
 */
export class RuleLoadError extends UsageError {
  constructor(readonly errors: readonly RuleSyntaxError[]) {
    const first = errors[0]?.message ?? "rule set has errors";
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""}; \`iotscope rules lint\` lists them)` : "";
    super(`${first}${more}`);
    this.name = "RuleLoadError";
  }

  lines(): string[] {
    return this.errors.map((e) => e.message);
  }
}

/**
 * Thrown inside the parser at a file offset; the field parser catches it and turns it into a
 * RuleSyntaxError with line and column. Never escapes the language folder.
 */
export class ParseFailure extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
    readonly expected: readonly string[] = [],
  ) {
    super(reason);
    this.name = "ParseFailure";
  }
}
