/** A rule ready to run: its predicate, its prefilter and the means to explain a match. */
import type { Condition, Rule } from "../language/ast.js";
import { compileCondition, type CompiledCondition } from "../language/compile.js";
import { explain, tagValues } from "../language/explain.js";
import type { Subject } from "../language/paths.js";
import { conditionTests } from "../language/walk.js";
import { requirement, type Requirement } from "./prefilter.js";

export interface CompiledRule {
  /** Position in priority order: (order, name) ascending. */
  index: number;
  rule: Rule;
  compiled: CompiledCondition;
  requirement: Requirement;
  /**
   * For a rule whose tag values use no captures and whose condition has no `or` outside `not`, a
   * match always has the same fields and values: computed once instead of explaining each match.
   */
  fixed: { fields: string[]; values: Record<string, string> } | undefined;
  /** Whether tag values use captures (only then does an explanation run the regexes' exec). */
  captures: boolean;
}

export interface RuleMatch {
  rule: CompiledRule;
  kind: string;
  fields: string[];
  values: Record<string, string>;
}

/** Priority: lower `order` first, then name, so that the first rule to set a key wins it. */
export function byPriority(a: Rule, b: Rule): number {
  return a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** No `or` outside `not`: every test outside `not` held whenever the rule matched. */
function conjunctive(c: Condition): boolean {
  if (c.type === "or") return false;
  if (c.type === "and") return c.items.every(conjunctive);
  return true;
}

export function compileRules(rules: readonly Rule[]): CompiledRule[] {
  return [...rules].sort(byPriority).map((rule, index) => {
    const captures = rule.tags.some((t) => t.parts.some((p) => typeof p !== "string"));
    const fields = [...new Set(conditionTests(rule.when).filter((t) => t.positive).map((t) => t.test.path.text))];
    // Shared by every tag of this rule: frozen, so that a consumer that edits a tag cannot change the others.
    const fixed = !captures && conjunctive(rule.when) ? Object.freeze({ fields: Object.freeze(fields) as string[], values: Object.freeze(tagValues(rule.tags, [])) }) : undefined;
    return { index, rule, compiled: compileCondition(rule.when), requirement: requirement(rule.when), fixed, captures };
  });
}

/** The tag values and matched fields of a rule that matched (undefined if it does not match after all). */
export function describeMatch(rule: CompiledRule, kind: string, subject: Subject): RuleMatch | undefined {
  if (rule.fixed) return { rule, kind, fields: rule.fixed.fields, values: rule.fixed.values };
  const why = explain(rule.compiled, rule.rule.when, subject, rule.captures);
  if (!why) return undefined;
  return { rule, kind, fields: why.fields, values: tagValues(rule.rule.tags, why.captures) };
}
