/**
 * `iotscope scan <module> <target…>` and `iotscope scan resume <campaign>`: flags to a campaign request,
 * results to stdout (--json) and --output, progress on stderr, Ctrl-C/SIGTERM to a graceful stop.
 */
import os from "node:os";
import type { Command } from "commander";
import { Option } from "commander";
import { UsageError } from "../../core/errors.js";
import { createProgress } from "../../core/log/index.js";
import type { CampaignReport, ModuleOptions, ScanModule } from "../../scan/index.js";
import { parsePorts, RecordWriter, renderSummary, resumeCampaign, runCampaign, scanDefaults } from "../../scan/index.js";
import { type CommandContext, withContext } from "../context.js";
import { collect, durationFlag, numberFlag } from "./parse.js";
import { gracefulStop } from "./signals.js";

interface CampaignFlags {
  port?: string;
  rate?: string;
  perNetRate?: string;
  concurrency?: string;
  seed?: string;
  shards?: string;
  shard?: string;
  maxTargets?: string;
  blocklist?: string[];
  optout?: string;
  allowLocalTargets?: boolean;
  output?: string;
  connectTimeout?: string;
  readTimeout?: string;
  maxRead?: string;
  operator?: string;
  purpose?: string;
  commitEvery?: string;
  commitInterval?: string;
  [moduleFlag: string]: unknown;
}

interface CommitFlags {
  commitEvery?: string;
  commitInterval?: string;
  workers?: string;
}

/** Flag names the engine uses; a module flag may not reuse one. */
const engineFlags = new Set([
  "port",
  "rate",
  "per-net-rate",
  "concurrency",
  "seed",
  "shards",
  "shard",
  "max-targets",
  "blocklist",
  "optout",
  "allow-local-targets",
  "output",
  "connect-timeout",
  "read-timeout",
  "max-read",
  "operator",
  "purpose",
  "commit-every",
  "commit-interval",
  "workers",
  "json",
  "db",
  "data-dir",
  "config",
  "log-level",
  "help",
]);

export function registerModuleCommand(scan: Command, module: ScanModule): void {
  const cmd = scan
    .command(module.name)
    .description(`${module.description} (${module.transport}/${module.defaultPort})`)
    .argument("<target...>", "address, CIDR, range a-b, or @file (one a line, # comments; IPv6 must be listed, not enumerated)")
    .option("-p, --port <ports>", `port(s) to scan, N[,M…] (default ${module.defaultPort})`)
    .option("--rate <pps>", `probes per second in total; a probe is a TCP connection attempt or a UDP datagram (default ${scanDefaults.rate})`)
    .option("--per-net-rate <pps>", `probes per second into one /24 (IPv4) or /64 (IPv6) (default ${scanDefaults.perNetRate})`)
    .option("--concurrency <n>", `targets probed at once (default ${scanDefaults.concurrency})`)
    .option("--seed <seed>", "seed of the random target order (default: random; recorded with the campaign)")
    .option("--shards <n>", "split the campaign into n shards (run each with the same --seed)")
    .option("--shard <i>", "which shard this run is, 0..n-1")
    .option("--max-targets <n>", "stop after this many targets (per shard)")
    .option("--blocklist <file>", "more networks never to probe, one address/CIDR/range a line (repeatable)", collect)
    .option("--optout <file>", "opt-out list; re-read on SIGHUP and whenever the file changes")
    .option("--allow-local-targets", "allow loopback, private, link-local and CGNAT targets (your own lab)")
    .option("--output <file>", "append result JSON lines to this file")
    .option("--connect-timeout <ms>", `TCP/TLS connect timeout (default ${scanDefaults.connectTimeoutMs} ms; 5s works too)`)
    .option("--read-timeout <ms>", `timeout of each read (default ${scanDefaults.readTimeoutMs} ms)`)
    .option("--max-read <bytes>", `most bytes read from one target (default ${scanDefaults.maxReadBytes})`)
    .option("--operator <name>", "who runs the scan, recorded (default: the OS user)")
    .option("--purpose <text>", `why, recorded with the campaign (default "${scanDefaults.purpose}")`);
  addCommitOptions(cmd);
  for (const flag of module.flags) {
    if (engineFlags.has(flag.name)) throw new Error(`scan module ${module.name}: flag --${flag.name} clashes with an engine flag`);
    const option = new Option(`--${flag.name}${flag.value ? ` ${flag.value.startsWith("<") ? flag.value : `<${flag.value}>`}` : ""}`, flag.description);
    if (flag.default !== undefined) option.default(flag.default);
    cmd.addOption(option);
  }
  cmd.action(async (targets: string[], flags: CampaignFlags, command: Command) => {
    await withContext(command, async (ctx) => {
      const shards = numberFlag("--shards", flags.shards, { integer: true, min: 1 });
      const shard = numberFlag("--shard", flags.shard, { integer: true, min: 0 });
      if (shard !== undefined && shards === undefined) throw new UsageError("--shard needs --shards");
      if (shards !== undefined && shards > 1 && (flags.seed === undefined || shard === undefined)) {
        throw new UsageError("--shards needs --seed and --shard: every shard walks the same permutation, each its own part");
      }
      const request = {
        module,
        targets,
        ...(flags.port !== undefined ? { ports: parsePorts(flags.port) } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(shards !== undefined ? { shards } : {}),
        ...(shard !== undefined ? { shard } : {}),
        ...opt("maxTargets", numberFlag("--max-targets", flags.maxTargets, { integer: true, min: 1 })),
        ...opt("rate", numberFlag("--rate", flags.rate)),
        ...opt("perNetRate", numberFlag("--per-net-rate", flags.perNetRate)),
        ...opt("concurrency", numberFlag("--concurrency", flags.concurrency, { integer: true, min: 1 })),
        ...opt("connectTimeoutMs", durationFlag("--connect-timeout", flags.connectTimeout)),
        ...opt("readTimeoutMs", durationFlag("--read-timeout", flags.readTimeout)),
        ...opt("maxReadBytes", numberFlag("--max-read", flags.maxRead, { integer: true, min: 1 })),
        blocklistFiles: flags.blocklist ?? [],
        ...opt("optoutFile", flags.optout),
        allowLocalTargets: flags.allowLocalTargets ?? false,
        moduleOptions: moduleOptions(module, flags),
        ...opt("operator", flags.operator),
        ...opt("purpose", flags.purpose),
      };
      await runWithOutput(ctx, flags, (io) => runCampaign(request, io));
    });
  });
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The module's own flags, typed after their defaults (a numeric default makes a numeric flag). */
function moduleOptions(module: ScanModule, flags: CampaignFlags): ModuleOptions {
  const out: ModuleOptions = {};
  for (const flag of module.flags) {
    const key = flag.name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    const value = flags[key];
    if (value === undefined) continue;
    if (typeof flag.default === "number" && typeof value === "string") {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${flag.name} must be a number, not ${JSON.stringify(value)}`);
      out[key] = n;
    } else if (typeof value === "string" || typeof value === "boolean" || typeof value === "number") {
      out[key] = value;
    }
  }
  return out;
}

/** How often results are committed and how many threads probe; runtime knobs, not part of the campaign's record. */
function addCommitOptions(cmd: Command): void {
  cmd
    .option("--commit-every <n>", "commit results (and the checkpoint) after this many targets (default 1000)")
    .option("--commit-interval <ms>", "… or after this long (default 2000 ms)")
    .option("--workers <n>", `probe worker threads; 1 probes in the main thread (default: the number of cores, ${os.availableParallelism()} here)`);
}

type Runner = (io: Parameters<typeof runCampaign>[1]) => Promise<CampaignReport>;

/** Runs or resumes a campaign with results to stdout (--json) and/or --output, progress and Ctrl-C handling. */
async function runWithOutput(ctx: CommandContext, flags: CommitFlags & { output?: string }, run: Runner): Promise<void> {
  const batchSize = numberFlag("--commit-every", flags.commitEvery, { integer: true, min: 1 });
  const batchIntervalMs = durationFlag("--commit-interval", flags.commitInterval);
  const workers = numberFlag("--workers", flags.workers, { integer: true, min: 1 }) ?? os.availableParallelism();
  const output = flags.output;
  const writer = new RecordWriter({ ...(ctx.settings.json ? { stdout: process.stdout } : {}), ...(output !== undefined ? { file: output } : {}) });
  const stop = gracefulStop(() => process.stderr.write("iotscope: stopping: finishing the probes in flight (press Ctrl-C again to quit at once)\n"));
  try {
    const storage = await ctx.storage();
    const report = await run({
      storage,
      logger: ctx.logger,
      progress: (total, label) => createProgress({ label, total }),
      onResults: (records) => writer.write(records),
      onStart: (c) => process.stderr.write(`iotscope: campaign ${c.id} (${c.module}, seed ${c.seed}${c.shards > 1 ? `, shard ${c.shard}/${c.shards}` : ""}) running; ${storage.dialect} ${storage.location}\n`),
      stop: stop.signal,
      ...opt("batchSize", batchSize),
      ...opt("batchIntervalMs", batchIntervalMs),
      workers,
    });
    // With --json, stdout carries records only; the summary is the last line on stderr.
    if (ctx.settings.json) process.stderr.write(`${JSON.stringify({ summary: report.summary })}\n`);
    else process.stdout.write(`${renderSummary(report.summary)}\n`);
    if (report.summary.state === "interrupted") {
      process.stderr.write(`iotscope: campaign interrupted; continue with: iotscope scan resume ${report.campaign.id}\n`);
    }
  } finally {
    stop.dispose();
    await writer.close();
  }
}

export function registerResume(scan: Command): void {
  const resume = scan
    .command("resume")
    .description("continue an interrupted campaign from its last checkpoint: no target probed twice, none skipped")
    .argument("<campaign>", "campaign id (or a unique prefix of it)")
    .option("--output <file>", "append result JSON lines to this file")
    .option("--force", "resume even if the campaign is marked running on another host");
  addCommitOptions(resume);
  resume.action(async (id: string, flags: CommitFlags & { output?: string; force?: boolean }, cmd: Command) => {
    await withContext(cmd, async (ctx) => {
      await runWithOutput(ctx, flags, (io) => resumeCampaign(id, { ...io, force: flags.force ?? false }));
    });
  });
}
