/** The index's parts: candidate bookkeeping, clause extraction, and the shortcut for rules without captures. */
import { describe, expect, it } from "vitest";
import { compileRules } from "../../src/tag/engine/compiled-rule.js";
import { CandidateSet } from "../../src/tag/engine/kind-index.js";
import { requirement } from "../../src/tag/engine/prefilter.js";
import { defaultRulesDir, exampleSubject, loadRules } from "../../src/tag/index.js";
import { compileCondition } from "../../src/tag/language/compile.js";
import { explain, tagValues } from "../../src/tag/language/explain.js";
import { oneRule, ruleText, tagWith } from "./helpers.js";

describe("CandidateSet", () => {
  it("lists a rule once every clause was hit, once, and forgets on clear", () => {
    const set = new CandidateSet(4);
    set.hit(1, 0b01, 0b11);
    expect(set.list).toEqual([]);
    set.hit(1, 0b01, 0b11);
    set.hit(2, 0b1, 0b1);
    set.hit(1, 0b10, 0b11);
    set.hit(1, 0b10, 0b11);
    set.add(1);
    set.add(3);
    set.add(3);
    expect(set.list).toEqual([2, 1, 3]);
    set.clear();
    expect(set.list).toEqual([]);
    set.hit(1, 0b10, 0b11);
    expect(set.list).toEqual([]);
  });
});

describe("a rule of two kinds", () => {
  it("is found in each, though each kind indexes different clauses of it", () => {
    // In x509, path b is walked anyway (rule B's best clause), so R needs a literal on a and on b there;
    // in mqtt only a is walked, so R needs only a.
    // The kinds' indexes are built in rule priority order: try both orders.
    for (const [orderR, orderB] of [
      [1, 2],
      [2, 1],
    ]) {
      const r = ruleText({ name: "R", order: orderR, appliesTo: "x509, mqtt", when: 'a = "x" and b = "y"', tag: 'vendor="R"' });
      const b = ruleText({ name: "B", order: orderB, appliesTo: "x509", when: 'b = "zz-long-literal"', tag: 'vendor="B"' });
      for (const kind of ["x509", "mqtt"]) {
        expect(tagWith([r, b], kind, { a: "x", b: "y" }).map((t) => t.rule), `${kind}, R order ${orderR}`).toEqual(["R"]);
      }
    }
  });
});

describe("requirement (prefilter clauses)", () => {
  const clauses = (when: string) => requirement(oneRule({ when, appliesTo: "any" }).when).map((c) => c.map((a) => `${a.path.text}${a.type === "eq" ? "=" : "~"}${a.literal}`));

  it("needs a literal from every part of an `and`", () => {
    expect(clauses('issuer.organization = "Let\'s Encrypt" and (cn =~ /\\.asuscomm\\.com$/ or san =~ /\\.asuscomm\\.com$/)')).toEqual([
      ["issuer.organization=Let's Encrypt"],
      ["cn~.asuscomm.com", "san~.asuscomm.com"],
    ]);
  });

  it("an `or` needs every branch to have a literal", () => {
    expect(clauses('a = "x" or b > 3')).toEqual([]);
    expect(clauses('a in ["x", "y"] or b icontains "ZyXEL"')).toEqual([["a=x", "a=y", "b~zyxel"]]);
  });

  it("nothing from not, !=, !~, numbers, CIDRs, exists, non-string lists", () => {
    for (const when of ['not a = "x"', 'a != "x"', "a !~ /x/", "a = 5", "a in [10.0.0.0/8]", "a exists", 'a in ["x", 1]', "a > 1", 'a contains ""']) {
      expect(clauses(when), when).toEqual([]);
    }
  });

  it("case-insensitive and substring operators give folded ASCII runs", () => {
    expect(clauses('a ~= "FRITZ!Box"')).toEqual([["a~fritz!box"]]);
    // The longest ASCII run: " net" beats "caf".
    expect(clauses('a contains "Café Net"')).toEqual([["a~ net"]]);
  });
});

describe("rules without captures or `or` skip the explanation", async () => {
  const set = await loadRules(defaultRulesDir(), { tolerant: true });
  const compiled = compileRules(set.rules);
  it("and give what explaining the match would give", () => {
    let checked = 0;
    for (const r of compiled) {
      if (!r.fixed) continue;
      for (const e of r.rule.examples.filter((x) => x.kind === "match")) {
        const subject = exampleSubject(e.value);
        const why = explain(compileCondition(r.rule.when), r.rule.when, subject)!;
        expect(why, `${r.rule.name} line ${e.line}`).toBeDefined();
        expect(r.fixed.fields).toEqual(why.fields);
        expect(r.fixed.values).toEqual(tagValues(r.rule.tags, why.captures));
        checked++;
      }
    }
    if (set.rules.length > 0) expect(checked).toBeGreaterThan(0);
  });
});

describe("the index's one-walk tree of paths", () => {
  it("reaches exactly the values each path reaches on its own", async () => {
    const fc = (await import("fast-check")).default;
    const { buildTrie, compileTrie } = await import("../../src/tag/engine/path-trie.js");
    const { compilePath, walker } = await import("../../src/tag/language/paths.js");
    const names = ["a", "b", "c", "constructor", "toString"];
    const pathArb = fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 });
    const valueArb = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom(null, 1, "x", true),
        fc.array(tie("v"), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...names), tie("v"), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(fc.uniqueArray(pathArb, { minLength: 1, maxLength: 6, selector: (p) => p.join(".") }), valueArb, (paths, root) => {
        const seen: unknown[][] = paths.map(() => []);
        const walk = compileTrie(buildTrie(paths.map((names, i) => ({ names, sink: (v: unknown) => seen[i]!.push(v) }))));
        walk(root);
        paths.forEach((segments, i) => {
          // The generated visitor of a plain path, and the general walker, agree with the tree.
          const generated: unknown[] = [];
          compilePath({ text: segments.join("."), offset: 0, envelope: false, segments })({ root, env: {} }, (v) => (generated.push(v), false));
          const general: unknown[] = [];
          walker(segments)(root, (v) => (general.push(v), false));
          expect(seen[i]).toEqual(generated);
          expect(general).toEqual(generated);
        });
      }),
      { numRuns: 500 },
    );
  });
});
