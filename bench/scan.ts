/**
 * Scanner benchmark on a /16 testbed inside network namespaces (recipe: /work/shared/PEERS.md, "A /16 of
 * targets on one machine"). Needs root. From one run it prints:
 *
 * - iotscope's MQTT, CoAP and TLS scans of the whole 10.202.0.0/16 through its CLI (targets/s, completed
 *   handshakes, peak RSS, CPU, wall time);
 * - a bare Node loop doing the same MQTT exchange without the engine (what any Node scanner can reach);
 * - zmap's SYN scan of the same /16 on 1883 (the transport-layer ceiling);
 * - nmap's mqtt-subscribe and coap-resources on a 64-host sample (and coap-resources on a /20), and
 *   iotscope's per-host speed-up over them;
 * - PASS/FAIL against the goal of issue 3.
 *
 *   npm run bench -- scan [--quick] [--json] [--only mqtt,coap,tls,floor,zmap,nmap] [--repeat N]
 *                         [--concurrency N] [--workers N] [--quiet-wait S] [--tsx] [--cpu-prof] [--keep]
 *                         [--tls-workers N]
 *
 * Nothing leaves the two namespaces; they and every peer are removed at the end, on error and on Ctrl-C.
 * docs/benchmarks.md explains the set-up and the figures.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type NmapRun, runNmap, runZmap, type ZmapRun } from "./lib/anchors.js";
import { summariseProfile, type ProfileSummary } from "./lib/cpuprofile.js";
import { type FloorRun, runFloor } from "./lib/floor.js";
import { prepareScanner, runScan, type ScanRun } from "./lib/iotscope.js";
import { checkPeers, type Peers, startPeers } from "./lib/peers.js";
import { killPid, killPidAsync, loadAverage, sleep, waitQuiet, which } from "./lib/proc.js";
import { createTestbed, destroyTestbed, destroyTestbedAsync, removeStaleNamespaces, type Testbed } from "./lib/testbed.js";

const GOAL_SECONDS = 10;
const GOAL_RATE = 6_500;
const STRETCH_RATE = 10_000;
const GOAL_SPEEDUP = 20;

/**
 * Concurrency per module, tuned on the 2-core machine of docs/benchmarks.md: MQTT is flat from 500 to
 * 2000; CoAP above ~250 overflows libcoap's socket buffer (retransmissions); TLS is bound by the
 * scanner's CPU, and fewer handshakes in flight keep its memory down. --concurrency overrides all three.
 */
const DEFAULT_CONCURRENCY: Record<string, number> = { mqtt: 1000, coap: 250, tls: 100 };
const FLOOR_CONCURRENCY = 1000;
const RATE = 1_000_000;
// zmap: 100,000 SYNs/s finds every host here; at 300,000/s SYN-ACKs start to be lost on a busy 2-core machine.
const ZMAP_RATE = 100_000;
const SAMPLE = { range: "10.202.0.1-64", cli: "10.202.0.1-10.202.0.64", hosts: 64 };
const SCALE_SAMPLE = { range: "10.202.0.0/20", hosts: 4096 };

const PARTS = ["mqtt", "coap", "tls", "floor", "zmap", "nmap"];

interface Options {
  quick: boolean;
  json: boolean;
  only: Set<string>;
  repeat: number;
  concurrency?: number;
  /** The scanner's --workers (default: its own default, one probe worker per core). */
  workers?: number;
  quietWait: number;
  tsx: boolean;
  cpuProf: boolean;
  keep: boolean;
  tlsWorkers: number;
}

function parseOptions(args: string[]): Options {
  const o: Options = { quick: false, json: false, only: new Set(PARTS), repeat: 1, quietWait: 60, tsx: false, cpuProf: false, keep: false, tlsWorkers: 2 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") o.quick = true;
    else if (a === "--json") o.json = true;
    else if (a === "--tsx") o.tsx = true;
    else if (a === "--cpu-prof") o.cpuProf = true;
    else if (a === "--keep") o.keep = true;
    else if (a === "--repeat") o.repeat = positive(a, value());
    else if (a === "--concurrency") o.concurrency = positive(a, value());
    else if (a === "--workers") o.workers = positive(a, value());
    else if (a === "--tls-workers") o.tlsWorkers = positive(a, value());
    else if (a === "--quiet-wait") o.quietWait = positive(a, value(), 0);
    else if (a === "--only") {
      o.only = new Set(value().split(","));
      for (const p of o.only) if (!PARTS.includes(p)) usage(`--only: unknown part "${p}" (parts: ${PARTS.join(",")})`);
    } else usage(`unknown option ${a}`);
  }
  return o;
}

function positive(flag: string, v: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) usage(`${flag} must be an integer ≥ ${min}`);
  return n;
}

function usage(msg: string): never {
  process.stderr.write(
    `scan bench: ${msg}\nusage: npm run bench -- scan [--quick] [--json] [--only ${PARTS.join(",")}] [--repeat N] [--concurrency N] [--workers N] [--quiet-wait S] [--tsx] [--cpu-prof] [--keep] [--tls-workers N]\n`,
  );
  process.exit(2);
}

const log = (s: string) => process.stderr.write(`[scan bench] ${s}\n`);
const int = (n: number) => Math.round(n).toLocaleString("en-US");
const fix = (n: number | null | undefined, d = 1) => (n === null || n === undefined || !Number.isFinite(n) ? "?" : n.toFixed(d));
const handshakesPerSecond = (s: ScanRun) => (s.scanSeconds ? s.successAddresses / s.scanSeconds : 0);

/** Quiet before a measured run: waits for it (bounded) and says how busy the machine still was. */
interface Measured<T> {
  run: T;
  busyBefore: number;
}

export default async function run(args: string[]): Promise<void> {
  const o = parseOptions(args);
  if (process.getuid?.() !== 0) {
    process.stderr.write("scan bench: needs root (it creates network namespaces, a veth pair and raw-socket scans); run it as root, e.g. sudo npm run bench -- scan\n");
    process.exit(1);
  }
  const needed = ["ip", "ss", "openssl", "bash", "/usr/bin/time", "mosquitto", "coap-server-notls"];
  if (o.only.has("zmap")) needed.push("zmap");
  if (o.only.has("nmap")) needed.push("nmap");
  const missing = needed.filter((t) => !which(t));
  if (missing.length > 0) {
    process.stderr.write(`scan bench: missing ${missing.join(", ")}. Debian: apt-get install -y iproute2 mosquitto libcoap3-bin openssl nmap zmap time\n`);
    process.exit(1);
  }

  const target = o.quick ? "10.202.0.0/20" : "10.202.0.0/16";
  const size = o.quick ? 4096 : 65_536;
  const dir = mkdtempSync(path.join(os.tmpdir(), "iotscope-bench-scan-"));
  let tb: Testbed | undefined;
  let peers: Peers | undefined;
  // Cleanup is asynchronous on purpose: under `npm run bench` (tsx), the tsx parent relays Ctrl-C and
  // SIGKILLs a child that does not acknowledge the relayed signal within 30 ms, which needs a free event
  // loop. The synchronous variant only runs from the 'exit' event, as a last resort.
  let cleaning: Promise<void> | undefined;
  let cleaned = false;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await Promise.all((peers?.daemons ?? []).map((d) => killPidAsync(d.pid, 1000)));
      if (tb) await destroyTestbedAsync(tb);
      if (o.keep) log(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
      cleaned = true;
    })());
  const cleanupSync = () => {
    if (cleaned) return;
    for (const d of peers?.daemons ?? []) killPid(d.pid, 1000);
    if (tb) destroyTestbed(tb);
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (cleaning) return;
    log(`${signal}: removing the testbed`);
    void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : signal === "SIGHUP" ? 129 : 143));
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const s of signals) process.on(s, onSignal);
  process.on("exit", cleanupSync);

  const quiet = async (what: string): Promise<number> => {
    if (o.quietWait === 0) return NaN;
    const q = await waitQuiet(o.quietWait);
    if (q.busy >= 0.15) log(`machine still ${fix(100 * q.busy, 0)} % busy after waiting ${fix(q.waitedSeconds, 0)} s; measuring ${what} anyway`);
    return q.busy;
  };

  try {
    removeStaleNamespaces(log);
    const scanner = await prepareScanner(dir, o.tsx, log);
    log(`creating the testbed and the peers (${target}, ${int(size)} targets)`);
    tb = createTestbed();
    peers = await startPeers(tb, { dir, tlsWorkers: o.tlsWorkers, log });
    const rand = () => `10.202.${Math.floor(Math.random() * (size / 256))}.${Math.floor(Math.random() * 256)}`;
    await checkPeers(tb, ["10.202.0.0", o.quick ? "10.202.15.255" : "10.202.255.255", rand(), rand(), rand()]);
    log("peers answer on every address checked (first, last, 3 random)");

    const started = new Date();
    const loadBefore = loadAverage();
    const profDir = o.cpuProf ? path.join(dir, "profiles") : undefined;
    const scans: Record<string, Measured<ScanRun>[]> = {};
    const profiles: Record<string, ProfileSummary> = {};
    for (const module of ["mqtt", "coap", "tls"]) {
      if (!o.only.has(module)) continue;
      const concurrency = o.concurrency ?? DEFAULT_CONCURRENCY[module]!;
      scans[module] = [];
      for (let i = 1; i <= o.repeat; i++) {
        const busyBefore = await quiet(`iotscope ${module}`);
        log(`iotscope ${module} ${target}, concurrency ${concurrency}${o.repeat > 1 ? ` (run ${i}/${o.repeat})` : ""}…`);
        const r = await runScan(tb, scanner, {
          module, target, concurrency, rate: RATE, dir, size, run: i, keepFiles: o.keep,
          ...(o.workers !== undefined ? { workers: o.workers } : {}), ...(profDir ? { cpuProfDir: profDir } : {}),
        });
        scans[module].push({ run: r, busyBefore });
        log(`  ${int(r.successAddresses)}/${int(size)} success in ${fix(r.scanSeconds, 2)} s = ${int(handshakesPerSecond(r))}/s`);
        if (r.exitCode !== 0 || !r.summary) log(`iotscope ${module} exited with ${r.exitCode}:\n${r.stderrTail}`);
        if (r.profile && !profiles[module]) profiles[module] = summariseProfile(r.profile);
        await sleep(1000); // let the peers' sockets drain before the next run
      }
    }
    const floor: Measured<FloorRun>[] = [];
    if (o.only.has("floor")) {
      for (let i = 1; i <= o.repeat; i++) {
        const busyBefore = await quiet("the bare Node loop");
        log(`bare Node MQTT loop (no engine) over ${target}, ${FLOOR_CONCURRENCY} in flight${o.repeat > 1 ? ` (run ${i}/${o.repeat})` : ""}…`);
        floor.push({ run: await runFloor(tb, "10.202.0.0", size, FLOOR_CONCURRENCY), busyBefore });
        await sleep(1000);
      }
    }
    let subscribe: ScanRun | undefined;
    if (o.only.has("mqtt") && o.only.has("nmap")) {
      // Like for like with nmap's mqtt-subscribe: iotscope also subscribes and waits for messages.
      await quiet("iotscope mqtt --mqtt-subscribe");
      log(`iotscope mqtt --mqtt-subscribe on ${SAMPLE.range} (like nmap's mqtt-subscribe)…`);
      subscribe = await runScan(tb, scanner, {
        module: "mqtt", target: SAMPLE.cli, concurrency: SAMPLE.hosts, rate: RATE, dir, size: SAMPLE.hosts, extra: ["--mqtt-subscribe"], run: 1, keepFiles: o.keep,
      });
    }
    let zmap: Measured<ZmapRun> | undefined;
    if (o.only.has("zmap")) {
      const busyBefore = await quiet("zmap");
      log(`zmap SYN scan of ${target} on 1883…`);
      zmap = { run: await runZmap(tb, dir, target, 1883, ZMAP_RATE), busyBefore };
    }
    const nmap: Record<string, NmapRun> = {};
    if (o.only.has("nmap")) {
      await quiet("nmap");
      log(`nmap --script +mqtt-subscribe -p 1883 ${SAMPLE.range} (about 40 s)…`);
      nmap.mqtt = await runNmap(tb, dir, "mqtt-subscribe", ["-p", "1883"], SAMPLE.range, SAMPLE.hosts);
      log(`nmap -sU --script +coap-resources -p 5683 ${SAMPLE.range}…`);
      nmap.coap = await runNmap(tb, dir, "coap-resources", ["-sU", "-p", "5683"], SAMPLE.range, SAMPLE.hosts);
      log(`nmap -sU --script +coap-resources -p 5683 ${SCALE_SAMPLE.range} (nmap at scale)…`);
      nmap.coapScale = await runNmap(tb, dir, "coap-resources", ["-sU", "-p", "5683"], SCALE_SAMPLE.range, SCALE_SAMPLE.hosts);
    }

    const report = buildReport({ o, target, size, started, loadBefore, scanner: scanner.describe, peers, scans, floor, subscribe, zmap, nmap, profiles });
    process.stdout.write(report.text);
    if (o.json) process.stdout.write(`${JSON.stringify(report.json)}\n`);
  } finally {
    await cleanup();
    for (const s of signals) process.off(s, onSignal);
    process.off("exit", cleanupSync);
  }
}

interface ReportInput {
  o: Options;
  target: string;
  size: number;
  started: Date;
  loadBefore: number;
  scanner: string;
  peers: Peers;
  scans: Record<string, Measured<ScanRun>[]>;
  floor: Measured<FloorRun>[];
  subscribe: ScanRun | undefined;
  zmap: Measured<ZmapRun> | undefined;
  nmap: Record<string, NmapRun>;
  profiles: Record<string, ProfileSummary>;
}

interface Goal {
  goal: string;
  pass: boolean | null;
  detail: string;
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

function best<T>(runs: Measured<T>[], score: (r: T) => number): Measured<T> | undefined {
  return runs.reduce<Measured<T> | undefined>((b, r) => (!b || score(r.run) > score(b.run) ? r : b), undefined);
}

function buildReport(r: ReportInput): { text: string; json: unknown } {
  const cores = os.cpus().length;
  const lines: string[] = [];
  const p = (s = "") => lines.push(s);
  const busy = (b: number) => (Number.isFinite(b) ? `${fix(100 * b, 0)} %` : "not checked");
  p(`scan benchmark: ${r.target} (${int(r.size)} targets)${r.o.quick ? " [--quick]" : ""}, ${r.started.toISOString().slice(0, 19)}Z`);
  p(`machine: ${cores} cores (${os.cpus()[0]?.model ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, load average at start ${fix(r.loadBefore, 2)}`);
  p(`scanner: iotscope, ${r.scanner}, run with ip netns exec in the scanner namespace, --workers ${r.o.workers ?? `default (${os.availableParallelism()})`}`);
  p(`peers, in the target namespace, bound to all addresses:`);
  p(`  ${r.peers.describe.mqtt}`);
  p(`  ${r.peers.describe.coap}`);
  p(`  ${r.peers.describe.tls}`);
  p();

  const chosen: Record<string, Measured<ScanRun>> = {};
  for (const [m, runs] of Object.entries(r.scans)) {
    const b = best(runs, handshakesPerSecond);
    if (b) chosen[m] = b;
  }
  if (Object.keys(chosen).length > 0) {
    p(`iotscope application-layer scans (its CLI; --rate and --per-net-rate ${int(RATE)}, --seed 1, --output FILE${r.o.repeat > 1 ? `; best of ${r.o.repeat}` : ""}):`);
    p("  module  conc  success/targets   scan s  wall s  targets/s  handshakes/s  peak RSS  scanner CPU  peers CPU  rest CPU  busy before");
    for (const [m, { run: s, busyBefore }] of Object.entries(chosen)) {
      const rest = s.machineBusy * cores * s.wallSeconds - (s.scannerCpuSeconds ?? 0) - s.peersCpuSeconds;
      p(
        `  ${m.padEnd(6)} ${String(s.concurrency).padStart(5)}  ${`${int(s.successAddresses)}/${int(r.size)}`.padStart(15)}  ${fix(s.scanSeconds, 2).padStart(7)}  ${fix(s.wallSeconds, 2).padStart(6)}  ${(s.targetsPerSecond ? int(s.targetsPerSecond) : "?").padStart(9)}  ${int(handshakesPerSecond(s)).padStart(12)}  ${`${fix(s.peakRssMiB, 0)} MiB`.padStart(8)}  ${`${fix(s.scannerCpuSeconds)} s`.padStart(11)}  ${`${fix(s.peersCpuSeconds)} s`.padStart(9)}  ${`${fix(rest)} s`.padStart(8)}  ${busy(busyBefore).padStart(11)}`,
      );
      const other = Object.entries(s.statuses).filter(([k]) => k !== "success");
      if (other.length > 0 || s.exitCode !== 0) p(`          other statuses: ${other.map(([k, v]) => `${k} ${int(v)}`).join(", ") || "none"}; exit ${s.exitCode}`);
      if (r.o.repeat > 1) {
        const all = r.scans[m]!.map((x) => handshakesPerSecond(x.run));
        p(`          all runs: ${all.map((v) => `${int(v)}/s`).join(", ")}; median ${int(median(all))}/s`);
      }
    }
    p("  scan s: the campaign's own duration (its summary); wall s: the whole process, start-up and exit included;");
    p("  handshakes/s: distinct addresses with status success / scan s; CPU figures are core-seconds over the run;");
    p("  rest: the machine's busy time not in the scanner or the peers (kernel softirq work, and any other process).");
  }
  if (r.subscribe) {
    const s = r.subscribe;
    p(`  mqtt --mqtt-subscribe on ${SAMPLE.range}: ${s.successAddresses}/${SAMPLE.hosts} success, ${fix(s.wallSeconds, 2)} s wall (${fix((s.wallSeconds * 1000) / SAMPLE.hosts)} ms/host)`);
  }
  p();
  const fl = best(r.floor, (f) => f.perSecond);
  if (fl) {
    const f = fl.run;
    p(`bare Node loop, same MQTT exchange, no engine (bench/lib/mqtt-floor.ts; ${f.concurrency} in flight${r.o.repeat > 1 ? `; best of ${r.o.repeat}` : ""}):`);
    p(`  ${int(f.ok)}/${int(f.count)} CONNACKs in ${fix(f.seconds, 2)} s = ${int(f.perSecond)}/s, CPU ${fix(f.cpuSeconds)} s, peak RSS ${fix(f.peakRssMiB, 0)} MiB, busy before ${busy(fl.busyBefore)}${f.error ? `; FAILED: ${f.error}` : ""}`);
    if (r.o.repeat > 1) p(`  all runs: ${r.floor.map((x) => `${int(x.run.perSecond)}/s`).join(", ")}; median ${int(median(r.floor.map((x) => x.run.perSecond)))}/s`);
    p();
  }
  if (r.zmap) {
    const z = r.zmap.run;
    p(`zmap ${z.version} SYN scan of ${r.target} port 1883 (-r ${int(z.rate)}, -c ${z.cooldownSeconds}): ${int(z.found)}/${int(r.size)} found in ${fix(z.wallSeconds, 2)} s wall, cool-down included (${int(z.found / z.wallSeconds)} hosts/s; ${int(z.found / Math.max(0.01, z.wallSeconds - z.cooldownSeconds))}/s without the cool-down); ${z.attempts} attempt(s)${z.error ? `; FAILED (exit ${z.exitCode}): ${z.error}` : ""}`);
    p();
  }

  const perHost = (s: ScanRun | undefined, n: number) => (s ? (s.wallSeconds * 1000) / n : null);
  const speed = (ours: number | null, theirs: NmapRun | undefined) => (ours && theirs ? theirs.perHostMs / ours : null);
  const mqttPerHost = perHost(chosen.mqtt?.run, r.size);
  const coapPerHost = perHost(chosen.coap?.run, r.size);
  const subPerHost = perHost(r.subscribe, SAMPLE.hosts);
  if (Object.keys(r.nmap).length > 0) {
    p(`nmap ${r.nmap.mqtt?.version ?? ""} (-n -Pn; per host = wall time / hosts) and iotscope's speed-up per host (its wall time / targets):`);
    const row = (n: NmapRun | undefined, vs: [string, number | null][]) => {
      if (!n) return;
      p(`  ${n.command}`);
      p(`    ${n.hostsWithOutput}/${n.hosts} hosts with script output, ${fix(n.wallSeconds, 2)} s = ${fix(n.perHostMs, 2)} ms/host${n.exitCode !== 0 ? ` (exit ${n.exitCode})` : ""}`);
      for (const [label, ours] of vs) {
        if (ours === null) continue;
        const x = speed(ours, n);
        p(`    vs ${label}: ${fix(ours, 3)} ms/host → ${x ? `${fix(x, x < 100 ? 1 : 0)}×` : "?"}`);
      }
    };
    row(r.nmap.mqtt, [[`iotscope scan mqtt ${r.target}`, mqttPerHost], [`iotscope scan mqtt --mqtt-subscribe on the same 64 (like for like)`, subPerHost]]);
    row(r.nmap.coap, [[`iotscope scan coap ${r.target}`, coapPerHost]]);
    row(r.nmap.coapScale, [[`iotscope scan coap ${r.target}`, coapPerHost]]);
    p();
  }

  const goals: Goal[] = [];
  const mq = chosen.mqtt?.run;
  if (mq) {
    const hs = handshakesPerSecond(mq);
    const limit = (GOAL_SECONDS * r.size) / 65_536;
    goals.push({
      goal: `every one of the ${int(r.size)} targets completed with a full MQTT handshake in ≤ ${fix(limit, r.o.quick ? 2 : 0)} s`,
      pass: mq.successAddresses === r.size && mq.scanSeconds !== null && mq.scanSeconds <= limit,
      detail: `${int(mq.successAddresses)}/${int(r.size)} in ${fix(mq.scanSeconds, 2)} s (process wall ${fix(mq.wallSeconds, 2)} s)`,
    });
    goals.push({ goal: `≥ ${int(GOAL_RATE)} handshakes/s`, pass: hs >= GOAL_RATE, detail: `${int(hs)}/s` });
    goals.push({ goal: `stretch: ≥ ${int(STRETCH_RATE)} handshakes/s`, pass: hs >= STRETCH_RATE, detail: `${int(hs)}/s` });
  }
  if (r.nmap.mqtt && mqttPerHost) {
    const x = speed(mqttPerHost, r.nmap.mqtt)!;
    const like = speed(subPerHost, r.nmap.mqtt);
    goals.push({
      goal: `≥ ${GOAL_SPEEDUP}× nmap per host (mqtt-subscribe, 64 hosts)`,
      pass: x >= GOAL_SPEEDUP,
      detail: `${fix(x, 0)}×${like ? `; like for like (iotscope also subscribing, same 64 hosts): ${fix(like, 1)}×` : ""}`,
    });
  }
  if (goals.length > 0) {
    p(`goal of issue 3${r.o.quick ? " (quick run on a /20: indicative only, the goal is about the /16)" : ""}:`);
    for (const g of goals) p(`  ${g.pass ? "PASS" : "FAIL"}  ${g.goal}: ${g.detail}`);
    p();
  }
  for (const [m, prof] of Object.entries(r.profiles)) {
    p(`cpu profile of iotscope ${m} (main thread, ${int(prof.totalMs)} ms sampled), self time by file:`);
    for (const e of prof.byFile.slice(0, 12)) p(`  ${fix(100 * e.share).padStart(5)} %  ${int(e.ms).padStart(6)} ms  ${e.name}`);
    p("  by function:");
    for (const e of prof.byFunction.slice(0, 15)) p(`  ${fix(100 * e.share).padStart(5)} %  ${int(e.ms).padStart(6)} ms  ${e.name}`);
    p();
  }

  const strip = (s: ScanRun) => {
    const { stderrTail: _t, outputFile: _f, ...rest } = s;
    return rest;
  };
  const json = {
    benchmark: "scan",
    date: r.started.toISOString(),
    quick: r.o.quick,
    target: r.target,
    targets: r.size,
    repeat: r.o.repeat,
    machine: { cores, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release(), loadBefore: r.loadBefore },
    scanner: r.scanner,
    peers: r.peers.describe,
    iotscope: Object.fromEntries(
      Object.entries(r.scans).map(([m, runs]) => {
        const c = chosen[m]!;
        return [m, { ...strip(c.run), busyBefore: c.busyBefore, handshakesPerSecond: handshakesPerSecond(c.run), perHostMs: perHost(c.run, r.size), allRuns: runs.map((x) => handshakesPerSecond(x.run)) }];
      }),
    ),
    ...(r.subscribe ? { iotscopeMqttSubscribeSample: { ...strip(r.subscribe), perHostMs: subPerHost } } : {}),
    ...(fl ? { nodeFloor: { ...fl.run, busyBefore: fl.busyBefore, allRuns: r.floor.map((x) => x.run.perSecond) } } : {}),
    ...(r.zmap ? { zmap: { ...r.zmap.run, busyBefore: r.zmap.busyBefore } } : {}),
    nmap: r.nmap,
    speedup: {
      mqttVsNmapMqttSubscribe: speed(mqttPerHost, r.nmap.mqtt),
      mqttSubscribeVsNmapMqttSubscribe: speed(subPerHost, r.nmap.mqtt),
      coapVsNmapCoapResources64: speed(coapPerHost, r.nmap.coap),
      coapVsNmapCoapResourcesScale: speed(coapPerHost, r.nmap.coapScale),
    },
    goals,
    ...(Object.keys(r.profiles).length > 0 ? { profiles: r.profiles } : {}),
  };
  return { text: `${lines.join("\n")}\n`, json };
}

const invoked = process.argv[1];
if (invoked !== undefined && import.meta.url === pathToFileURL(invoked).href) await run(process.argv.slice(2));
