/**
 * Runs bench/lib/mqtt-floor.ts (a bare Node loop doing iotscope's MQTT exchange, no engine) inside the
 * scanner namespace, for the report's reference row: what any Node scanner could reach here.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot } from "./peers.js";
import { machineCpu, run } from "./proc.js";
import type { Testbed } from "./testbed.js";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface FloorRun {
  count: number;
  ok: number;
  seconds: number;
  perSecond: number;
  concurrency: number;
  cpuSeconds: number | null;
  peakRssMiB: number | null;
  machineBusy: number;
  error?: string;
}

export async function runFloor(tb: Testbed, first: string, count: number, concurrency: number): Promise<FloorRun> {
  const [cmd, args] = tb.exec(tb.a, "/usr/bin/time", [
    "-f", "TIME %e %M %U %S",
    "bash", "-c", 'ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"', "floor",
    process.execPath, "--import", "tsx", path.join(here, "mqtt-floor.ts"), first, String(count), String(concurrency),
  ]);
  const before = machineCpu();
  const r = await run(cmd, args, { cwd: repoRoot });
  const after = machineCpu();
  const machineBusy = (after.busy - before.busy) / Math.max(1e-9, after.total - before.total);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  const time = /TIME (\S+) (\d+) (\S+) (\S+)/.exec(r.stderr);
  try {
    const j = JSON.parse(line) as Omit<FloorRun, "cpuSeconds" | "peakRssMiB" | "machineBusy">;
    return {
      ...j,
      cpuSeconds: time ? Number(time[3]) + Number(time[4]) : null,
      peakRssMiB: time ? Number(time[2]) / 1024 : null,
      machineBusy,
    };
  } catch {
    return { count, ok: 0, seconds: r.seconds, perSecond: 0, concurrency, cpuSeconds: null, peakRssMiB: null, machineBusy, error: r.stderr.trim().slice(-1000) };
  }
}
