/**
 * `iotscope tag <results.jsonl|->`: reads scan records (or bare certificates) as JSON lines, writes
 * each back, in order, with a `tags` array. Streams: one line in memory at a time, plus a small write
 * buffer that honours backpressure. A line that is not JSON or not a record is reported on stderr
 * with its number and skipped; the exit code says so at the end (1). A reader that goes away (`| head`)
 * ends the run quietly. Storing tags in the database comes with the storage layer (not here yet).
 */
import { createReadStream, createWriteStream, openSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { describeError, UsageError } from "../../core/errors.js";
import { createProgress, type Progress } from "../../core/log/index.js";
import { compileRuleSet, pillar, TagInputError, type Tagger } from "../../tag/index.js";
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

/** Buffered JSON-lines output that waits for drain, and notices when the reader has gone (EPIPE). */
class LineOutput {
  private buffer = "";
  private failure: Error | undefined;
  gone = false;

  constructor(private readonly stream: NodeJS.WritableStream) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") this.gone = true;
      else this.failure = err;
    });
  }

  static open(file: string | undefined): LineOutput {
    if (file === undefined) return new LineOutput(process.stdout);
    try {
      return new LineOutput(createWriteStream("", { fd: openSync(file, "w") }));
    } catch (err) {
      throw new UsageError(`cannot open output file ${file}: ${describeError(err)}`);
    }
  }

  async write(line: string): Promise<void> {
    this.buffer += line;
    if (this.buffer.length >= WRITE_CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buffer === "" || this.gone) return;
    const chunk = this.buffer;
    this.buffer = "";
    if (this.stream.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("error", done);
        this.stream.off("close", done);
        resolve();
      };
      this.stream.on("drain", done).on("error", done).on("close", done);
    });
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.stream === process.stdout || this.gone) return;
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
    if (this.failure) throw this.failure;
  }
}

interface Counts {
  lines: number;
  records: number;
  tagged: number;
  tags: number;
  testing_tags: number;
  malformed: number;
}

/** The loop: each line parsed, tagged and written back, or reported. */
async function tagLines(tagger: Tagger, input: NodeJS.ReadableStream, name: string, out: LineOutput, progress: Progress): Promise<Counts> {
  const counts: Counts = { lines: 0, records: 0, tagged: 0, tags: 0, testing_tags: 0, malformed: 0 };
  const malformed = (reason: string) => {
    counts.malformed++;
    if (counts.malformed <= MAX_REPORTED) process.stderr.write(`iotscope tag: ${name}:${counts.lines}: ${reason}\n`);
    else if (counts.malformed === MAX_REPORTED + 1) process.stderr.write("iotscope tag: more malformed lines; counting them silently\n");
  };
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    counts.lines++;
    if (out.gone) break;
    if (line.trim() === "") continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      malformed(`not JSON: ${describeError(err)}`);
      continue;
    }
    let tags;
    try {
      tags = tagger.tag(record);
    } catch (err) {
      if (!(err instanceof TagInputError)) throw err;
      malformed(err.message);
      continue;
    }
    counts.records++;
    if (tags.some((t) => t.state === "active")) counts.tagged++;
    for (const t of tags) counts[t.state === "active" ? "tags" : "testing_tags"]++;
    await out.write(`${JSON.stringify({ ...(record as object), tags })}\n`);
    progress.tick();
    if (counts.records % 1000 === 0) progress.update({ tagged: counts.tagged, malformed: counts.malformed });
  }
  lines.close();
  progress.update({ tagged: counts.tagged, malformed: counts.malformed });
  return counts;
}

export function registerTag(program: Command): void {
  program
    .command(pillar.command)
    .description(`${pillar.title}: ${pillar.summary}`)
    .argument("<input>", 'scan results as JSON lines (`iotscope scan … --json`, ZGrab2), or certificates {"raw"?, "parsed"?} one per line; - for stdin')
    .option(...RULES_OPTION, collect, [])
    .option("--output <file>", "write the tagged records to this file (replacing it) instead of stdout")
    .addHelpText("after", "\nEach record is written back with `tags`: [{vendor, product, device_type, …, rule, state, …}]. See docs/rules.md.")
    .action(async (input: string, flags: { rules: string[]; output?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const tagger = compileRuleSet(await loadRulesOrReport(flags.rules));
        const source = openInput(input);
        const out = LineOutput.open(flags.output);
        const progress = createProgress({ label: "tag" });
        let counts: Counts;
        try {
          counts = await tagLines(tagger, source, input === "-" ? "stdin" : input, out, progress);
          await out.close();
        } finally {
          progress.finish();
        }
        // The reader left: stop reading (a writer piping into us then gets EPIPE too) and say no more.
        if (out.gone) {
          (source as NodeJS.ReadableStream & { destroy(): void }).destroy();
          return;
        }
        const testing = tagger.hits().filter((h) => h.state === "testing" && h.hits > 0);
        const summary = { ...counts, rules: tagger.rules.length, testing_rule_hits: Object.fromEntries(testing.map((h) => [h.rule, h.hits])) };
        process.stderr.write(
          ctx.settings.json
            ? `${JSON.stringify({ summary })}\n`
            : `tagged ${counts.tagged} of ${counts.records} records (${counts.tags} tags, ${counts.testing_tags} from testing rules) with ${tagger.rules.length} rules${counts.malformed > 0 ? `; ${counts.malformed} malformed lines skipped` : ""}\n`,
        );
        if (counts.malformed > 0) throw new CheckFailed(`${counts.malformed} malformed input line${counts.malformed > 1 ? "s" : ""} skipped (reported above); the other records were tagged`);
      });
    });
}
