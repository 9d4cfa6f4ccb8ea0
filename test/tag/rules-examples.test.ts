/**
 * The shipped rules (`rules/`): they load, every rule carries both kinds of example, every example
 * passes, lint finds no error — and there are enough of them (issue 4: at least 200 active rules).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { defaultRulesDir, lintRules, loadRules, runExamples, type RuleSet } from "../../src/tag/index.js";

let set: RuleSet;

beforeAll(async () => {
  set = await loadRules(defaultRulesDir(), { tolerant: true });
});

describe("rules/", () => {
  it("loads without errors", () => {
    expect(set.errors.map((e) => e.message)).toEqual([]);
  });

  it("every rule has at least one match and one nomatch example", () => {
    const lacking = set.rules.filter((r) => !r.examples.some((e) => e.kind === "match") || !r.examples.some((e) => e.kind === "nomatch"));
    expect(lacking.map((r) => `${r.file}:${r.line} ${r.name}`)).toEqual([]);
  });

  it("every example passes", () => {
    const failures = runExamples(set).results.filter((r) => !r.passed);
    expect(failures.map((f) => `${f.file}:${f.line} ${f.rule} (example ${f.kind}): ${f.problems.join("; ")}`)).toEqual([]);
  });

  it("lint finds no errors", () => {
    const errors = lintRules(set).filter((f) => f.severity === "error");
    expect(errors.map((f) => `${f.file}:${f.line}:${f.column} [${f.code}] ${f.message}`)).toEqual([]);
  });

  it("has at least 200 active rules", () => {
    expect(set.rules.filter((r) => r.state === "active").length).toBeGreaterThanOrEqual(200);
  });
});
