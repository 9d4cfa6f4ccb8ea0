import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintRules, loadRules, ruleSetFromTexts, type LintFinding } from "../../src/tag/index.js";
import { ruleText } from "./helpers.js";

function lint(...texts: string[]): LintFinding[] {
  return lintRules(ruleSetFromTexts(texts.map((text, i) => ({ file: `f${i}.rules`, text }))));
}

const codes = (fs: LintFinding[], severity?: string) => fs.filter((f) => !severity || f.severity === severity).map((f) => `${f.severity}:${f.code}:${f.rule}`);

describe("lint", () => {
  it("reports load errors as syntax errors with their position", async () => {
    const set = await loadRules(path.join(import.meta.dirname, "fixtures/broken"), { tolerant: true });
    const fs = lintRules(set);
    expect(fs.map((f) => [f.severity, f.code, f.line, f.column, f.rule])).toEqual([
      ["error", "syntax", 9, 28, "FX_broken_one"],
      ["error", "syntax", 20, 35, "FX_broken_two"],
    ]);
  });

  it("finds conditions that can never hold", () => {
    const ex = ['example match {"a": "x"}', 'example nomatch {"a": "q"}'];
    const fs = lint(
      ruleText({ name: "Neg", when: 'a = "x" and not a = "x"', examples: ex }),
      ruleText({ name: "Missing", when: 'a = "x" and not a exists', examples: ex }),
      ruleText({ name: "All", when: 'all(a) = "x" and a = "y"', examples: ex }),
      ruleText({ name: "Range", when: "all(n) > 10 and n < 5", examples: ex }),
      ruleText({ name: "Single", when: 'a = "x" and a = "y"', examples: ex }),
      ruleText({ name: "Regex", when: 'a = "x" and a =~ /^y/', examples: ex }),
      ruleText({ name: "ListOk", when: 'a = "x" and a = "y"', examples: ['example match {"a": ["x", "y"]}', 'example nomatch {"a": "q"}'] }),
      ruleText({ name: "Fine", when: 'a = "x" and a startswith "x"', examples: ex }),
    );
    const unreachable = fs.filter((f) => f.code === "unreachable").map((f) => `${f.severity}:${f.rule}`);
    expect(unreachable).toEqual(["error:Neg", "error:Missing", "error:All", "error:Range", "warning:Single", "warning:Regex"]);
  });

  it("finds duplicate conditions and overlapping rules of a group", () => {
    const fs = lint(
      ruleText({ name: "A", group: "V", order: 10, when: 'a = "x" and b = "y"', tag: 'vendor="One"', examples: ['example match {"a": "x", "b": "y"}', 'example nomatch {}'] }),
      ruleText({ name: "B", group: "V", order: 10, when: 'b = "y" and (a = "x")', tag: 'vendor="Two"', examples: ['example match {"a": "x", "b": "y"}', 'example nomatch {}'] }),
      ruleText({ name: "C", group: "V", order: 20, when: 'a = "x"', tag: 'vendor="Three"', examples: ['example match {"a": "x"}', 'example nomatch {}'] }),
      ruleText({ name: "D", group: "W", order: 10, when: 'a = "x"', tag: 'vendor="Four"', appliesTo: "mqtt", examples: ['example match {"a": "x"}', 'example nomatch {}'] }),
    );
    expect(codes(fs).filter((c) => /duplicate|overlap/.test(c))).toEqual([
      "warning:overlap:B",
      "warning:duplicate-condition:B",
      "info:overlap:C",
      "info:overlap:C",
    ]);
    expect(fs.find((f) => f.code === "overlap" && f.rule === "B")!.message).toMatch(/A wins \(same order, decided by name\)/);
  });

  it("flags slow patterns, unknown fields and tag keys, missing references", () => {
    const fs = lint(
      ruleText({ name: "Slow", when: "a =~ /^[0-9]+$/", appliesTo: "any" }),
      ruleText({ name: "DotStar", when: "subject.common_name =~ /.*asus/" }),
      ruleText({ name: "NoFilter", when: "a > 3", appliesTo: "mqtt, any" }),
      ruleText({ name: "Typo", when: 'subject.cn = "x" and issuer.organization = "y" and extensions.subject_alt_name.dns_names = "z"' }),
      ruleText({ name: "Key", when: 'a = "x"', tag: 'colour="red"', appliesTo: "any", extra: ['reference "somewhere"'] }),
    );
    expect(codes(fs).filter((c) => !c.includes("no-reference"))).toEqual([
      "warning:slow-regex:Slow",
      "warning:leading-dotstar:DotStar",
      "info:no-prefilter:NoFilter",
      "warning:unknown-field:Typo",
      "warning:unknown-tag-key:Key",
    ]);
    expect(fs.find((f) => f.code === "unknown-field")!.message).toMatch(/`cn` in `subject.cn` is not a field of x509 records/);
    expect(codes(fs).filter((c) => c.includes("no-reference"))).toHaveLength(4);
  });

  it("gives positions of the offending part", () => {
    const [f] = lint(ruleText({ name: "Slow", when: "a =~ /^[0-9]+$/", appliesTo: "any", extra: ['reference "r"'] }));
    expect(f).toMatchObject({ file: "f0.rules", line: 7, column: 13, rule: "Slow" });
  });
});
