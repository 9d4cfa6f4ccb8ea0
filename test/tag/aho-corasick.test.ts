import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AhoCorasick } from "../../src/tag/engine/aho-corasick.js";
import { foldCode } from "../../src/tag/engine/fold.js";

function foldText(t: string): string {
  return [...t].map((c) => (c.length === 1 ? String.fromCharCode(foldCode(c.charCodeAt(0))) : "\u0000\u0000")).join("");
}

function found(ac: AhoCorasick, text: string): number[] {
  const ids = new Set<number>();
  ac.scan(text, (id) => ids.add(id));
  return [...ids].sort((a, b) => a - b);
}

describe("Aho-Corasick", () => {
  it("finds overlapping and nested patterns, case-folded", () => {
    const ac = new AhoCorasick(["he", "she", "his", "hers", "fritz!box"]);
    expect(found(ac, "USHERS")).toEqual([0, 1, 3]);
    expect(found(ac, "my FRITZ!Box")).toEqual([4]);
    expect(found(ac, "nothing")).toEqual([]);
  });

  it("folds Kelvin sign, long s and dotted capital I onto ASCII", () => {
    const ac = new AhoCorasick(["kis"]);
    expect(found(ac, "\u212a\u0130\u017f")).toEqual([0]);
  });

  it("refuses patterns that are not lower-case ASCII", () => {
    expect(() => new AhoCorasick(["Abc"])).toThrow(/lower-case ASCII/);
    expect(() => new AhoCorasick(["é"])).toThrow(/lower-case ASCII/);
  });

  it("agrees with a naive search", () => {
    const alphabet = fc.constantFrom("a", "b", "c", "A", "B", "\u212a", "k", "-");
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom("a", "b", "c", "k", "-"), { minLength: 1, maxLength: 4 }).map((x) => x.join("")), { minLength: 1, maxLength: 12 }), fc.array(alphabet, { maxLength: 30 }).map((x) => x.join("")), (patterns, text) => {
        const ac = new AhoCorasick(patterns);
        const hay = foldText(text);
        const expected = patterns.map((p, i) => (hay.includes(p) ? i : -1)).filter((i) => i >= 0);
        expect(found(ac, text)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
