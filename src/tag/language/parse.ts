/**
 * `parseRules(text, file)`: one rule file → its rules and every error found in it. Each rule block is
 * parsed on its own and each field on its own, so a file reports the errors of all its rules at once;
 * a rule with any error is left out of the result.
 */
import { createHash } from "node:crypto";
import { listScanModules } from "../../scan/index.js";
import type { Condition, Example, Rule, RuleState, TagTemplate } from "./ast.js";
import { builtinKinds } from "./ast.js";
import { splitBlocks, type FieldKeyword, type RawBlock, type RawField } from "./blocks.js";
import { ParseFailure, RuleSyntaxError } from "./errors.js";
import {
  parseAppliesTo,
  parseDescription,
  parseExample,
  parseGroup,
  parseOrder,
  parsePairs,
  parseReference,
  parseState,
  parseTags,
  parseWhen,
} from "./fields.js";
import { regexTests } from "./walk.js";
import { Scanner } from "./scanner.js";
import { LineTable } from "./source.js";

export interface ParsedRules {
  rules: Rule[];
  errors: RuleSyntaxError[];
}

export interface ParseOptions {
  /** The file's name relative to the rules directory, for provenance (default: `file`). */
  fileName?: string;
}

/** Kinds `applies_to` accepts: the documented ones and every registered scan module. */
export function knownKinds(): string[] {
  return [...new Set<string>([...builtinKinds, ...listScanModules().map((m) => m.name)])];
}

const required: FieldKeyword[] = ["description", "group", "order", "state", "applies_to", "when", "tag"];
const repeatable = new Set<FieldKeyword>(["example", "expect", "reference"]);

export function parseRules(text: string, file: string, options: ParseOptions = {}): ParsedRules {
  const lines = new LineTable(text);
  const errors: RuleSyntaxError[] = [];
  const report = (f: ParseFailure, rule?: string) => {
    const { line, column } = lines.position(f.offset);
    errors.push(new RuleSyntaxError(file, line, column, f.reason, f.expected, rule));
  };
  const split = splitBlocks(text);
  for (const e of split.errors) report(e);

  const kinds = knownKinds();
  const rules: Rule[] = [];
  const seen = new Map<string, number>();
  for (const block of split.blocks) {
    const before = errors.length;
    const rule = parseBlock(text, block, kinds, (f) => report(f, block.name));
    if (block.name !== undefined) {
      const first = seen.get(block.name);
      if (first !== undefined) report(new ParseFailure(block.nameOffset, `duplicate rule name \`${block.name}\` (first defined on line ${first})`), block.name);
      else seen.set(block.name, lines.position(block.offset).line);
    }
    if (rule && block.name !== undefined && errors.length === before) {
      rules.push({
        ...rule,
        name: block.name,
        file,
        fileName: options.fileName ?? file,
        line: lines.position(block.offset).line,
        offset: block.offset,
        hash: createHash("sha256").update(text.slice(block.offset, block.end)).digest("hex").slice(0, 16),
        examples: rule.examples.map((e) => ({ ...e, line: lines.position(e.offset).line })),
        at: (offset: number) => lines.position(offset),
      });
    }
  }
  return { rules, errors };
}

type RuleBody = Omit<Rule, "name" | "file" | "fileName" | "line" | "offset" | "hash" | "at">;

function parseBlock(text: string, block: RawBlock, kinds: string[], report: (f: ParseFailure) => void): RuleBody | undefined {
  const seen = new Map<FieldKeyword, RawField>();
  let description: string | undefined;
  let group: string | undefined;
  let order: number | undefined;
  let state: RuleState | undefined;
  let appliesTo: string[] | undefined;
  let when: Condition | undefined;
  let whenOffset = block.offset;
  let tags: TagTemplate[] | undefined;
  let tagOffset = block.offset;
  const examples: Example[] = [];
  const references: string[] = [];
  let failed = false;
  let lastKeyword: FieldKeyword | undefined;

  for (const field of block.fields) {
    const previous = lastKeyword;
    lastKeyword = field.keyword;
    const earlier = seen.get(field.keyword);
    if (earlier && !repeatable.has(field.keyword)) {
      const line = text.slice(0, earlier.offset).split("\n").length;
      report(new ParseFailure(field.offset, `\`${field.keyword}\` given twice in one rule (first on line ${line})`));
      failed = true;
      continue;
    }
    seen.set(field.keyword, field);
    const s = new Scanner(text, field.valueStart, field.end);
    try {
      switch (field.keyword) {
        case "description":
          description = parseDescription(s);
          break;
        case "group":
          group = parseGroup(s);
          break;
        case "order":
          order = parseOrder(s);
          break;
        case "state":
          state = parseState(s);
          break;
        case "applies_to":
          appliesTo = parseAppliesTo(s, kinds);
          break;
        case "when":
          when = parseWhen(s);
          whenOffset = field.offset;
          break;
        case "tag":
          tags = parseTags(s);
          tagOffset = field.offset;
          break;
        case "example": {
          const ex = parseExample(s);
          examples.push({ kind: ex.kind, value: ex.value, offset: field.offset, line: 0 });
          break;
        }
        case "expect": {
          const last = examples[examples.length - 1];
          if (previous !== "example" || !last || last.kind !== "match") {
            throw new ParseFailure(field.offset, "`expect` must follow an `example match` line");
          }
          last.expect = Object.fromEntries(parsePairs(s, "expect").map((p) => [p.key, p.value]));
          break;
        }
        case "reference":
          references.push(parseReference(s));
          break;
      }
    } catch (err) {
      if (!(err instanceof ParseFailure)) throw err;
      report(err);
      failed = true;
    }
  }

  const missing = required.filter((k) => !seen.has(k));
  if (missing.length > 0) {
    report(new ParseFailure(block.nameOffset, `rule ${block.name ?? ""} lacks ${missing.map((k) => `\`${k}\``).join(", ")}`.replace("  ", " "), missing.map((k) => `a \`${k}\` line`)));
    failed = true;
  }
  for (const kind of ["match", "nomatch"] as const) {
    if (!failed && !examples.some((e) => e.kind === kind)) {
      report(new ParseFailure(block.nameOffset, `rule ${block.name ?? ""} has no \`example ${kind}\``, [`at least one \`example ${kind} {…}\` line`]));
      failed = true;
    }
  }
  if (failed || !description || !group || order === undefined || !state || !appliesTo || !when || !tags) return undefined;

  for (const f of checkCaptures(when, tags)) {
    report(f);
    failed = true;
  }
  if (failed) return undefined;
  return { description, group, order, state, appliesTo, when, whenOffset, tags, tagOffset, examples, references };
}

/** `${N}` and `${name}` must name a group of a regex that can supply captures (`=~` outside `not`). */
function checkCaptures(when: Condition, tags: TagTemplate[]): ParseFailure[] {
  const regexes = regexTests(when)
    .filter((t) => t.positive && t.test.op === "=~")
    .map((t) => (t.test.value.type === "regex" ? t.test.value.regex : undefined))
    .filter((r) => r !== undefined);
  const understood = regexes.every((r) => r.info.understood);
  const maxGroups = Math.max(0, ...regexes.map((r) => r.info.groups));
  const names = new Set(regexes.flatMap((r) => r.info.names));
  const out: ParseFailure[] = [];
  for (const tag of tags) {
    for (const part of tag.parts) {
      if (typeof part === "string") continue;
      const ref = `\${${part.capture}}`;
      if (regexes.length === 0) {
        out.push(new ParseFailure(tag.offset, `tag ${tag.key} uses ${ref} but the condition has no \`=~\` regex outside \`not\` to capture it`));
      } else if (!understood) {
        continue;
      } else if (typeof part.capture === "number" && part.capture > maxGroups) {
        out.push(new ParseFailure(tag.offset, `tag ${tag.key} uses ${ref} but the condition's regexes have ${maxGroups === 0 ? "no groups" : `at most ${maxGroups} group${maxGroups > 1 ? "s" : ""}`}`));
      } else if (typeof part.capture === "string" && !names.has(part.capture)) {
        out.push(new ParseFailure(tag.offset, `tag ${tag.key} uses ${ref} but no regex of the condition has a group named \`${part.capture}\``, names.size > 0 ? [...names].map((n) => `\`\${${n}}\``) : []));
      }
    }
  }
  return out;
}
