/**
 * `iotscope rules list|test|lint|stats`: the rule set as a reviewer sees it. Thin: loading, examples,
 * lint and the hit counts on stored tags are the tag pillar's; this file prints them.
 */
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { defaultRulesDir, lintRules, loadRules, parseSince, RuleLoadError, ruleStats, runExamples, type LintFinding, type RuleSet } from "../../tag/index.js";
import { withContext } from "../context.js";

/**
 * A check that ran and found problems (failed examples, lint errors, malformed input lines): exit code
 * 1, where a usage mistake is 2; run.ts prints the message on one line for any UsageError.
 */
export class CheckFailed extends UsageError {
  constructor(message: string) {
    super(message);
    // UsageError types its exit code as the literal 2; this one subclass means 1.
    (this as { exitCode: number }).exitCode = 1;
  }
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const RULES_OPTION = ["--rules <path>", "rules directory or file (repeatable; default: the rules shipped with iotscope)"] as const;

/** Loads the rules, or prints every load error and fails with exit code 2. */
export async function loadRulesOrReport(paths: readonly string[]): Promise<RuleSet> {
  try {
    return await loadRules(paths.length > 0 ? paths : defaultRulesDir());
  } catch (err) {
    if (!(err instanceof RuleLoadError)) throw err;
    for (const line of err.lines()) process.stderr.write(`${line}\n`);
    throw new UsageError(`${err.errors.length} error${err.errors.length > 1 ? "s" : ""} in the rules (listed above)`, { cause: err });
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

export function registerRules(program: Command): void {
  const rules = program
    .command("rules")
    .description("Tag rules: list them, run their examples, lint them (docs/rules.md)")
    .addHelpText("after", "\nThe rule language is described in docs/rules.md.");

  rules
    .command("list")
    .description("the rules: name, state, kinds, order, group, file")
    .option(...RULES_OPTION, collect, [])
    .action(async (flags: { rules: string[] }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const set = await loadRulesOrReport(flags.rules);
        const rows = set.rules.map((r) => ({
          name: r.name,
          group: r.group,
          order: r.order,
          state: r.state,
          applies_to: r.appliesTo,
          description: r.description,
          tags: Object.fromEntries(r.tags.map((t) => [t.key, t.raw])),
          examples: r.examples.length,
          references: r.references,
          file: r.file,
          line: r.line,
          hash: r.hash,
        }));
        ctx.print(rows, () => {
          const width = Math.max(4, ...rows.map((r) => r.name.length));
          const lines = rows.map(
            (r) => `${pad(r.name, width)}  ${pad(r.state, 8)}  ${pad(r.applies_to.join(","), 10)}  ${String(r.order).padStart(5)}  ${pad(r.group, 14)}  ${r.file}:${r.line}`,
          );
          const states = ["active", "testing", "disabled"].map((s) => `${rows.filter((r) => r.state === s).length} ${s}`).join(", ");
          return [`${pad("rule", width)}  state     kinds       order  group           file`, ...lines, `${rows.length} rules (${states}) in ${set.files.length} files`].join("\n");
        });
      });
    });

  rules
    .command("test")
    .description("run every rule's examples; exit code 1 if any fails")
    .option(...RULES_OPTION, collect, [])
    .action(async (flags: { rules: string[] }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const set = await loadRulesOrReport(flags.rules);
        const report = runExamples(set);
        const failures = report.results.filter((r) => !r.passed);
        ctx.print({ rules: set.rules.length, examples: report.results.length, passed: report.passed, failed: report.failed, failures }, () =>
          [
            ...failures.map((f) => `FAIL ${f.file}:${f.line} ${f.rule} (example ${f.kind}): ${f.problems.join("; ")}`),
            `${report.results.length} examples of ${set.rules.length} rules: ${report.passed} passed, ${report.failed} failed`,
          ].join("\n"),
        );
        if (report.failed > 0) throw new CheckFailed(`${report.failed} example${report.failed > 1 ? "s" : ""} failed`);
      });
    });

  rules
    .command("lint")
    .description("syntax, unreachable and overlapping rules, slow patterns; exit code 1 on errors, 0 with warnings")
    .option(...RULES_OPTION, collect, [])
    .option("--info", "also list findings of severity info (no reference, rules without a prefilter, ordered overlaps)")
    .action(async (flags: { rules: string[]; info?: boolean }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const set = await loadRules(flags.rules.length > 0 ? flags.rules : defaultRulesDir(), { tolerant: true });
        const findings = lintRules(set);
        const count = (s: LintFinding["severity"]) => findings.filter((f) => f.severity === s).length;
        const [errors, warnings, infos] = [count("error"), count("warning"), count("info")];
        ctx.print({ rules: set.rules.length, errors, warnings, infos, findings }, () => {
          const shown = findings.filter((f) => flags.info || f.severity !== "info");
          return [
            ...shown.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} [${f.code}] ${f.message}${f.rule ? ` (rule ${f.rule})` : ""}`),
            `${set.rules.length} rules: ${errors} errors, ${warnings} warnings, ${infos} infos${!flags.info && infos > 0 ? " (--info lists them)" : ""}`,
          ].join("\n");
        });
        if (errors > 0) throw new CheckFailed(`lint found ${errors} error${errors > 1 ? "s" : ""}`);
      });
    });

  rules
    .command("stats")
    .description("hits per rule on stored tags (active and testing apart), every loaded rule listed, zero hits included")
    .option(...RULES_OPTION, collect, [])
    .option("--since <when>", "only tags stored since: a duration back from now (30m, 12h, 1d, 7d, 2w) or an ISO date (default: all stored tags)")
    .option("--campaign <id>", "only tags stored under this campaign id (or file:<label>)")
    .action(async (flags: { rules: string[]; since?: string; campaign?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const since = flags.since === undefined ? undefined : parseSince(flags.since);
        const set = await loadRulesOrReport(flags.rules);
        const stats = await ruleStats((await ctx.storage()).db, set.rules, { since, campaign: flags.campaign });
        // Most hits first, then by name: the rules to look at come first, silent ones last.
        stats.sort((a, b) => b.activeHits + b.testingHits - (a.activeHits + a.testingHits) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
        ctx.print({ since: since ?? null, campaign: flags.campaign ?? null, rules: stats }, () => {
          const width = Math.max(4, ...stats.map((s) => s.rule.length));
          const lines = stats.map(
            (s) =>
              `${pad(s.rule, width)}  ${pad(s.state ?? "(gone)", 8)}  ${String(s.activeHits).padStart(8)}  ${String(s.testingHits).padStart(8)}  ${String(s.currentVersionHits).padStart(8)}  ${s.lastTaggedAt ?? "-"}`,
          );
          const silent = stats.filter((s) => s.inRuleSet && s.activeHits + s.testingHits === 0).length;
          const testing = stats.filter((s) => s.state === "testing");
          return [
            `${pad("rule", width)}  state       active   testing   current  last tagged`,
            ...lines,
            `${stats.length} rules${since ? ` since ${since}` : ""}: ${silent} without hits; ${testing.filter((s) => s.testingHits > 0).length} of ${testing.length} testing rules hit`,
          ].join("\n");
        });
      });
    });
}
