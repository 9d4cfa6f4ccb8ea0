/**
 * `runExamples(ruleSet)`: every rule's `example match` must match (and produce its `expect` values),
 * every `example nomatch` must not. A match example must also get past the indexed engine's
 * prefilter — so a prefilter bug shows up as a failing example of the rule it would have hidden.
 */
import type { Example, Rule } from "../language/ast.js";
import { compileCondition } from "../language/compile.js";
import { explain, tagValues } from "../language/explain.js";
import type { Subject } from "../language/paths.js";
import { compileRuleSet } from "./tagger.js";

export interface ExampleResult {
  rule: string;
  file: string;
  /** Line of the `example` field. */
  line: number;
  kind: Example["kind"];
  passed: boolean;
  /** Why it failed (empty when it passed). */
  problems: string[];
  /** Tag values the rule produced on a match example. */
  produced?: Record<string, string>;
}

export interface ExampleReport {
  results: ExampleResult[];
  passed: number;
  failed: number;
}

/** An example's object as a subject: `$name` keys become the envelope (`$port`, `$status`, …). */
export function exampleSubject(value: Record<string, unknown>): Subject {
  const root: Record<string, unknown> = {};
  const env: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith("$")) env[k.slice(1)] = v;
    else root[k] = v;
  }
  return { root, env };
}

export function runExamples(ruleSet: { rules: readonly Rule[] } | readonly Rule[]): ExampleReport {
  const rules: readonly Rule[] = Array.isArray(ruleSet) ? (ruleSet as readonly Rule[]) : (ruleSet as { rules: readonly Rule[] }).rules;
  const tagger = compileRuleSet(rules);
  const results: ExampleResult[] = [];
  for (const rule of rules) {
    const compiled = compileCondition(rule.when);
    for (const ex of rule.examples) {
      const subject = exampleSubject(ex.value);
      const problems: string[] = [];
      const matched = compiled.predicate(subject);
      let produced: Record<string, string> | undefined;
      if (ex.kind === "nomatch") {
        if (matched) {
          const why = explain(compiled, rule.when, subject);
          problems.push(`matched, but should not${why && why.fields.length > 0 ? ` (fields that matched: ${why.fields.join(", ")})` : ""}`);
        }
      } else if (!matched) {
        problems.push("did not match");
      } else {
        const why = explain(compiled, rule.when, subject);
        produced = tagValues(rule.tags, why?.captures ?? []);
        for (const [k, want] of Object.entries(ex.expect ?? {})) {
          const got = produced[k];
          if (got !== want) problems.push(`expected ${k}=${JSON.stringify(want)}, got ${got === undefined ? "no value" : JSON.stringify(got)}`);
        }
        if (rule.state !== "disabled") {
          for (const kind of rule.appliesTo) {
            if (!tagger.candidates(kind, subject).some((c) => c.rule === rule)) {
              problems.push(`the indexed engine's prefilter skips this rule on its own example (kind ${kind}): an engine bug, please report it`);
            }
          }
        }
      }
      results.push({ rule: rule.name, file: rule.file, line: ex.line, kind: ex.kind, passed: problems.length === 0, problems, ...(produced ? { produced } : {}) });
    }
  }
  const failed = results.filter((r) => !r.passed).length;
  return { results, passed: results.length - failed, failed };
}
