/**
 * Process helpers for the scan benchmark: run a command to completion (sync or async), spawn a
 * long-running peer and remember its PID, read a process's CPU time, and the machine's CPU counters.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readFileSync } from "node:fs";

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in seconds. */
  seconds: number;
}

/** Runs a command to completion; never throws for a non-zero exit (the caller decides). */
export function run(cmd: string, args: string[], opts: SpawnOptions & { input?: string; ignoreStdout?: boolean } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const { input, ignoreStdout, ...spawnOpts } = opts;
    const child = spawn(cmd, args, { ...spawnOpts, stdio: [input !== undefined ? "pipe" : "ignore", ignoreStdout ? "ignore" : "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr!.setEncoding("utf8").on("data", (s: string) => {
      // Progress output can be long; keep the tail, which holds the summary and the errors.
      stderr = (stderr + s).slice(-1_000_000);
    });
    if (input !== undefined) child.stdin!.end(input);
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

/** Runs a command synchronously and returns its stdout; throws with its stderr on failure. */
export function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")}: ${(e.stderr ?? "").trim() || e.message}`, { cause: err });
  }
}

/** Like sh() but ignores failure (cleanup paths). */
export function shQuiet(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return "";
  }
}

export function which(cmd: string): string | undefined {
  const out = shQuiet("sh", ["-c", `command -v ${cmd}`]).trim();
  return out === "" ? undefined : out;
}

/** A long-running process we started; we kill it by PID only. */
export interface Daemon {
  name: string;
  pid: number;
  child: ChildProcess;
  /** What it printed (bounded), for error messages. */
  log(): string;
  exited(): string | undefined;
}

export function daemon(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): Daemon {
  const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  let exited: string | undefined;
  const keep = (s: string) => {
    if (log.length < 65_536) log += s;
  };
  child.stdout!.setEncoding("utf8").on("data", keep);
  child.stderr!.setEncoding("utf8").on("data", keep);
  child.once("exit", (code, signal) => (exited = `exited with ${code ?? signal}`));
  child.once("error", (err) => (exited = `failed to start: ${err.message}`));
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${cmd}`);
  return { name, pid: child.pid, child, log: () => log, exited: () => exited };
}

/**
 * True while a process with this PID exists and has not exited. A zombie (exited, not yet reaped: our
 * own children while a synchronous cleanup blocks the event loop) counts as gone.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** SIGTERM by PID, then SIGKILL after `graceMs` if it is still there. Synchronous (signal handlers use it). */
export function killPid(pid: number, graceMs = 2000): void {
  if (!alive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) sleepSync(20);
  if (alive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

/** killPid without blocking the event loop (signal handlers must stay responsive: see bench/scan.ts). */
export async function killPidAsync(pid: number, graceMs = 2000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(20);
  if (alive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const CLK_TCK = 100;

/** utime + stime of a process in seconds, or undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** The machine's CPU counters (all cores), in seconds: busy and total. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: (total - idle - iowait) / CLK_TCK, total: total / CLK_TCK };
}

export function loadAverage(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}

/**
 * Waits (up to `maxSeconds`) for a one-second window in which the whole machine is below `threshold`
 * busy (share of all cores): other work on a 2-core machine skews every figure. Returns the busy share
 * of the last window, so the report can say how quiet the machine was when the run started.
 */
export async function waitQuiet(maxSeconds: number, threshold = 0.15): Promise<{ busy: number; waitedSeconds: number }> {
  const started = performance.now();
  for (;;) {
    const a = machineCpu();
    await sleep(1000);
    const b = machineCpu();
    const busy = (b.busy - a.busy) / Math.max(1e-9, b.total - a.total);
    const waitedSeconds = (performance.now() - started) / 1000;
    if (busy < threshold || waitedSeconds >= maxSeconds) return { busy, waitedSeconds };
  }
}
