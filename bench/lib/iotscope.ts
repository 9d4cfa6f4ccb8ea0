/**
 * Runs iotscope's own CLI inside the scanner namespace, exactly as a user would:
 *
 *   ip netns exec <A> /usr/bin/time … bash -c 'ulimit -n …; exec node <main.js> --json --data-dir <tmp> \
 *     scan <module> 10.202.0.0/16 --allow-local-targets --rate … --per-net-rate … --concurrency … --output <file>'
 *
 * and reads back: the campaign summary (last stderr line with --json), the output file (records counted
 * by status, success counted once per address), peak RSS and CPU of the scanner process (GNU time), the
 * peers' CPU over the run, and the machine's CPU use over the run.
 *
 * The scanner is the compiled JS: a private `tsc` build of the current src/ into the run's temp dir (so
 * that it does not fight over dist/ with whoever is working in the tree), or `node --import tsx` on the
 * sources with --tsx.
 */
import { createReadStream, existsSync, readdirSync } from "node:fs";
import { copyFile, mkdir, readFile, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { cpuSeconds, machineCpu, run, shQuiet } from "./proc.js";
import { repoRoot } from "./peers.js";
import type { Testbed } from "./testbed.js";

export interface Scanner {
  /** node flags + script: what follows the node binary. */
  entry: string[];
  describe: string;
}

export async function prepareScanner(dir: string, useTsx: boolean, log: (s: string) => void): Promise<Scanner> {
  if (useTsx) {
    return { entry: ["--import", "tsx", path.join(repoRoot, "src/cli/main.ts")], describe: "sources through tsx (node --import tsx src/cli/main.ts)" };
  }
  const build = path.join(dir, "build");
  await mkdir(build, { recursive: true });
  await copyFile(path.join(repoRoot, "package.json"), path.join(build, "package.json"));
  await symlink(path.join(repoRoot, "node_modules"), path.join(build, "node_modules"));
  log("building iotscope (tsc -p tsconfig.build.json into the run's temp dir)…");
  const tsc = path.join(repoRoot, "node_modules/typescript/bin/tsc");
  const r = await run(process.execPath, [tsc, "-p", path.join(repoRoot, "tsconfig.build.json"), "--outDir", path.join(build, "dist")], { cwd: repoRoot });
  const main = path.join(build, "dist/cli/main.js");
  if (!existsSync(main)) throw new Error(`tsc build failed:\n${r.stdout}${r.stderr}`);
  // tsc emits even with type errors; a tree in the middle of an edit still gets measured, with a warning.
  if (r.code !== 0) log(`warning: tsc reported errors (measuring what it emitted):\n${r.stdout.trim().split("\n").slice(0, 10).join("\n")}`);
  return { entry: [main], describe: `compiled JS (tsc build of src/ at ${new Date().toISOString().slice(0, 16)}Z, node ${process.version})` };
}

export interface ScanRunOptions {
  module: string;
  target: string;
  concurrency: number;
  /** --workers for the scanner (undefined: its default, one per core). */
  workers?: number;
  rate: number;
  dir: string;
  /** Extra CLI flags (module flags). */
  extra?: string[];
  /** Write a V8 CPU profile of the scanner into this directory. */
  cpuProfDir?: string;
  /** Number of addresses in the target (for the success-once-per-address count). */
  size: number;
  /** Run number (--repeat): keeps each run's files apart. */
  run: number;
  /** Keep the output file and the database after counting (default: removed, a TLS /16 is ~1 GB). */
  keepFiles?: boolean;
}

export interface ScanRun {
  module: string;
  target: string;
  concurrency: number;
  exitCode: number | null;
  /** Campaign summary from the CLI (null if it printed none). */
  summary: Summary | null;
  /** Engine's campaign duration (first probe to last commit), seconds. */
  scanSeconds: number | null;
  /** Process wall time, start-up and exit included (GNU time), seconds. */
  wallSeconds: number;
  targetsPerSecond: number | null;
  records: number;
  statuses: Record<string, number>;
  /** Distinct addresses with status success. */
  successAddresses: number;
  peakRssMiB: number | null;
  scannerCpuSeconds: number | null;
  peersCpuSeconds: number;
  /** Share of the machine's CPU (all cores) busy during the run, 0..1. */
  machineBusy: number;
  stderrTail: string;
  outputFile: string;
  profile?: string;
}

interface Summary {
  targets: number;
  targetsDone: number;
  probes: number;
  results: number;
  statuses: Record<string, number>;
  durationMs: number;
  targetsPerSecond: number;
  state: string;
}

export async function runScan(tb: Testbed, scanner: Scanner, o: ScanRunOptions): Promise<ScanRun> {
  const tag = `${o.module}${o.extra?.length ? "-x" : ""}-${o.size}-${o.run}`;
  const out = path.join(o.dir, `iotscope-${tag}.jsonl`);
  const timeFile = path.join(o.dir, `iotscope-${tag}.time`);
  const dataDir = path.join(o.dir, `data-${tag}`);
  const nodeFlags = o.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${o.cpuProfDir}`] : [];
  const cli = [
    process.execPath, ...nodeFlags, ...scanner.entry,
    "--json", "--data-dir", dataDir,
    "scan", o.module, o.target, "--allow-local-targets",
    "--rate", String(o.rate), "--per-net-rate", String(o.rate),
    "--concurrency", String(o.concurrency),
    ...(o.workers !== undefined ? ["--workers", String(o.workers)] : []),
    "--seed", "1", "--purpose", "npm run bench -- scan", "--output", out,
    ...(o.extra ?? []),
  ];
  const [cmd, args] = tb.exec(tb.a, "/usr/bin/time", [
    "-o", timeFile, "-f", "%e %M %U %S",
    // The scanner needs a file descriptor per connection in flight; the hard limit is what we may get.
    "bash", "-c", 'ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"', "iotscope", ...cli,
  ]);
  const peerPids = shQuiet("ip", ["netns", "pids", tb.b]).split(/\s+/).filter(Boolean).map(Number);
  const peerCpu = () => peerPids.reduce((s, pid) => s + (cpuSeconds(pid) ?? 0), 0);
  const before = machineCpu();
  const peersBefore = peerCpu();
  const profBefore = new Set(o.cpuProfDir && existsSync(o.cpuProfDir) ? readdirSync(o.cpuProfDir) : []);
  // stdout carries the records again (--json; 0.5 GB for a TLS /16): to /dev/null, they are read from --output.
  const r = await run(cmd, args, { cwd: repoRoot, ignoreStdout: true });
  const peersCpuSeconds = peerCpu() - peersBefore;
  const after = machineCpu();

  let summary: Summary | null = null;
  for (const line of r.stderr.split("\n").reverse()) {
    if (!line.startsWith('{"summary"')) continue;
    summary = (JSON.parse(line) as { summary: Summary }).summary;
    break;
  }
  const time = (await readFile(timeFile, "utf8").catch(() => "")).trim().split("\n").pop()!.split(" ").map(Number);
  const [wall, rssKb, user, sys] = time.length === 4 && time.every(Number.isFinite) ? time : [r.seconds, NaN, NaN, NaN];
  const counted = existsSync(out) ? await countRecords(out, o.size) : { records: 0, statuses: {}, successAddresses: 0 };
  if (!o.keepFiles) {
    await rm(out, { force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
  let profile: string | undefined;
  if (o.cpuProfDir) profile = readdirSync(o.cpuProfDir).find((f) => f.endsWith(".cpuprofile") && !profBefore.has(f));
  const scanSeconds = summary ? summary.durationMs / 1000 : null;
  return {
    module: o.module,
    target: o.target,
    concurrency: o.concurrency,
    exitCode: r.code,
    summary,
    scanSeconds,
    wallSeconds: wall!,
    targetsPerSecond: summary && scanSeconds ? summary.targetsDone / scanSeconds : null,
    ...counted,
    peakRssMiB: Number.isFinite(rssKb) ? rssKb! / 1024 : null,
    scannerCpuSeconds: Number.isFinite(user) ? user! + sys! : null,
    peersCpuSeconds,
    machineBusy: (after.busy - before.busy) / Math.max(1e-9, after.total - before.total),
    stderrTail: r.stderr.slice(-3000),
    outputFile: out,
    ...(profile ? { profile: path.join(o.cpuProfDir!, profile) } : {}),
  };
}

/** Counts records by status, and the distinct addresses (of 10.202.0.0/16) that succeeded. */
async function countRecords(file: string, size: number): Promise<{ records: number; statuses: Record<string, number>; successAddresses: number }> {
  const seen = new Uint8Array(Math.max(size, 65_536));
  const statuses: Record<string, number> = {};
  let records = 0;
  let successAddresses = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === "") continue;
    const rec = JSON.parse(line) as { ip: string; status: string };
    records++;
    statuses[rec.status] = (statuses[rec.status] ?? 0) + 1;
    if (rec.status !== "success") continue;
    const o = rec.ip.split(".");
    const i = (Number(o[2]) << 8) | Number(o[3]);
    if (!seen[i]) {
      seen[i] = 1;
      successAddresses++;
    }
  }
  return { records, statuses, successAddresses };
}
