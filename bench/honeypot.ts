/**
 * Honeypot benchmark (issue 6's goals: one sensor holds ≥ 10,000 concurrent Telnet sessions under
 * 500 MB RSS; the collector ingests ≥ 50,000 events/s on SQLite).
 *
 * Sensor: `iotscope honeypot sensor` runs as a child process (node + tsx, one process, so its RSS is
 * the sensor's alone). This process opens N Telnet connections from 16 loopback source addresses,
 * each logs in as a bot would (login prompt → root/xc3511 → shell prompt) and then stays open: a held,
 * logged-in session with its timers, buffers and shell state. Reported: sessions held, the sensor's
 * RSS (VmRSS) and peak (VmHWM) from /proc, and the per-session cost.
 * File descriptors: the child's soft limit is raised to its hard limit (`ulimit -n` in the shell that
 * starts it); this process needs N too — run the bench from a shell with `ulimit -n` ≥ N + 1000.
 *
 *   npm run bench -- honeypot [--sessions N] [--json]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runCollectorBench } from "./honeypot-collector.js";

const GOAL_SESSIONS = 10_000;
const GOAL_RSS_MB = 500;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

function procStatus(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** One bot: connect, answer the prompts, stop at the shell prompt and keep the socket. */
function login(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: "127.0.0.1", localAddress });
    let seen = "";
    let step = 0;
    const fail = (err: Error) => {
      s.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`login timed out at step ${step}`)), 60_000);
    s.on("error", fail);
    s.on("close", () => fail(new Error(`closed at step ${step}`)));
    s.on("data", (d: Buffer) => {
      seen = (seen + d.toString("latin1")).slice(-256);
      if (step === 0 && seen.endsWith("login: ")) {
        step = 1;
        seen = "";
        s.write("root\r\n");
      } else if (step === 1 && seen.endsWith("Password: ")) {
        step = 2;
        seen = "";
        s.write("xc3511\r\n");
      } else if (step === 2 && seen.endsWith("# ")) {
        step = 3;
        clearTimeout(timer);
        s.removeAllListeners("close");
        s.removeAllListeners("data");
        s.on("data", () => {});
        resolve(s);
      }
    });
  });
}

export default async function run(args: string[]): Promise<void> {
  const target = Number(arg(args, "--sessions") ?? GOAL_SESSIONS);
  const json = args.includes("--json");
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "iotscope-bench-honeypot-"));
  const port = await freePort();
  const config = path.join(dir, "sensor.json");
  writeFileSync(
    config,
    JSON.stringify({
      sensor: "bench-1",
      host: "127.0.0.1",
      persona: "xiongmai-dvr-armhf",
      spool: { dir: path.join(dir, "spool") },
      emulators: { telnet: { ports: [port] } },
      limits: { max_sessions: target + 1000, per_source_sessions: target, idle_timeout_s: 3600, session_timeout_s: 3600 },
      stats_s: 3600,
    }),
  );
  const entry = path.join(repoRoot, "src/cli/main.ts");
  const cmd = `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "${process.execPath}" --import tsx "${entry}" honeypot sensor --config "${config}" --json`;
  const child = spawn("sh", ["-c", cmd], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, IOTSCOPE_LOG_LEVEL: "warn" } });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-10_000)));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes('"listening"')) resolve();
    });
    child.once("close", (code) => reject(new Error(`sensor exited ${code}: ${stderr}`)));
  });
  const pid = child.pid!; // `exec` keeps the pid: this is the sensor itself
  const idleRss = procStatus(pid, "VmRSS");
  log(`sensor pid ${pid} listening on ${port}; idle RSS ${(idleRss / 2 ** 20).toFixed(1)} MB; opening ${target} sessions`);

  const sockets: net.Socket[] = [];
  let failed = 0;
  let firstError = "";
  const started = performance.now();
  const WAVE = 500;
  for (let i = 0; i < target; i += WAVE) {
    const wave = await Promise.allSettled(Array.from({ length: Math.min(WAVE, target - i) }, (_, k) => login(port, `127.0.0.${2 + ((i + k) % 16)}`)));
    for (const r of wave) {
      if (r.status === "fulfilled") sockets.push(r.value);
      else {
        failed++;
        firstError ||= String(r.reason);
      }
    }
    if ((i / WAVE) % 4 === 3) log(`  ${sockets.length} held, RSS ${(procStatus(pid, "VmRSS") / 2 ** 20).toFixed(1)} MB`);
  }
  const openSeconds = (performance.now() - started) / 1000;
  // Let the sensor settle (timers armed, GC) before reading its memory.
  await new Promise((r) => setTimeout(r, 2000));
  const rss = procStatus(pid, "VmRSS");
  const peak = procStatus(pid, "VmHWM");
  const held = sockets.filter((s) => !s.destroyed).length;
  const pass = held >= GOAL_SESSIONS && peak < GOAL_RSS_MB * 2 ** 20;

  for (const s of sockets) s.destroy();
  child.kill("SIGTERM");
  await new Promise((r) => child.once("close", r));
  rmSync(dir, { recursive: true, force: true });

  // ---- Collector ingest figure (events/s on SQLite, goal ≥ 50,000): bench/honeypot-collector.ts. ----
  const figures = await runCollectorBench({ log });
  const collector = {
    events_per_s: figures.store.rate,
    wall_events_per_s: figures.store.wall_rate,
    http_events_per_s: figures.http.rate,
    resend_events_per_s: figures.resend.rate,
    events: figures.events,
    goal: `>= ${figures.goal} events per CPU second through the store function`,
    pass: figures.pass,
  };

  const result = {
    sensor: {
      sessions_target: target,
      sessions_held: held,
      failed_logins: failed,
      open_seconds: Number(openSeconds.toFixed(1)),
      rss_mb: Number((rss / 2 ** 20).toFixed(1)),
      peak_rss_mb: Number((peak / 2 ** 20).toFixed(1)),
      idle_rss_mb: Number((idleRss / 2 ** 20).toFixed(1)),
      kb_per_session: held ? Number(((rss - idleRss) / 1024 / held).toFixed(1)) : null,
      goal: `>= ${GOAL_SESSIONS} sessions, peak RSS < ${GOAL_RSS_MB} MB`,
      pass,
    },
    collector,
  };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const s = result.sensor;
    process.stdout.write(
      [
        `honeypot sensor: ${s.sessions_held} concurrent logged-in Telnet sessions held (${s.failed_logins} failed${firstError ? `, first: ${firstError}` : ""}), opened in ${s.open_seconds} s`,
        `  RSS ${s.rss_mb} MB (peak ${s.peak_rss_mb} MB, idle ${s.idle_rss_mb} MB, ~${s.kb_per_session} KB per session)`,
        `  goal ${s.goal}: ${s.pass ? "PASS" : "FAIL"}`,
        `collector ingest: ${result.collector.events_per_s} events/CPU-s (${result.collector.wall_events_per_s} events/s wall) via the store function, ${result.collector.http_events_per_s} events/CPU-s via HTTP: ${result.collector.pass ? "PASS" : "FAIL"}`,
        "",
      ].join("\n"),
    );
  }
  if (!pass) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run(process.argv.slice(2));
