/**
 * `iotscope tag <results.jsonl|-|campaign>`:
 * - a file or stdin of JSON lines (scan records or bare certificates): each written back, in order, with
 *   a `tags` array. Streams: one line in memory at a time, plus a small write buffer that honours
 *   backpressure. A line that is not JSON or not a record is reported on stderr with its number and
 *   skipped; the exit code says so at the end (1). A reader that goes away (`| head`) ends the run
 *   quietly. With `--store` (implied by `--campaign`/`--source`) the tags of records that carry ip and
 *   port are stored too, under the campaign given or under `file:<label>`.
 * - a stored campaign (its id or a unique prefix, or `--campaign ID` alone): its results are read from
 *   the database a page at a time, tagged, and the tags stored (JSON lines too with `--output`).
 * Storing is per batch, in one transaction each (src/tag/store/write.ts).
 */
import { createReadStream, createWriteStream, openSync, statSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { describeError, UsageError } from "../../core/errors.js";
import { createProgress, type Progress } from "../../core/log/index.js";
import type { Storage } from "../../core/storage/index.js";
import { getCampaign } from "../../scan/index.js";
import {
  campaignSource,
  compileRuleSet,
  fileSource,
  pillar,
  tagCampaign,
  TagInputError,
  TagStoreWriter,
  type Tag,
  type Tagger,
  type TagSource,
} from "../../tag/index.js";
import { withContext, type CommandContext } from "../context.js";
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
  /** Records tagged but not stored: without ip and port (bare certificates, partial records). */
  unstored: number;
}

/** Reports bad lines on stderr, the first MAX_REPORTED one by one, then only counts them. */
function reporter(name: string): (where: string | number, reason: string) => void {
  let reported = 0;
  return (where, reason) => {
    reported++;
    if (reported <= MAX_REPORTED) process.stderr.write(`iotscope tag: ${name}:${where}: ${reason}\n`);
    else if (reported === MAX_REPORTED + 1) process.stderr.write("iotscope tag: more malformed input; counting it silently\n");
  };
}

/** The target a tagged record stores its tags under, or why it cannot. */
function storeTarget(record: unknown, tags: Tag[]): { ip: string; port: number; module: string; tags: Tag[] } | string {
  const r = record as { ip?: unknown; port?: unknown; module?: unknown; data?: unknown };
  if (typeof r.ip !== "string" || typeof r.port !== "number") return "not stored: the record has no `ip` and numeric `port` (tags are stored per ip, port and campaign)";
  const module = typeof r.module === "string" ? r.module : typeof r.data === "object" && r.data !== null ? (Object.keys(r.data)[0] ?? "") : "";
  return { ip: r.ip, port: r.port, module, tags };
}

/** The loop: each line parsed, tagged and written back (and stored), or reported. */
async function tagLines(
  tagger: Tagger,
  input: NodeJS.ReadableStream,
  name: string,
  out: LineOutput,
  store: TagStoreWriter | undefined,
  progress: Progress,
): Promise<Counts> {
  const counts: Counts = { lines: 0, records: 0, tagged: 0, tags: 0, testing_tags: 0, malformed: 0, unstored: 0 };
  const report = reporter(name);
  const malformed = (reason: string) => {
    counts.malformed++;
    report(counts.lines, reason);
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
    if (store) {
      const target = storeTarget(record, tags);
      if (typeof target === "string") {
        counts.unstored++;
        report(counts.lines, target);
      } else await store.add(target);
    }
    progress.tick();
    if (counts.records % 1000 === 0) progress.update({ tagged: counts.tagged, malformed: counts.malformed });
  }
  lines.close();
  // Whatever was read is stored, also when the reader of the output left early.
  await store?.flush();
  progress.update({ tagged: counts.tagged, malformed: counts.malformed });
  return counts;
}

interface TagFlags {
  rules: string[];
  output?: string;
  campaign?: string;
  source?: string;
  store?: boolean;
  batch: string;
}

function batchSize(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError(`--batch ${text}: give a whole number of records per transaction, 1 to 100000`);
  return n;
}

function testingHits(tagger: Tagger): Record<string, number> {
  return Object.fromEntries(tagger.hits().filter((h) => h.state === "testing" && h.hits > 0).map((h) => [h.rule, h.hits]));
}

/**
 * Whether `input` names a file (or stdin) rather than a stored campaign: an existing path is a file, and
 * so is anything that cannot be a campaign id or prefix (ids are UUIDs: hex digits and dashes), so that a
 * missing file is reported as one.
 */
function isFileInput(input: string): boolean {
  if (input === "-" || !/^[0-9a-f][0-9a-f-]{3,}$/i.test(input)) return true;
  try {
    statSync(input);
    return true;
  } catch {
    return false;
  }
}

/** Where a JSON-lines input's tags are stored, if at all: `--campaign` (a stored one), `--source`, or the file's name. */
async function fileStoreSource(ctx: CommandContext, input: string, flags: TagFlags): Promise<TagSource | undefined> {
  if (!flags.store && flags.campaign === undefined && flags.source === undefined) return undefined;
  if (flags.campaign !== undefined && flags.source !== undefined) throw new UsageError("give --campaign (a stored campaign) or --source (a label for results of no stored campaign), not both");
  if (flags.campaign !== undefined) return campaignSource((await getCampaign((await ctx.storage()).db, flags.campaign)).id);
  if (flags.source !== undefined) {
    if (flags.source.trim() === "") throw new UsageError("--source needs a non-empty label");
    return fileSource(flags.source);
  }
  if (input === "-") throw new UsageError("--store on stdin needs --campaign ID (a stored campaign) or --source LABEL to store the tags under");
  return fileSource(path.basename(input));
}

async function tagFile(ctx: CommandContext, tagger: Tagger, input: string, flags: TagFlags): Promise<void> {
  const from = await fileStoreSource(ctx, input, flags);
  const source = openInput(input);
  const store: TagStoreWriter | undefined = from ? new TagStoreWriter(await ctx.storage(), from, batchSize(flags.batch)) : undefined;
  const out = LineOutput.open(flags.output === "-" ? undefined : flags.output);
  const progress = createProgress({ label: "tag" });
  let counts: Counts;
  try {
    counts = await tagLines(tagger, source, input === "-" ? "stdin" : input, out, store, progress);
    await out.close();
  } finally {
    progress.finish();
  }
  // The reader left: stop reading (a writer piping into us then gets EPIPE too) and say no more.
  if (out.gone) {
    (source as NodeJS.ReadableStream & { destroy(): void }).destroy();
    return;
  }
  const stored = store && from ? { source: from.source, campaign: from.campaignId, ...store.counts } : undefined;
  const summary = { ...counts, rules: tagger.rules.length, testing_rule_hits: testingHits(tagger), ...(stored ? { stored } : {}) };
  process.stderr.write(
    ctx.settings.json
      ? `${JSON.stringify({ summary })}\n`
      : `tagged ${counts.tagged} of ${counts.records} records (${counts.tags} tags, ${counts.testing_tags} from testing rules) with ${tagger.rules.length} rules${counts.malformed > 0 ? `; ${counts.malformed} malformed lines skipped` : ""}${stored ? `; stored ${stored.rows} tags of ${stored.targets} targets under ${stored.source}${counts.unstored > 0 ? ` (${counts.unstored} records without ip and port not stored)` : ""}` : ""}\n`,
  );
  if (counts.malformed > 0) throw new CheckFailed(`${counts.malformed} malformed input line${counts.malformed > 1 ? "s" : ""} skipped (reported above); the other records were tagged`);
  if (counts.unstored > 0) throw new CheckFailed(`${counts.unstored} record${counts.unstored > 1 ? "s" : ""} without ip and port not stored (reported above); the others were`);
}

async function tagStoredCampaign(ctx: CommandContext, tagger: Tagger, campaign: string, flags: TagFlags, storage: Storage): Promise<void> {
  if (flags.source !== undefined) throw new UsageError("a stored campaign's tags are stored under the campaign: --source does not apply");
  // Records go to --output only (`-`: stdout); stdout otherwise carries the summary.
  const out = flags.output !== undefined ? LineOutput.open(flags.output === "-" ? undefined : flags.output) : undefined;
  const progress = createProgress({ label: "tag" });
  const report = reporter(`campaign ${campaign}`);
  let result;
  try {
    result = await tagCampaign(storage, tagger, campaign, {
      batchSize: batchSize(flags.batch),
      progress,
      onMalformed: (seq, reason) => report(`result ${seq}`, reason),
      onRecord: out ? (record, tags) => out.write(`${JSON.stringify({ ...record, tags })}\n`) : undefined,
    });
    await out?.close();
  } finally {
    progress.finish();
  }
  const summary = {
    campaign: result.campaign,
    module: result.module,
    results: result.results,
    tagged: result.tagged,
    tags: result.tags,
    testing_tags: result.testingTags,
    malformed: result.malformed,
    stored: result.stored,
    rules: tagger.rules.length,
    testing_rule_hits: testingHits(tagger),
  };
  const text = () =>
    `campaign ${result.campaign} (${result.module}): tagged ${result.tagged} of ${result.results} results (${result.tags} tags, ${result.testingTags} from testing rules) with ${tagger.rules.length} rules; stored ${result.stored.rows} tags of ${result.stored.targets} targets in ${result.stored.batches} batches${result.malformed > 0 ? `; ${result.malformed} unreadable results skipped` : ""}`;
  if (out && flags.output === "-") process.stderr.write(ctx.settings.json ? `${JSON.stringify({ summary })}\n` : `${text()}\n`);
  else ctx.print(summary, text);
  if (result.malformed > 0) throw new CheckFailed(`${result.malformed} stored result${result.malformed > 1 ? "s" : ""} could not be tagged (reported above); the others were`);
}

export function registerTag(program: Command): void {
  program
    .command(pillar.command)
    .description(`${pillar.title}: ${pillar.summary}`)
    .argument(
      "[input]",
      'scan results as JSON lines (`iotscope scan … --json`, ZGrab2) or certificates {"raw"?, "parsed"?} one per line, - for stdin; or a stored campaign id (or unique prefix)',
    )
    .option(...RULES_OPTION, collect, [])
    .option("--output <file>", "write the tagged records to this file (replacing it) instead of stdout; for a campaign, JSON lines are written only with --output (- for stdout)")
    .option("--campaign <id>", "alone: tag this stored campaign; with a JSON-lines input: store its tags under this stored campaign (implies --store)")
    .option("--store", "also store the tags of a JSON-lines input in the database, per ip, port and source (records need ip and port)")
    .option("--source <label>", "with --store: store a JSON-lines input's tags under file:<label> (default: the file's name)")
    .option("--batch <n>", "records per transaction when storing", "1000")
    .addHelpText(
      "after",
      "\nEach record is written back with `tags`: [{vendor, product, device_type, …, rule, state, …}]. Stored tags replace, per target, what the same campaign or source had: re-tagging is idempotent. See docs/rules.md.",
    )
    .action(async (input: string | undefined, flags: TagFlags, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        if (input === undefined && flags.campaign === undefined) throw new UsageError("give a JSON-lines file, - for stdin, or a stored campaign (an id, or --campaign ID)");
        const fileInput = input !== undefined && isFileInput(input);
        let campaign: string | undefined;
        if (!fileInput) {
          if (input !== undefined && flags.campaign !== undefined) throw new UsageError(`${input} is not a file; to tag a stored campaign give its id once (argument or --campaign)`);
          campaign = input ?? flags.campaign!;
          const storage = await ctx.storage();
          // An argument that is neither a file nor a stored campaign: say both.
          if (input !== undefined) {
            await getCampaign(storage.db, input).catch((err: unknown) => {
              throw err instanceof UsageError ? new UsageError(`${input} is neither a readable file nor a stored scan campaign (see iotscope scan campaigns)`) : err;
            });
          }
          const tagger = compileRuleSet(await loadRulesOrReport(flags.rules));
          await tagStoredCampaign(ctx, tagger, campaign, flags, storage);
          return;
        }
        const tagger = compileRuleSet(await loadRulesOrReport(flags.rules));
        await tagFile(ctx, tagger, input!, flags);
      });
    });
}
