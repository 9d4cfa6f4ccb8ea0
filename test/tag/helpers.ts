/** Small builders for tag tests: rule text from parts, one condition against one object. */
import { compileRuleSet, parseRules, type Rule, type Tag } from "../../src/tag/index.js";
import { compileCondition } from "../../src/tag/language/compile.js";

export interface RuleParts {
  name?: string;
  description?: string;
  group?: string;
  order?: number;
  state?: string;
  appliesTo?: string;
  when: string;
  tag?: string;
  examples?: string[];
  extra?: string[];
}

let counter = 0;

/** The text of one rule; fields not given get harmless defaults. */
export function ruleText(p: RuleParts): string {
  const name = p.name ?? `R${++counter}`;
  return [
    `rule ${name}`,
    `  description "${p.description ?? "test rule"}"`,
    `  group ${p.group ?? "Test"}`,
    `  order ${p.order ?? 100}`,
    `  state ${p.state ?? "active"}`,
    `  applies_to ${p.appliesTo ?? "x509"}`,
    `  when ${p.when}`,
    `  tag ${p.tag ?? 'vendor="V"'}`,
    ...(p.extra ?? []).map((l) => `  ${l}`),
    ...(p.examples ?? ['example match {"a": 1}', 'example nomatch {"a": 2}']).map((e) => `  ${e}`),
    "",
  ].join("\n");
}

/** Parses rule text that must be valid. */
export function parseValid(text: string, file = "test.rules"): Rule[] {
  const { rules, errors } = parseRules(text, file);
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join("\n"));
  return rules;
}

export function oneRule(p: RuleParts): Rule {
  return parseValid(ruleText(p))[0]!;
}

/** Does `when` hold on `root` (with `env` as the record around it)? */
export function holds(when: string, root: unknown, env: Record<string, unknown> = {}): boolean {
  const rule = oneRule({ when, appliesTo: "any" });
  return compileCondition(rule.when).predicate({ root, env });
}

/** Tags of a rule set (given as texts) on one object of one kind. */
export function tagWith(texts: string[], kind: string, root: unknown, port?: number): Tag[] {
  const rules = texts.flatMap((t) => parseValid(t));
  return compileRuleSet(rules).tagSubject(kind, { root, env: {} }, port);
}
