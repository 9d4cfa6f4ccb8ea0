/**
 * Test support: a real sensor (in-process) on loopback with ephemeral ports and a temporary spool,
 * and a reader for the events it spooled (straight from the segment files, as the shipper would).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { silentLogger } from "../../src/core/log/index.js";
import type { HoneypotEvent } from "../../src/honeypot/events.js";
import { parseSensorConfig, startSensor, type RunningSensor } from "../../src/honeypot/index.js";

export interface TestSensor {
  sensor: RunningSensor;
  dir: string;
  port: number;
  events(): HoneypotEvent[];
  close(): Promise<void>;
}

export function readSpool(dir: string): HoneypotEvent[] {
  const seg = path.join(dir, "segments");
  const files = readdirSync(seg)
    .filter((f) => /\.(open|jsonl)$/.test(f))
    .sort();
  return files.flatMap((f) =>
    readFileSync(path.join(seg, f), "utf8")
      .split("\n")
      .filter((l) => l.endsWith("}"))
      .map((l) => JSON.parse(l) as HoneypotEvent),
  );
}

export async function startTestSensor(opts: { persona?: string; telnet?: Record<string, unknown>; limits?: Record<string, unknown>; spool?: Record<string, unknown>; extra?: Record<string, unknown> } = {}): Promise<TestSensor> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "iotscope-sensor-"));
  const config = parseSensorConfig(
    {
      sensor: "test-sensor-1",
      host: "127.0.0.1",
      persona: opts.persona ?? "xiongmai-dvr-armhf",
      spool: { dir: "spool", ...opts.spool },
      limits: opts.limits ?? {},
      emulators: { telnet: { ports: [0], ...opts.telnet } },
      ...opts.extra,
    },
    "test config",
    dir,
  );
  const sensor = await startSensor(config, { log: silentLogger });
  const spoolDir = path.join(dir, "spool");
  return {
    sensor,
    dir: spoolDir,
    port: sensor.ports.telnet![0]!,
    events: () => readSpool(spoolDir),
    async close() {
      await sensor.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
