import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadRules, ruleSetFromTexts, runExamples } from "../../src/tag/index.js";
import { ruleText } from "./helpers.js";

describe("runExamples", () => {
  it("passes a good set", async () => {
    const report = runExamples(await loadRules(path.join(import.meta.dirname, "fixtures/basic")));
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(16);
    expect(report.results.find((r) => r.rule === "FX_asus_model" && r.kind === "match")!.produced).toEqual({ vendor: "ASUS", device_type: "router", model: "RT-AX88U" });
  });

  it("says which example failed and why", async () => {
    const report = runExamples(await loadRules(path.join(import.meta.dirname, "fixtures/failing")));
    expect(report.failed).toBe(2);
    expect(report.results.filter((r) => !r.passed).map((r) => [r.rule, r.line, r.kind, r.problems])).toEqual([
      ["FX_failing", 11, "match", ["did not match"]],
      ["FX_failing", 12, "match", ['expected vendor="W", got "V"']],
    ]);
  });

  it("reports a nomatch example that matched, with the fields that did", () => {
    const set = ruleSetFromTexts([{ file: "x.rules", text: ruleText({ name: "N", when: 'a = "x"', appliesTo: "any", examples: ['example match {"a": "x"}', 'example nomatch {"a": ["y", "x"]}'] }) }]);
    const failure = runExamples(set).results.find((r) => !r.passed)!;
    expect(failure.problems).toEqual(["matched, but should not (fields that matched: a)"]);
  });

  it("reads $ keys of an example as the record around the result", () => {
    const set = ruleSetFromTexts([{ file: "x.rules", text: ruleText({ name: "P", when: "$port = 8443 and a exists", appliesTo: "tls", examples: ['example match {"$port": 8443, "a": 1}', 'example nomatch {"$port": 443, "a": 1}'] }) }]);
    expect(runExamples(set).failed).toBe(0);
  });
});
