/**
 * `lintRules(ruleSet)`: what loading does not refuse but a reviewer should see.
 *
 * | code | severity | what |
 * |---|---|---|
 * | syntax | error | a load error (the rule is not in the set) |
 * | unreachable | error / warning | tests of one `and` that cannot hold together (error when no record can match; warning when only a path with several values could) |
 * | duplicate-condition | warning | two rules of overlapping kinds with the same condition |
 * | overlap | warning / info | two rules of one group both match one of their examples and set a key to different values (warning when their orders tie and only the name decides) |
 * | slow-regex | warning | a regex in a rule without a literal prefilter: it runs on every record of its kind |
 * | leading-dotstar | warning | a regex starting with `.*`: redundant in an unanchored search, and costly |
 * | no-prefilter | info | a rule without a literal prefilter (no regex): evaluated on every record of its kind |
 * | unknown-field | warning | a path no record of the rule's kinds has (docs/scan-modules) |
 * | unknown-tag-key | warning | a tag key outside the known list |
 * | no-reference | info | a rule without `reference` |
 */
import type { Condition, Rule, TestNode } from "../language/ast.js";
import { canonical, canonicalTest } from "../language/canonical.js";
import { compileCondition, compileTest } from "../language/compile.js";
import { explain, tagValues } from "../language/explain.js";
import { knownTagKeys } from "../language/fields.js";
import { conditionTests } from "../language/walk.js";
import type { RuleSet } from "../load.js";
import { exampleSubject } from "./examples.js";
import { requirement } from "./prefilter.js";
import { unknownSegment } from "./schema.js";

export type LintSeverity = "error" | "warning" | "info";

export interface LintFinding {
  severity: LintSeverity;
  code: string;
  file: string;
  line: number;
  column: number;
  rule?: string;
  message: string;
}

type Emit = (rule: Rule, offset: number, severity: LintSeverity, code: string, message: string) => void;

export function lintRules(ruleSet: RuleSet): LintFinding[] {
  const findings: LintFinding[] = ruleSet.errors.map((e) => ({
    severity: "error" as const,
    code: "syntax",
    file: e.file,
    line: e.line,
    column: e.column,
    ...(e.rule !== undefined ? { rule: e.rule } : {}),
    message: e.message.slice(`${e.file}:${e.line}:${e.column}: `.length),
  }));
  const emit: Emit = (rule, offset, severity, code, message) => {
    const { line, column } = rule.at(offset);
    findings.push({ severity, code, file: rule.file, line, column, rule: rule.name, message });
  };
  for (const rule of ruleSet.rules) {
    checkUnreachable(rule, emit);
    checkPerformance(rule, emit);
    checkFields(rule, emit);
    for (const tag of rule.tags) {
      if (!(knownTagKeys as readonly string[]).includes(tag.key)) {
        emit(rule, tag.offset, "warning", "unknown-tag-key", `tag key \`${tag.key}\` is not one of ${knownTagKeys.join(", ")}`);
      }
    }
    if (rule.references.length === 0) emit(rule, rule.offset, "info", "no-reference", "no `reference` says where this knowledge comes from");
  }
  checkDuplicates(ruleSet.rules, emit);
  checkOverlaps(ruleSet.rules, emit);
  const rank = (f: LintFinding) => `${f.file}\u0000${String(f.line).padStart(8, "0")}\u0000${String(f.column).padStart(6, "0")}`;
  return findings.sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
}

function kindsOverlap(a: Rule, b: Rule): boolean {
  const any = (r: Rule) => r.appliesTo.includes("any");
  const modules = (r: Rule) => r.appliesTo.filter((k) => k !== "x509" && k !== "any");
  if (a.appliesTo.some((k) => b.appliesTo.includes(k))) return true;
  return (any(a) && (any(b) || modules(b).length > 0)) || (any(b) && modules(a).length > 0);
}

// --- unreachable ---------------------------------------------------------------------------------

/** The finite set of strings an `=` / `in` test allows, if it is one. */
function allowedStrings(t: TestNode): string[] | undefined {
  if (t.op === "=" && t.value.type === "scalar" && typeof t.value.value === "string") return [t.value.value];
  if (t.op === "in" && t.value.type === "list" && t.value.cidrs.length === 0 && t.value.values.every((v) => typeof v === "string")) {
    return t.value.values as string[];
  }
  return undefined;
}

/** The numeric interval a test allows, if it is a numeric comparison or `= N`. */
function interval(t: TestNode): { lo: number; loOpen: boolean; hi: number; hiOpen: boolean } | undefined {
  if (t.value.type !== "scalar" || typeof t.value.value !== "number") return undefined;
  const n = t.value.value;
  switch (t.op) {
    case "=":
      return { lo: n, loOpen: false, hi: n, hiOpen: false };
    case "<":
      return { lo: -Infinity, loOpen: true, hi: n, hiOpen: true };
    case "<=":
      return { lo: -Infinity, loOpen: true, hi: n, hiOpen: false };
    case ">":
      return { lo: n, loOpen: true, hi: Infinity, hiOpen: true };
    case ">=":
      return { lo: n, loOpen: false, hi: Infinity, hiOpen: true };
    default:
      return undefined;
  }
}

function disjoint(a: NonNullable<ReturnType<typeof interval>>, b: NonNullable<ReturnType<typeof interval>>): boolean {
  const lo = a.lo > b.lo ? a : a.lo < b.lo ? b : { lo: a.lo, loOpen: a.loOpen || b.loOpen };
  const hi = a.hi < b.hi ? a : a.hi > b.hi ? b : { hi: a.hi, hiOpen: a.hiOpen || b.hiOpen };
  return lo.lo > hi.hi || (lo.lo === hi.hi && (lo.loOpen || hi.hiOpen));
}

function checkUnreachable(rule: Rule, emit: Emit): void {
  const visit = (c: Condition, negated: boolean): void => {
    if (c.type === "test") return;
    if (c.type === "not") return visit(c.item, !negated);
    if (c.type === "and" && !negated) checkConjunction(rule, c.items, emit);
    for (const item of c.items) visit(item, negated);
  };
  visit(rule.when, false);
}

function checkConjunction(rule: Rule, items: Condition[], emit: Emit): void {
  const flat: Condition[] = [];
  const collect = (c: Condition) => (c.type === "and" ? c.items.forEach(collect) : flat.push(c));
  items.forEach(collect);
  const positives = flat.filter((c): c is TestNode => c.type === "test");
  const negated = flat.flatMap((c) => (c.type === "not" && c.item.type === "test" ? [c.item] : []));
  const never = (at: TestNode, severity: "error" | "warning", why: string) =>
    emit(rule, at.offset, severity, "unreachable", `${severity === "error" ? "can never match" : "can only match a path holding several values"}: ${why}`);

  for (const n of negated) {
    const same = positives.find((p) => canonicalTest(p) === canonicalTest(n));
    if (same) never(n, "error", `\`${canonicalTest(n)}\` and \`not ${canonicalTest(n)}\``);
    else if (n.op === "exists") {
      const uses = positives.find((p) => p.path.text === n.path.text);
      if (uses) never(n, "error", `\`${canonicalTest(uses)}\` needs ${n.path.text}, which \`not ${n.path.text} exists\` excludes`);
    }
  }
  for (let i = 0; i < positives.length; i++) {
    for (let j = i + 1; j < positives.length; j++) {
      const a = positives[i]!;
      const b = positives[j]!;
      if (a.path.text !== b.path.text || !excludeEachOther(a, b)) continue;
      const certain = a.quantifier === "all" || b.quantifier === "all";
      // On one value the two cannot both hold; on a list (`resources.rt = "a" and resources.rt = "b"`:
      // a device with both resources) they can. Only a rule whose own match examples all fail gets told.
      if (!certain && matchesAnExample(rule)) continue;
      never(b, certain ? "error" : "warning", `\`${canonicalTest(a)}\` and \`${canonicalTest(b)}\` exclude each other`);
    }
  }
}

/** On a single value, the two tests cannot both hold. */
function excludeEachOther(a: TestNode, b: TestNode): boolean {
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    const allowed = allowedStrings(x);
    if (allowed) {
      const leaf = compileTest(y).leaf;
      return !allowed.some((v) => leaf(v));
    }
  }
  const ia = interval(a);
  const ib = interval(b);
  return ia !== undefined && ib !== undefined && disjoint(ia, ib);
}

function matchesAnExample(rule: Rule): boolean {
  const { predicate } = compileCondition(rule.when);
  return rule.examples.some((e) => e.kind === "match" && predicate(exampleSubject(e.value)));
}

// --- performance -------------------------------------------------------------------------------

function checkPerformance(rule: Rule, emit: Emit): void {
  const tests = conditionTests(rule.when);
  for (const { test } of tests) {
    if (test.value.type === "regex" && test.value.regex.info.leadingDotStar) {
      emit(rule, test.value.regex.offset, "warning", "leading-dotstar", "regex starts with `.*`: matching is unanchored already, and the leading `.*` costs time");
    }
  }
  if (rule.state === "disabled" || requirement(rule.when).length > 0) return;
  const kinds = rule.appliesTo.map((k) => (k === "any" ? "scan" : k)).join("/");
  const regex = tests.find((t) => t.test.value.type === "regex");
  if (regex && regex.test.value.type === "regex") {
    emit(rule, regex.test.value.regex.offset, "warning", "slow-regex", `no literal the engine can index (an \`=\` string, a \`contains\` text, or a regex with literal text) in a required part of the condition: this regex runs on every ${kinds} record`);
  } else {
    emit(rule, rule.whenOffset, "info", "no-prefilter", `no literal the engine can index: the rule is evaluated on every ${kinds} record`);
  }
}

// --- fields ------------------------------------------------------------------------------------

function checkFields(rule: Rule, emit: Emit): void {
  const kinds = rule.appliesTo.filter((k) => k !== "any");
  if (kinds.length === 0 || kinds.length !== rule.appliesTo.length) return;
  const seen = new Set<string>();
  for (const { test } of conditionTests(rule.when)) {
    if (test.path.envelope || seen.has(test.path.text)) continue;
    seen.add(test.path.text);
    const unknown = kinds.map((k) => unknownSegment(k, test.path.segments));
    if (unknown.some((u) => u === null || u === undefined)) continue;
    emit(rule, test.path.offset, "warning", "unknown-field", `\`${unknown[0]}\` in \`${test.path.text}\` is not a field of ${kinds.join("/")} records (see docs/scan-modules/)`);
  }
}

// --- duplicates and overlaps --------------------------------------------------------------------

function checkDuplicates(rules: readonly Rule[], emit: Emit): void {
  const byCondition = new Map<string, Rule[]>();
  for (const r of rules) {
    const key = canonical(r.when);
    byCondition.set(key, [...(byCondition.get(key) ?? []), r]);
  }
  for (const group of byCondition.values()) {
    for (let i = 1; i < group.length; i++) {
      const first = group.slice(0, i).find((f) => kindsOverlap(f, group[i]!));
      if (first) emit(group[i]!, group[i]!.whenOffset, "warning", "duplicate-condition", `same condition as rule ${first.name} (${first.file}:${first.line})`);
    }
  }
}

function checkOverlaps(rules: readonly Rule[], emit: Emit): void {
  const groups = new Map<string, Rule[]>();
  // Only active rules compete for a key: testing tags are kept apart and never override.
  for (const r of rules) if (r.state === "active") groups.set(r.group.toLowerCase(), [...(groups.get(r.group.toLowerCase()) ?? []), r]);
  const compiled = new Map(rules.map((r) => [r, compileCondition(r.when)] as const));
  for (const members of groups.values()) {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const a = members[i]!;
        const b = members[j]!;
        if (!kindsOverlap(a, b)) continue;
        const conflict = firstConflict(a, b, compiled) ?? firstConflict(b, a, compiled);
        if (!conflict) continue;
        const [winner, loser] = a.order < b.order || (a.order === b.order && a.name < b.name) ? [a, b] : [b, a];
        const tie = a.order === b.order;
        emit(
          loser,
          loser.offset,
          tie ? "warning" : "info",
          "overlap",
          `rules ${conflict.owner.name} and ${conflict.other.name} both match ${conflict.owner.name}'s example on line ${conflict.line} and set ${conflict.key} to ${JSON.stringify(conflict.values[0])} and ${JSON.stringify(conflict.values[1])}: ${winner.name} wins (${tie ? "same order, decided by name" : `order ${winner.order} < ${loser.order}`})`,
        );
      }
    }
  }
}

function firstConflict(owner: Rule, other: Rule, compiled: Map<Rule, ReturnType<typeof compileCondition>>) {
  for (const ex of owner.examples) {
    if (ex.kind !== "match") continue;
    const subject = exampleSubject(ex.value);
    const ownWhy = explain(compiled.get(owner)!, owner.when, subject);
    const otherWhy = explain(compiled.get(other)!, other.when, subject);
    if (!ownWhy || !otherWhy) continue;
    const mine = tagValues(owner.tags, ownWhy.captures);
    const theirs = tagValues(other.tags, otherWhy.captures);
    for (const [key, v] of Object.entries(mine)) {
      const w = theirs[key];
      if (w !== undefined && w !== v) return { owner, other, line: ex.line, key, values: [v, w] as const };
    }
  }
  return undefined;
}
