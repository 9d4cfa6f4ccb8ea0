/**
 * Collector ingest benchmark (issue 6's goal: ≥ 50,000 events/s on SQLite). Stores 200,000 synthetic
 * events — telnet sessions shaped like Mirai's (connect, two failed logins and one good, five commands,
 * a download, close) from a pool of 20,000 source addresses — in batches of 5,000, through:
 *   1. `ingestEvents` (the store function the route calls: dedup, enrichment, aggregates, one transaction
 *      per batch) on a fresh SQLite file, with MaxMind's test databases for enrichment when present;
 *   2. the HTTP route (`POST /api/honeypot/v1/events` via fastify inject: JSON parse, auth, per-event zod
 *      validation, then the same store function);
 *   3. the same batches resent (all duplicates), as after a sensor crash.
 * Seeded: runs are comparable. `runCollectorBench` is exported so bench/honeypot.ts can call it.
 *
 *   npm run bench -- honeypot-collector [--events N] [--json]
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { openGeo, type GeoLookup } from "../src/core/geo/index.js";
import { openStorage, type Storage } from "../src/core/storage/index.js";
import { createEnrolToken, enrolSensor, ingestEvents, type HoneypotEvent } from "../src/honeypot/index.js";
import { buildServer } from "../src/server/index.js";
import { mulberry32 as rng } from "../src/core/random.js";

export const COLLECTOR_GOAL = 50_000;
const BATCH = 5_000;


/** UUID v7 shape, as the sensor makes them: 48-bit millisecond time first, so ids arrive in order. */
function uuidFrom(random: () => number, ms = 0): string {
  const h = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  const time = ms.toString(16).padStart(12, "0");
  for (let i = 0; i < 12; i++) h[i] = time[i]!;
  h[12] = "7";
  h[16] = "89ab"[Math.floor(random() * 4)]!;
  const s = h.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Synthetic events of `sensors` sensors, in sessions of 11 events. */
export function syntheticEvents(n: number, seed = 0x6f0c_2026, sensors = ["bench-1"]): HoneypotEvent[] {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  // Addresses inside MaxMind's test databases mixed with others, so enrichment hits and misses.
  const known = ["89.160.20.113", "2.125.160.217", "1.128.0.5", "67.43.156.7", "216.160.83.57", "81.2.69.150"];
  const pool = Array.from({ length: 20_000 }, (_, i) => (i < known.length ? known[i]! : `${1 + Math.floor(random() * 222)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`));
  const creds = [["root", "xc3511"], ["root", "vizxv"], ["admin", "admin"], ["root", "888888"], ["support", "support"], ["root", "default"], ["user", "user"]];
  const scripts = [
    ["enable", "system", "shell", "sh", "/bin/busybox MIRAI"],
    ["enable", "system", "shell", "sh", "/bin/busybox ECCHI"],
    ["sh", "cat /proc/cpuinfo", "/bin/busybox wget", "/bin/busybox tftp", "/bin/busybox HAJIME"],
  ];
  const out: HoneypotEvent[] = [];
  let t = Date.parse("2026-11-24T00:00:00.000Z");
  while (out.length < n) {
    const sensor = pick(sensors);
    const session = uuidFrom(random).replace(/-/g, "").slice(0, 16);
    const base = { sensor, session, protocol: "telnet" as const, transport: "tcp" as const, src_ip: pick(pool), src_port: 1024 + Math.floor(random() * 60000), dst_port: pick([23, 2323]) };
    const at = () => new Date((t += 7)).toISOString();
    const e = (over: Partial<HoneypotEvent>): HoneypotEvent => {
      const timestamp = at();
      return { id: uuidFrom(random, t), eventid: "session.connect", timestamp, ...base, ...over };
    };
    const [u1, p1] = pick(creds);
    const [u2, p2] = pick(creds);
    const [u3, p3] = pick(creds);
    out.push(e({ eventid: "session.connect" }));
    out.push(e({ eventid: "telnet.login.failed", username: u1, password: p1 }));
    out.push(e({ eventid: "telnet.login.failed", username: u2, password: p2 }));
    out.push(e({ eventid: "telnet.login.success", username: u3, password: p3 }));
    for (const input of pick(scripts)) out.push(e({ eventid: "telnet.command.input", input }));
    out.push(e({ eventid: "telnet.session.file_download", url: `http://198.51.100.${Math.floor(random() * 20)}/bins/${pick(["mirai.arm7", "mirai.mips", "x86"])}`, tool: "wget" }));
    out.push(e({ eventid: "session.closed", duration: 3.5 }));
  }
  return out.slice(0, n);
}

interface Figures {
  seconds: number;
  cpu_seconds: number;
  rate: number;
  wall_rate: number;
}

export interface CollectorBenchResult {
  events: number;
  batch: number;
  geoip: boolean;
  /** `rate`: events per CPU second (judged against the goal); `wall_rate`: per wall-clock second. */
  store: Figures;
  http: Figures;
  resend: Figures;
  goal: number;
  pass: boolean;
}

/**
 * CPU seconds of this process since `from`: on a shared machine the wall clock measures the neighbours
 * too, so the goal is judged on the CPU-time rate (the wall-clock rate is printed beside it). SQLite
 * runs in-process (better-sqlite3), so its work is counted; the fsyncs it waits for are not.
 */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

async function freshSqlite(): Promise<{ storage: Storage; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "iotscope-bench-collector-"));
  return { storage: await openStorage({ dataDir: dir }), dir };
}

function batches(events: HoneypotEvent[]): HoneypotEvent[][] {
  const out: HoneypotEvent[][] = [];
  for (let i = 0; i < events.length; i += BATCH) out.push(events.slice(i, i + BATCH));
  return out;
}

export async function runCollectorBench(opts: { events?: number; log?: (line: string) => void } = {}): Promise<CollectorBenchResult> {
  const n = opts.events ?? 200_000;
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const fixtures = path.resolve(process.env.IOTSCOPE_SHARED_FIXTURES ?? path.join(import.meta.dirname, "../../shared/fixtures"), "geo");
  const country = path.join(fixtures, "GeoLite2-Country-Test.mmdb");
  const asn = path.join(fixtures, "GeoLite2-ASN-Test.mmdb");
  const geo: GeoLookup = await openGeo(existsSync(country) ? { country, asn } : {});
  const geoip = geo.sources.country !== null;

  // 1. The store function.
  const events = syntheticEvents(n);
  let { storage, dir } = await freshSqlite();
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  for (const b of batches(events)) await ingestEvents(storage, b, { geo });
  const storeS = (performance.now() - t0) / 1000;
  const storeCpu = cpuSeconds(c0);
  // 3. Resend: every event a duplicate.
  t0 = performance.now();
  c0 = process.cpuUsage();
  let dups = 0;
  for (const b of batches(events)) dups += (await ingestEvents(storage, b, { geo })).duplicates;
  const resendS = (performance.now() - t0) / 1000;
  const resendCpu = cpuSeconds(c0);
  if (dups !== n) throw new Error(`resend: expected ${n} duplicates, got ${dups}`);
  await storage.close();
  await rm(dir, { recursive: true, force: true });

  // 2. The HTTP route (fresh database, enrolled sensor).
  ({ storage, dir } = await freshSqlite());
  const { enrol_token } = await createEnrolToken(storage, "bench-1", {});
  const { token } = await enrolSensor(storage, { enrol_token, sensor: "bench-1", personas: [] });
  const app = await buildServer({ storage, honeypot: { geo } });
  const payloads = batches(events).map((b, i) => JSON.stringify({ sensor: "bench-1", batch_id: `b${i}`, events: b }));
  t0 = performance.now();
  c0 = process.cpuUsage();
  for (const payload of payloads) {
    const res = await app.inject({ method: "POST", url: "/api/honeypot/v1/events", payload, headers: { "content-type": "application/json", authorization: `Bearer ${token}` } });
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${res.body.slice(0, 200)}`);
  }
  const httpS = (performance.now() - t0) / 1000;
  const httpCpu = cpuSeconds(c0);
  await app.close();
  await storage.close();
  await rm(dir, { recursive: true, force: true });

  const fig = (wall: number, cpu: number): Figures => ({ seconds: +wall.toFixed(2), cpu_seconds: +cpu.toFixed(2), rate: Math.round(n / cpu), wall_rate: Math.round(n / wall) });
  const result: CollectorBenchResult = {
    events: n,
    batch: BATCH,
    geoip,
    store: fig(storeS, storeCpu),
    http: fig(httpS, httpCpu),
    resend: fig(resendS, resendCpu),
    goal: COLLECTOR_GOAL,
    pass: n / storeCpu >= COLLECTOR_GOAL,
  };
  log(`collector ingest, SQLite, ${n.toLocaleString("en")} events in batches of ${BATCH.toLocaleString("en")} (GeoIP ${geoip ? "on (MaxMind test databases)" : "off"}):`);
  const line = (label: string, f: Figures) =>
    `  ${label.padEnd(30)} ${f.rate.toLocaleString("en").padStart(9)} events/CPU-s (${f.cpu_seconds} s CPU)   ${f.wall_rate.toLocaleString("en").padStart(9)} events/s wall (${f.seconds} s)`;
  log(line("store function (ingestEvents)", result.store) + `  ${result.pass ? "PASS" : "FAIL"} vs goal ${COLLECTOR_GOAL.toLocaleString("en")}/s`);
  log(line("HTTP route (inject)", result.http));
  log(line("resend, all duplicates", result.resend));
  log(`  (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs: the wall-clock figures include waiting for other processes)`);
  return result;
}

export default async function main(args: string[]): Promise<void> {
  const i = args.indexOf("--events");
  const events = i >= 0 ? Number(args[i + 1]) : undefined;
  if (events !== undefined && (!Number.isInteger(events) || events < BATCH)) throw new Error(`--events: an integer ≥ ${BATCH}`);
  const json = args.includes("--json");
  const r = await runCollectorBench({ events, log: json ? () => {} : undefined });
  if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main(process.argv.slice(2));
