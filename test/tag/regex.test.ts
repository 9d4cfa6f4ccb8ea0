/**
 * The regex analysis behind the prefilter: capture groups, required literals — and the property that
 * makes the index safe: whenever re2 matches a text, the folded text contains a required literal — and
 * the first characters of anchored patterns, which the engine checks before calling re2.
 */
import fc from "fast-check";
import RE2 from "re2";
import { describe, expect, it } from "vitest";
import { foldCode } from "../../src/tag/engine/fold.js";
import { analyzeRegex, startsAsAllowed, type FirstChars } from "../../src/tag/language/regex-info.js";

function folded(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const f = foldCode(text.charCodeAt(i));
    out += f === 0 ? "\u0000" : String.fromCharCode(f);
  }
  return out;
}

describe("analyzeRegex", () => {
  const cases: Array<[string, string[] | undefined]> = [
    ["\\.asuscomm\\.com$", [".asuscomm.com"]],
    ["^RT-AX88U$", ["rt-ax88u"]],
    ["^(?:RT|GT)-[A-Z0-9]+$", ["rt-", "gt-"]],
    ["^[a-z0-9-]+\\.asuscomm\\.com$", [".asuscomm.com"]],
    ["FRITZ!Box (\\d+)", ["fritz!box "]],
    ["abc|de", ["abc", "de"]],
    ["abc|d?", undefined],
    ["(abc)?x", ["x"]],
    ["a+bcd", ["bcd"]],
    ["(?i)HikVision", ["hikvision"]],
    ["x{3}y", ["xxxy"]],
    ["[Ss]eries", ["eries"]],
    ["\\x41\\x{42}C", ["abc"]],
    ["\\QA.B\\E", ["a.b"]],
    ["caf\u00e9", ["caf"]],
    ["^\\d+$", undefined],
    [".*", undefined],
    ["a\\bb", ["ab"]],
    ["\\pLxyz", ["xyz"]],
  ];
  it.each(cases)("%s requires %j", (source, required) => {
    expect(analyzeRegex(source).required?.sort()).toEqual(required?.sort());
  });

  it("counts capture groups and names them", () => {
    expect(analyzeRegex("^(a)(?:b)(?<model>c)(?P<v>d)[(]\\(").groups).toBe(3);
    expect(analyzeRegex("(?<model>c)(?P<v>d)").names).toEqual(["model", "v"]);
  });

  it("knows a leading .*", () => {
    expect(analyzeRegex(".*foo").leadingDotStar).toBe(true);
    expect(analyzeRegex("^(?i).*foo").leadingDotStar).toBe(true);
    expect(analyzeRegex("foo.*").leadingDotStar).toBe(false);
  });
});

describe("re2 and the fold facts the index relies on", () => {
  it("only U+017F and U+212A case-fold onto ASCII letters in re2", () => {
    const re = new RE2("^[a-z]$", "i");
    const found: number[] = [];
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (re.test(String.fromCodePoint(cp))) found.push(cp);
    }
    expect(found).toEqual([0x17f, 0x212a]);
  });

  it("only U+0130 and U+212A lower-case to text with ASCII in it", () => {
    const found: number[] = [];
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if ([...String.fromCodePoint(cp).toLowerCase()].some((c) => c.charCodeAt(0) > 0 && c.charCodeAt(0) < 128)) found.push(cp);
    }
    expect(found).toEqual([0x130, 0x212a]);
  });
});

// --- the soundness property -------------------------------------------------------------------

type Re = { s: string; sample: fc.Arbitrary<string> };
const chars = ["a", "b", "k", "s", "K", "S", "-", ".", "x"];
const variants: Record<string, string[]> = { k: ["k", "K", "\u212a"], s: ["s", "S", "\u017f"], a: ["a", "A"], b: ["b", "B"], x: ["x", "X"] };
const textChars = fc.constantFrom("a", "b", "k", "s", "K", "S", "\u212a", "\u017f", "\u0130", "-", ".", "x", "é", "ß");

/** A random regex and a generator of texts it (usually) matches. */
const regexArb: fc.Arbitrary<Re> = fc.letrec<{ re: Re }>((tie) => ({
  re: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...chars).map((c) => ({ s: c === "." ? "\\." : c, sample: fc.constantFrom(...(variants[c.toLowerCase()] ?? [c])) })),
    fc.constant({ s: ".", sample: textChars }),
    fc.constant({ s: "[a-c]", sample: fc.constantFrom("a", "b", "c") }),
    fc.constant({ s: "\\d", sample: fc.constantFrom("1", "7") }),
    fc.tuple(tie("re"), tie("re")).map(([a, b]) => ({ s: `(?:${a.s})(?:${b.s})`, sample: fc.tuple(a.sample, b.sample).map(([x, y]) => x + y) })),
    fc.tuple(tie("re"), tie("re")).map(([a, b]) => ({ s: `(?:${a.s}|${b.s})`, sample: fc.oneof(a.sample, b.sample) })),
    tie("re").map((a) => ({ s: `(${a.s})`, sample: a.sample })),
    fc.tuple(tie("re"), fc.constantFrom("*", "+", "?", "{2}", "{1,3}")).map(([a, q]) => {
      const [min, max] = q === "*" ? [0, 2] : q === "+" ? [1, 3] : q === "?" ? [0, 1] : q === "{2}" ? [2, 2] : [1, 3];
      return { s: `(?:${a.s})${q}`, sample: fc.array(a.sample, { minLength: min, maxLength: max }).map((xs) => xs.join("")) };
    }),
  ),
})).re;

describe("prefilter soundness", () => {
  it("a text re2 matches always contains a required literal (folded)", () => {
    fc.assert(
      fc.property(
        regexArb,
        fc.boolean(),
        fc.boolean(),
        fc.array(textChars, { maxLength: 4 }),
        fc.array(textChars, { maxLength: 4 }),
        fc.context(),
        (re, anchored, insensitive, pre, post, ctx) => {
          const source = anchored ? `^(?:${re.s})$` : re.s;
          const compiled = new RE2(source, insensitive ? "i" : "");
          const info = analyzeRegex(source);
          expect(info.understood).toBe(true);
          const texts = [...fc.sample(re.sample, { numRuns: 5 }).map((t) => pre.join("") + t + post.join("")), pre.join("") + post.join("")];
          for (const text of texts) {
            if (!compiled.test(text) || info.required === undefined) continue;
            ctx.log(`${source} on ${JSON.stringify(text)} requires ${JSON.stringify(info.required)}`);
            const haystack = folded(text);
            expect(info.required.some((lit) => haystack.includes(lit)), `${source} /${insensitive ? "i" : ""} matched ${JSON.stringify(text)} but none of ${JSON.stringify(info.required)} is in it`).toBe(true);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});

/** The first characters a FirstChars allows, as a sorted string (non-ASCII ones as they are). */
function allowed(f: FirstChars | undefined): string | undefined {
  if (!f) return undefined;
  const out: string[] = [];
  for (let c = 0; c < 128; c++) if (f.ascii[c]) out.push(String.fromCharCode(c));
  return [...out, ...f.other.map((c) => String.fromCharCode(c))].join("");
}

describe("first characters of anchored patterns", () => {
  it.each([
    ["^((?:IBR|AER|CBA|COR|MBR|E|R|S)[0-9]{3,4}(?:LP[0-9E]+|C)?)-[0-9a-f]{3}$", "", "ACEIMRS"],
    ["^((?:usg|zywall|atp)[0-9a-z]*)_[0-9a-f]{12}$", "i", "AUZauz"],
    ["^kit", "i", "Kk\u212a"],
    ["^sat", "i", "Ss\u017f"],
    ["\\A[0-9a-fA-F]{6}", "", "0123456789ABCDEFabcdef"],
    ["^\\d+\\.", "", "0123456789"],
    ["^(?:a)?b", "", "ab"],
    ["^[-\\].x]y", "", "-.]x"],
    ["(?:^foo|^bar)", "", "bf"],
    ["\\b^HP", "", "H"],
    ["^\\s", "", "\t\n\f\r "],
  ])("%s /%s may start with %j", (source, flags, chars) => {
    expect(allowed(analyzeRegex(source, flags).firstChars)).toBe(chars);
  });

  it.each([
    ["^a|b", ""], // one branch is not anchored
    ["^a", "m"], // ^ after every newline
    ["(?i)^abc", ""], // inline flags are not modelled
    ["^(?m:a)", ""],
    ["^a*", ""], // matches the empty string: any text
    ["^[^a]", ""],
    ["^.", ""],
    ["^\\w|^é", ""],
    ["^[a-é]", ""],
    ["^\\pL", ""],
    ["abc$", ""],
  ])("%s /%s has no first-character set", (source, flags) => {
    expect(analyzeRegex(source, flags).firstChars).toBeUndefined();
  });

  it("keeps the literal prefilter of patterns with classes as it was", () => {
    expect(analyzeRegex("^[a-]xyz[\\]]").required).toEqual(["xyz"]);
    expect(analyzeRegex("^[\\x41-\\x5a]abc").required).toEqual(["abc"]);
  });

  it("a text re2 matches always starts with an allowed character", () => {
    fc.assert(
      fc.property(regexArb, fc.boolean(), fc.array(textChars, { maxLength: 4 }), fc.context(), (re, insensitive, post, ctx) => {
        const flags = insensitive ? "i" : "";
        const source = `^(?:${re.s})`;
        const compiled = new RE2(source, flags);
        const first = analyzeRegex(source, flags).firstChars;
        if (!first) return;
        const texts = [...fc.sample(re.sample, { numRuns: 5 }).map((t) => t + post.join("")), post.join(""), ""];
        for (const text of texts) {
          if (!compiled.test(text)) continue;
          ctx.log(`${source} /${flags} on ${JSON.stringify(text)} allows ${JSON.stringify(allowed(first))}`);
          expect(startsAsAllowed(first, text), `${source} /${flags} matched ${JSON.stringify(text)}, which starts outside ${JSON.stringify(allowed(first))}`).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
