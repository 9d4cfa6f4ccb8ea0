/**
 * The indexed engine must give exactly what evaluating every rule gives. Random records built from the
 * rules' own examples and literals (so that many rules nearly match) are tagged both ways, against the
 * real `rules/` set and against a generated rule set that mixes every operator with and/or/not.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRuleSet, defaultRulesDir, loadRules, ruleSetFromTexts, type Rule, type Tagger } from "../../src/tag/index.js";
import { conditionTests } from "../../src/tag/language/walk.js";
import { exampleSubject } from "../../src/tag/engine/examples.js";

type Leaf = { path: string[]; value: unknown };

function leaves(value: unknown, path: string[] = [], out: Leaf[] = []): Leaf[] {
  if (Array.isArray(value)) value.forEach((v) => leaves(v, path, out));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) leaves(v, [...path, k], out);
  else out.push({ path, value });
  return out;
}

/** Every string literal a rule set mentions: = and in values, contains texts, regex sources' words. */
function literals(rules: readonly Rule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const { test } of conditionTests(r.when)) {
      const v = test.value;
      if (v.type === "scalar" && typeof v.value === "string") out.add(v.value);
      if (v.type === "list") v.values.forEach((x) => typeof x === "string" && out.add(x));
      if (v.type === "regex") for (const w of v.regex.source.split(/[^A-Za-z0-9 !.-]+/)) if (w.length > 1) out.add(w.replace(/\\/g, ""));
    }
    for (const e of r.examples) for (const l of leaves(e.value)) if (typeof l.value === "string") out.add(l.value);
  }
  return [...out];
}

function setAt(root: Record<string, unknown>, path: string[], value: unknown, asList: boolean): void {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (typeof node[k] !== "object" || node[k] === null || Array.isArray(node[k])) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  const last = path[path.length - 1] ?? "v";
  if (asList) node[last] = [...(Array.isArray(node[last]) ? (node[last] as unknown[]) : []), value];
  else node[last] = value;
}

/** Records for one kind: leaves of the kind's examples, values mutated with literals of the rule set. */
function recordArb(pool: Leaf[], words: string[]): fc.Arbitrary<{ root: Record<string, unknown>; env: Record<string, unknown> }> {
  const word = fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 6 }), fc.constantFrom("\u212a", "\u017f", "\u0130", "ß", "İ"));
  const mutate = (v: unknown): fc.Arbitrary<unknown> =>
    typeof v === "string"
      ? fc.oneof(
          fc.constant(v),
          fc.constant(v.toUpperCase()),
          fc.constant(v.toLowerCase()),
          fc.tuple(word, fc.constant(v), word).map(([a, b, c]) => a + b + c),
          fc.nat({ max: Math.max(0, v.length) }).map((n) => v.slice(n)),
          word,
        )
      : fc.oneof(fc.constant(v), fc.integer({ min: -2, max: 70000 }), fc.boolean(), word);
  const leafArb = fc.constantFrom(...pool).chain((l) => fc.tuple(fc.constant(l.path), mutate(l.value), fc.boolean()));
  return fc
    .tuple(fc.array(leafArb, { minLength: 1, maxLength: 14 }), fc.option(fc.constantFrom(443, 8443, 1883, 631, 5683)), fc.option(fc.constantFrom("success", "protocol-error")))
    .map(([entries, port, status]) => {
      const root: Record<string, unknown> = {};
      for (const [path, value, asList] of entries) setAt(root, path, value, asList);
      const env: Record<string, unknown> = {};
      if (port !== null) env.port = port;
      if (status !== null) env.status = status;
      return { root, env };
    });
}

function compare(rules: readonly Rule[], runs: number, seed: number): { records: number; tagged: number } {
  const indexed: Tagger = compileRuleSet(rules);
  const naive: Tagger = compileRuleSet(rules, { strategy: "naive" });
  const words = literals(rules);
  const kinds = [...new Set(rules.flatMap((r) => r.appliesTo).map((k) => (k === "any" ? "http" : k)))];
  let records = 0;
  let tagged = 0;
  for (const kind of kinds) {
    const ofKind = rules.filter((r) => r.appliesTo.includes(kind) || (kind !== "x509" && r.appliesTo.includes("any")));
    const pool = ofKind.flatMap((r) => r.examples.flatMap((e) => leaves(exampleSubject(e.value).root)));
    if (pool.length === 0) continue;
    fc.assert(
      fc.property(recordArb(pool, words), (subject) => {
        records++;
        const a = indexed.tagSubject(kind, subject, 443);
        const b = naive.tagSubject(kind, subject, 443);
        if (a.length > 0) tagged++;
        expect(a).toEqual(b);
      }),
      { numRuns: runs, seed },
    );
  }
  // The examples themselves, exactly as written.
  for (const r of rules) {
    for (const e of r.examples) {
      for (const kind of r.appliesTo.map((k) => (k === "any" ? "http" : k))) {
        expect(indexed.tagSubject(kind, exampleSubject(e.value))).toEqual(naive.tagSubject(kind, exampleSubject(e.value)));
      }
    }
  }
  return { records, tagged };
}

// --- a generated rule set: every operator, nested and/or/not, literals that collide -------------

const paths = ["a", "b.c", "b.d", "e", "f.g.h", "$port"];
const lits = ["foo", "Foo", "FOO-1", "bar", "baz qux", "k", "\u212a", "ſ", "strasse", "x.y", "10.0.0.1"];
const q = (s: string) => JSON.stringify(s);

const testArb: fc.Arbitrary<string> = fc.tuple(fc.constantFrom(...paths), fc.constantFrom(...lits), fc.integer({ min: 0, max: 19 }), fc.constantFrom("", "all", "any")).map(([p, l, op, quant]) => {
  const path = quant && !p.startsWith("$") ? `${quant}(${p})` : p;
  const re = l.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  switch (op) {
    case 0:
      return `${path} = ${q(l)}`;
    case 1:
      return `${path} != ${q(l)}`;
    case 2:
      return `${path} ~= ${q(l)}`;
    case 3:
      return `${path} =~ /${re}/`;
    case 4:
      return `${path} =~ /^${re}(-\\d+)?$/i`;
    case 5:
      return `${path} !~ /${re}/`;
    case 6:
      return `${path} contains ${q(l)}`;
    case 7:
      return `${path} startswith ${q(l)}`;
    case 8:
      return `${path} endswith ${q(l)}`;
    case 9:
      return `${path} icontains ${q(l)}`;
    case 10:
      return `${path} istartswith ${q(l)}`;
    case 11:
      return `${path} iendswith ${q(l)}`;
    case 12:
      return `${path} in [${q(l)}, "bar", 443]`;
    case 13:
      return `${path} in [10.0.0.0/8]`;
    case 14:
      return `${path} > 100`;
    case 15:
      return `${path} <= 443`;
    case 16:
      return p.startsWith("$") || quant ? `${p} = 443` : `${p} exists`;
    case 17:
      return `${path} =~ /(?:${re}|zz[0-9])/`;
    case 18:
      return `${path} =~ /[a-z]+\\d/`;
    default:
      return `${path} = true`;
  }
});

const condArb: fc.Arbitrary<string> = fc.letrec<{ c: string }>((tie) => ({
  c: fc.oneof(
    { depthSize: "small" },
    testArb,
    fc.tuple(tie("c"), tie("c")).map(([a, b]) => `(${a} and ${b})`),
    fc.tuple(tie("c"), tie("c")).map(([a, b]) => `(${a} or ${b})`),
    tie("c").map((a) => `not ${a}`),
  ),
})).c;

function generatedRules(count: number, seed: number): Rule[] {
  const conds = fc.sample(condArb, { numRuns: count, seed });
  const keys = ["vendor", "product", "model", "device_type"];
  // Some rules index path q.r in x509 only; rules of two kinds with a weak clause on q.r then index
  // different clauses per kind (the per-kind clause masks must keep them findable in both).
  const whenOf = (cond: string, i: number) => (i % 10 === 0 ? `q.r = "x509-only-${i % 3}"` : i % 10 === 5 ? `(${cond}) and q.r contains "o"` : cond);
  const kindsOf = (i: number) => (i % 10 === 0 ? "x509" : i % 10 === 5 ? "x509, mqtt" : ["x509", "tls", "any", "x509, mqtt", "tls, x509", "mqtt, coap"][i % 6]);
  const texts = conds.map((cond, i) =>
    [
      `rule G${i}`,
      `  description "generated"`,
      `  group G${i % 7}`,
      `  order ${i % 13}`,
      `  state ${i % 9 === 0 ? "testing" : i % 17 === 0 ? "disabled" : "active"}`,
      `  applies_to ${kindsOf(i)}`,
      `  when ${whenOf(cond, i)}`,
      `  tag ${keys[i % 4]}="v${i}" ${keys[(i + 1) % 4]}="w${i % 3}"`,
      `  example match {"a": ${q(lits[i % lits.length]!)}, "b": {"c": "foo", "d": ["bar", 7]}, "e": 443, "f": {"g": [{"h": "FOO-1"}]}, "q": {"r": "x509-only-${i % 3}"}}`,
      `  example nomatch {"e": "x.y"}`,
    ].join("\n"),
  );
  const set = ruleSetFromTexts([{ file: "generated.rules", text: texts.join("\n\n") }]);
  expect(set.errors.map((e) => e.message)).toEqual([]);
  return set.rules;
}

describe("indexed engine = evaluating every rule", () => {
  it("on the real rules/ set", async () => {
    const set = await loadRules(defaultRulesDir(), { tolerant: true });
    if (set.rules.length === 0) return; // the rule files are written elsewhere; nothing to compare yet
    const { records, tagged } = compare(set.rules, 400, 42);
    expect(records).toBeGreaterThan(0);
    expect(tagged).toBeGreaterThan(0);
  });

  it("on a generated rule set with every operator and nested and/or/not", () => {
    const rules = generatedRules(400, 7);
    const { tagged } = compare(rules, 1500, 7);
    expect(tagged).toBeGreaterThan(100);
  });
});
