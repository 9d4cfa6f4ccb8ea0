/**
 * `iotscope tag <results.jsonl|->`: reads scan records (or bare certificates) as JSON lines, writes
 * each back, in order, with a `tags` array. Streams: one line in memory at a time (plus a small write
 * buffer that honours backpressure). A line that is not JSON or not a record is reported on stderr
 * with its number and skipped; the exit code says so at the end (1). Storing tags in the database
 * comes with the storage layer (not here yet).
 */
import { once } from "node:events";
import { createReadStream, createWriteStream, openSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { describeError, UsageError } from "../../core/errors.js";
import { createProgress } from "../../core/log/index.js";
import { compileRuleSet, pillar, TagInputError } from "../../tag/index.js";
import { withContext } from "../context.js";
import { CheckFailed, collect, loadRulesOrReport, RULES_OPTION } from "./rules.js";

/** Malformed lines reported one by one; past this only counted (a wrong file would flood stderr). */
const MAX_REPORTED = 100;
const WRITE_CHUNK = 64 * 1024;

function openInput(input: string): NodeJS.ReadableStream {
  if (input === "-") return process.stdin;
  try {
    if (!statSync(input).isFile()) throw new Error("not a file");
  } catch (err) {
    throw new UsageError(`cannot read ${input}: ${describeError(err)}`);
  }
  return createReadStream(input);
}

function openOutput(file: string | undefined): NodeJS.WritableStream {
  if (file === undefined) return process.stdout;
  try {
    return createWriteStream("", { fd: openSync(file, "w") });
  } catch (err) {
    throw new UsageError(`cannot open output file ${file}: ${describeError(err)}`);
  }
}

export function registerTag(program: Command): void {
  program
    .command(pillar.command)
    .description(`${pillar.title}: ${pillar.summary}`)
    .argument("<input>", "scan results as JSON lines (`iotscope scan … --json`, ZGrab2), or certificates {\"raw\"?, \"parsed\"?} one per line; - for stdin")
    .option(...RULES_OPTION, collect, [])
    .option("--output <file>", "write the tagged records to this file (replacing it) instead of stdout")
    .addHelpText("after", "\nEach record is written back with `tags`: [{vendor, product, device_type, …, rule, state, …}]. See docs/rules.md.")
    .action(async (input: string, flags: { rules: string[]; output?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const tagger = compileRuleSet(await loadRulesOrReport(flags.rules));
        const source = openInput(input);
        const out = openOutput(flags.output);
        const name = input === "-" ? "stdin" : input;
        const progress = createProgress({ label: "tag" });
        const counts = { records: 0, tagged: 0, tags: 0, testing_tags: 0, malformed: 0 };
        let buffer = "";
        const flush = async () => {
          if (buffer === "") return;
          const chunk = buffer;
          buffer = "";
          if (!out.write(chunk)) await once(out, "drain");
        };
        const malformed = (line: number, reason: string) => {
          counts.malformed++;
          if (counts.malformed <= MAX_REPORTED) process.stderr.write(`iotscope tag: ${name}:${line}: ${reason}\n`);
          else if (counts.malformed === MAX_REPORTED + 1) process.stderr.write(`iotscope tag: more malformed lines; counting them silently\n`);
        };

        let lineNo = 0;
        const lines = createInterface({ input: source, crlfDelay: Infinity });
        try {
          for await (const line of lines) {
            lineNo++;
            if (line.trim() === "") continue;
            let record: unknown;
            try {
              record = JSON.parse(line);
            } catch (err) {
              malformed(lineNo, `not JSON: ${describeError(err)}`);
              continue;
            }
            let tags;
            try {
              tags = tagger.tag(record);
            } catch (err) {
              if (!(err instanceof TagInputError)) throw err;
              malformed(lineNo, err.message);
              continue;
            }
            counts.records++;
            if (tags.some((t) => t.state === "active")) counts.tagged++;
            for (const t of tags) counts[t.state === "active" ? "tags" : "testing_tags"]++;
            buffer += `${JSON.stringify({ ...(record as object), tags })}\n`;
            if (buffer.length >= WRITE_CHUNK) await flush();
            progress.tick();
            if (counts.records % 1000 === 0) progress.update({ tagged: counts.tagged, malformed: counts.malformed });
          }
          await flush();
        } finally {
          progress.update({ tagged: counts.tagged, malformed: counts.malformed });
          progress.finish();
          if (out !== process.stdout) await new Promise<void>((resolve, reject) => out.end(() => resolve()).once("error", reject));
        }
        const testingHits = tagger.hits().filter((h) => h.state === "testing" && h.hits > 0);
        const summary = { ...counts, lines: lineNo, rules: tagger.rules.length, testing_rule_hits: Object.fromEntries(testingHits.map((h) => [h.rule, h.hits])) };
        process.stderr.write(
          ctx.settings.json
            ? `${JSON.stringify({ summary })}\n`
            : `tagged ${counts.tagged} of ${counts.records} records (${counts.tags} tags, ${counts.testing_tags} from testing rules) with ${tagger.rules.length} rules${counts.malformed > 0 ? `; ${counts.malformed} malformed lines skipped` : ""}\n`,
        );
        if (counts.malformed > 0) throw new CheckFailed(`${counts.malformed} malformed input line${counts.malformed > 1 ? "s" : ""} skipped (reported above); the other records were tagged`);
      });
    });
}
