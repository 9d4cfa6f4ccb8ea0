/**
 * `iotscope vulns …`: the vulnerability & exploit database (src/vulndb). Thin: parse flags, call the
 * pillar, print. docs/vulndb.md documents every command.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { createProgress } from "../../core/log/index.js";
import { version } from "../../core/version.js";
import {
  defaultClassifier,
  entryCounts,
  exportEntries,
  exportFormats,
  getEntry,
  HttpClient,
  MAX_LIMIT,
  mergeRecords,
  pillar,
  resolveAlias,
  searchEntries,
  sourceNames,
  sourceRecordsOf,
  sources,
  sourceStates,
  syncSource,
  type ExportFormat,
  type IngestError,
  type SearchFilters,
  type VulnEntry,
} from "../../vulndb/index.js";
import { withContext } from "../context.js";
import { CheckFailed, collect } from "./rules.js";

/** Parse errors reported one by one on stderr; past this only counted (a wrong file would flood stderr). */
const MAX_REPORTED = 100;

function parseOptions(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`--option ${JSON.stringify(p)}: expected key=value`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

function sourceOrUsage(name: string | undefined) {
  if (name === undefined) throw new UsageError(`vulns sync: --source is required (one of ${sourceNames().join(", ")})`);
  const s = sources.get(name);
  if (!s) throw new UsageError(`vulns sync: unknown source ${JSON.stringify(name)} (known: ${sourceNames().join(", ")})`);
  return s;
}

function positiveInt(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not an integer between 1 and ${max}`);
  return n;
}

/** The search flags are the pillar's filters, with the numeric and enumerated ones still as text. */
type SearchFlags = Omit<SearchFilters, "kind" | "minCvss" | "limit"> & { kind?: string; minCvss?: string; limit?: string };

function filtersFrom(f: SearchFlags): SearchFilters {
  if (f.kind !== undefined && !["vulnerability", "exploit", "article"].includes(f.kind)) throw new UsageError(`--kind: ${JSON.stringify(f.kind)} is not vulnerability, exploit or article`);
  const minCvss = f.minCvss === undefined ? undefined : Number(f.minCvss);
  if (minCvss !== undefined && !(minCvss >= 0 && minCvss <= 10)) throw new UsageError(`--min-cvss: ${JSON.stringify(f.minCvss)} is not a number from 0 to 10`);
  const { vendor, product, cpe, deviceType, kev, hasExploit, iot, since, publishedSince, cursor } = f;
  const filters: SearchFilters = {
    vendor, product, cpe, deviceType, kev, hasExploit, iot, since, publishedSince, cursor, minCvss,
    kind: f.kind as SearchFilters["kind"],
    limit: f.limit === undefined ? undefined : positiveInt(f.limit, "--limit", MAX_LIMIT),
  };
  // Flags not given stay absent, as the pillar expects (and as JSON output shows them).
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) as SearchFilters;
}

/** The filter flags shared by search and export. */
function withFilterFlags(cmd: Command): Command {
  return cmd
    .option("--vendor <name>", "vendor (any case; `_` and spaces alike)")
    .option("--product <name>", "product; also matches longer names that start with it (archer ax21 → archer ax21 firmware)")
    .option("--cpe <cpe>", "CPE 2.3 or 2.2; its part/vendor/product are matched")
    .option("--device-type <type>", "device type from the IoT classifier (router, ip_camera, …)")
    .option("--kev", "only in CISA KEV")
    .option("--has-exploit", "only with a linked exploit")
    .option("--iot", "only IoT-relevant (classifier verdict)")
    .option("--kind <kind>", "vulnerability, exploit or article")
    .option("--since <date>", "changed in iotscope at or after this date (incremental consumers)")
    .option("--published-since <date>", "published at or after this date")
    .option("--min-cvss <score>", "highest CVSS base score at least");
}

function mainAlias(e: VulnEntry): string {
  return e.aliases.find((a) => a.startsWith("CVE-")) ?? e.aliases[0] ?? e.id;
}

function oneLine(e: VulnEntry): string {
  const flags = [e.flags.kev ? "KEV" : "", e.flags.hasExploit ? "exploit" : "", e.iot?.iot ? `IoT:${e.iot.deviceTypes.join("/") || "yes"}` : ""].filter(Boolean).join(" ");
  const cvss = e.maxCvss === null ? "   -" : e.maxCvss.toFixed(1).padStart(4);
  const title = e.title?.value ?? e.description?.value.text ?? "";
  return `${e.id}  ${mainAlias(e).padEnd(18)} ${cvss}  ${flags.padEnd(22)} ${title.replace(/\s+/g, " ").slice(0, 90)}`;
}

function showText(e: VulnEntry): string {
  const lines = [`${e.id}  (${e.kind})`, `  aliases: ${e.aliases.join(", ")}`];
  if (e.previousIds.length > 0) lines.push(`  merged ids: ${e.previousIds.join(", ")}`);
  if (e.title) lines.push(`  title: ${e.title.value}  [${e.title.sources.join(", ")}]`);
  if (e.description) lines.push(`  description [${e.description.sources.join(", ")}]: ${e.description.value.text}`);
  if (e.cvss) {
    lines.push(`  CVSS ${e.cvss.value.version} ${e.cvss.value.baseScore} ${e.cvss.value.vector}  [${e.cvss.sources.join(", ")}]`);
    for (const a of e.cvss.alternatives ?? []) lines.push(`    also CVSS ${a.value.version} ${a.value.baseScore} ${a.value.vector}  [${a.sources.join(", ")}]`);
  }
  if (e.published) lines.push(`  published: ${e.published.value}`);
  if (e.kev) lines.push(`  CISA KEV: added ${e.kev.value.dateAdded}${e.kev.value.dueDate ? `, due ${e.kev.value.dueDate}` : ""}`);
  if (e.epss) lines.push(`  EPSS: ${e.epss.value.score}`);
  if (e.exploitedSince) lines.push(`  exploited since: ${e.exploitedSince.value}`);
  if (e.exploitedBy && e.exploitedBy.length > 0) lines.push(`  exploits: ${e.exploitedBy.map((x) => `${x.id} (${x.aliases.join(", ")})`).join("; ")}`);
  if (e.targets) lines.push(`  exploits: ${e.targets.map((t) => `${t.alias}${t.id ? ` → ${t.id}` : ""}`).join(", ")}`);
  if (e.iot) lines.push(`  IoT: ${e.iot.iot ? "yes" : "no"} (score ${e.iot.score}${e.iot.deviceTypes.length ? `, ${e.iot.deviceTypes.join(", ")}` : ""})`);
  const cpes = e.cpes.map((c) => c.value.criteria);
  if (cpes.length > 0) lines.push(`  CPEs: ${cpes.slice(0, 8).join(", ")}${cpes.length > 8 ? ` … (${cpes.length})` : ""}`);
  if (e.cwes.length > 0) lines.push(`  CWEs: ${e.cwes.map((c) => c.value).join(", ")}`);
  lines.push(`  references: ${e.references.length}`);
  lines.push(`  sources: ${e.records.map((r) => `${r.source}:${r.sourceId}`).join(", ")}`);
  lines.push(`  updated: ${e.updatedAt}`);
  return lines.join("\n");
}

async function write(out: WriteStream | NodeJS.WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}

export function registerVulns(program: Command): void {
  const vulns = program.command(pillar.command).description(`${pillar.title}: ${pillar.summary}`);

  vulns
    .command("sources")
    .description("list the sources with their state (last sync, records, errors)")
    .action(async (_o: unknown, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const storage = await ctx.storage();
        const states = await sourceStates(storage.db);
        const counts = await entryCounts(storage.db);
        const list = [...sources.values()].map((s) => ({ ...s.meta, state: states.get(s.meta.name) ?? null }));
        ctx.print({ sources: list, entries: counts }, () =>
          [
            ...list.map(
              (s) =>
                `${s.name.padEnd(10)} ${s.kind.padEnd(17)} ${s.state?.lastSuccessAt ? `synced ${s.state.lastSuccessAt}` : "never synced".padEnd(31)}  ${String(s.state?.records ?? 0).padStart(7)} records  ${s.state?.errors ?? 0} errors  ${s.title}`,
            ),
            `${counts.entries} entries (${Object.entries(counts.byKind)
              .map(([k, n]) => `${n} ${k}`)
              .join(", ") || "none yet"})`,
          ].join("\n"),
        );
      });
    });

  vulns
    .command("sync")
    .description("fetch a source's new records (or read them from a file) and merge them into the database")
    .option("--source <name>", `source: ${sourceNames().join(", ")}`)
    .option("--from-file <path>", "read what the source publishes (an API page, a bare record, a dump; a file or a directory) instead of fetching")
    .option("--option <key=value>", "source option, repeatable (apiKey=…, baseUrl=…, provider=…)", collect, [])
    .option("--full", "ignore the stored cursor and fetch everything")
    .option("--reparse", "parse records again even when their bytes are already stored (after a parser change)")
    .option("--batch-size <n>", "records per transaction", "1000")
    .action(async (flags: { source?: string; fromFile?: string; option: string[]; full?: boolean; reparse?: boolean; batchSize: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const source = sourceOrUsage(flags.source);
        const options = parseOptions(flags.option);
        const batchSize = positiveInt(flags.batchSize, "--batch-size", 100_000);
        const storage = await ctx.storage();
        const progress = createProgress({ label: `vulns sync ${source.meta.name}` });
        const abort = new AbortController();
        const onSignal = () => abort.abort(new UsageError("interrupted; the batches committed so far are kept and the cursor says where to resume"));
        process.once("SIGINT", onSignal);
        let reported = 0;
        const onError = (e: IngestError) => {
          reported++;
          if (reported <= MAX_REPORTED) process.stderr.write(`iotscope vulns sync: ${e.message}\n`);
          else if (reported === MAX_REPORTED + 1) process.stderr.write("iotscope vulns sync: more records failed; counting them silently\n");
        };
        let report;
        try {
          report = await syncSource(storage, source, {
            ...(flags.fromFile !== undefined && { fromFile: flags.fromFile }),
            full: flags.full ?? false,
            reparse: flags.reparse ?? false,
            batchSize,
            signal: abort.signal,
            options,
            http: new HttpClient({ userAgent: `iotscope/${version} (+https://github.com/iotscope)` }),
            log: ctx.logger,
            onError,
            progress: (p) => {
              progress.set(p.read);
              progress.update({ changed: p.changed, errors: p.errors, created: p.entriesCreated, updated: p.entriesUpdated });
            },
          });
        } finally {
          process.off("SIGINT", onSignal);
          progress.finish();
        }
        const { errorSamples: _samples, ...summary } = report;
        ctx.print(summary, () =>
          `${report.source}: read ${report.read} records (${report.unchangedRaw} unchanged), ${report.changed} changed; entries ${report.entriesCreated} created, ${report.entriesUpdated} updated, ${report.entriesMerged} merged; ${report.errors} errors in ${(report.durationMs / 1000).toFixed(1)} s`,
        );
        if (report.errors > 0) throw new CheckFailed(`${report.errors} record${report.errors > 1 ? "s" : ""} could not be parsed (reported above); the others were stored`);
      });
    });

  vulns
    .command("show")
    .description("one entry by any of its ids (CVE, GHSA, EUVD, JVNDB, EDB, IOTS-…)")
    .argument("<id>", "any alias")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const storage = await ctx.storage();
        const e = await getEntry(storage.db, id);
        if (!e) throw new UsageError(`vulns show: no entry for ${JSON.stringify(id)} (sync a source first: iotscope vulns sync --source …)`);
        ctx.print(e, () => showText(e));
      });
    });

  withFilterFlags(
    vulns
      .command("search")
      .description("entries matching all the given filters, in (updated, id) order")
      .option("--limit <n>", `entries per page (max ${MAX_LIMIT})`, "50")
      .option("--cursor <next>", "the `next` value of the previous page"),
  ).action(async (flags: SearchFlags, cmd: Command) => {
    await withContext(cmd, async (ctx) => {
      const storage = await ctx.storage();
      const page = await searchEntries(storage.db, filtersFrom(flags));
      ctx.print(page, () => [...page.entries.map(oneLine), ...(page.next ? [`(more: --cursor ${page.next})`] : []), `${page.entries.length} entries`].join("\n"));
    });
  });

  vulns
    .command("classify")
    .description("explain the IoT classifier's verdict on an entry (recomputed from its source records)")
    .requiredOption("--explain <id>", "any alias of the entry")
    .action(async (flags: { explain: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const storage = await ctx.storage();
        const id = await resolveAlias(storage.db, flags.explain);
        if (id === undefined) throw new UsageError(`vulns classify: no entry for ${JSON.stringify(flags.explain)}`);
        const records = await sourceRecordsOf(storage.db, id);
        const v = defaultClassifier(mergeRecords(records), records);
        const out = { id, iot: v.iot, score: v.score, reasons: v.reasons, deviceTypes: v.deviceTypes };
        ctx.print(out, () => [`${id}: ${v.iot ? "IoT" : "not IoT"} (score ${v.score})${v.deviceTypes.length ? ` — ${v.deviceTypes.join(", ")}` : ""}`, ...v.reasons.map((r) => `  - ${r}`)].join("\n"));
      });
    });

  withFilterFlags(
    vulns
      .command("export")
      .description("every entry (or those matching the filters) as JSON lines: iotscope entries or OSV records")
      .requiredOption("--format <format>", `${exportFormats.join(" or ")}`)
      .option("--output <file>", "write to this file (replacing it) instead of stdout"),
  ).action(async (flags: SearchFlags & { format: string; output?: string }, cmd: Command) => {
    await withContext(cmd, async (ctx) => {
      if (!exportFormats.includes(flags.format as ExportFormat)) throw new UsageError(`--format: ${JSON.stringify(flags.format)} is not ${exportFormats.join(" or ")}`);
      const { limit: _l, cursor: _c, ...filters } = filtersFrom({ ...flags, limit: undefined, cursor: undefined });
      const storage = await ctx.storage();
      const out = flags.output === undefined ? process.stdout : createWriteStream(flags.output);
      if (out !== process.stdout) await once(out, "open").catch((err: Error) => {
        throw new UsageError(`--output: cannot write ${flags.output}: ${err.message}`);
      });
      let n = 0;
      try {
        for await (const line of exportEntries(storage.db, flags.format as ExportFormat, filters)) {
          await write(out, `${line}\n`);
          n++;
        }
      } catch (err) {
        // The reader went away (`| head`): stop quietly, as `iotscope tag` does.
        if ((err as NodeJS.ErrnoException).code === "EPIPE") return;
        throw err;
      }
      if (out !== process.stdout) await new Promise<void>((resolve, reject) => (out as WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
      process.stderr.write(ctx.settings.json ? `${JSON.stringify({ exported: n, format: flags.format })}\n` : `exported ${n} entries as ${flags.format}\n`);
    });
  });
}
