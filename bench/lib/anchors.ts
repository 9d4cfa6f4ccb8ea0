/**
 * The tools iotscope is measured against, run from the scanner namespace against the testbed:
 *
 * - zmap's SYN scan (the transport-layer ceiling: one SYN out, one SYN-ACK back, no handshake), with
 *   the flags of /work/shared/PEERS.md; zmap 2.1.1 aborts about 1 run in 37 (exit 134), so it is retried;
 * - nmap's NSE scripts (what people use today), on a small sample.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { run, shQuiet } from "./proc.js";
import { SCANNER_ADDR, type Testbed } from "./testbed.js";

export interface ZmapRun {
  version: string;
  found: number;
  wallSeconds: number;
  cooldownSeconds: number;
  rate: number;
  attempts: number;
  exitCode: number | null;
  error?: string;
}

export async function runZmap(tb: Testbed, dir: string, target: string, port: number, rate: number, cooldown = 1): Promise<ZmapRun> {
  const allow = path.join(dir, "zmap-allow.txt");
  const block = path.join(dir, "zmap-block.txt");
  const out = path.join(dir, "zmap-out.txt");
  await writeFile(allow, `${target}\n`);
  await writeFile(block, "");
  const version = /zmap ?(\S+)/i.exec(shQuiet("zmap", ["--version"]))?.[1] ?? "?";
  const [cmd, args] = tb.exec(tb.a, "zmap", [
    "-C", "/dev/null", "-b", block, "-w", allow, "-i", tb.ifA, "-G", tb.peerMac, "-S", SCANNER_ADDR,
    "-p", String(port), "-r", String(rate), "-c", String(cooldown), "-o", out, "-f", "saddr", "-q", target,
  ]);
  let attempts = 0;
  for (;;) {
    attempts++;
    const r = await run(cmd, args);
    // zmap 2.1.1's known abort (SIGABRT, exit 134): retry up to 3 times.
    if ((r.code === 134 || r.signal === "SIGABRT") && attempts <= 3) continue;
    const base = { version, wallSeconds: r.seconds, cooldownSeconds: cooldown, rate, attempts, exitCode: r.code };
    if (r.code !== 0) return { ...base, found: 0, error: r.stderr.trim().slice(-1000) };
    const found = new Set((await readFile(out, "utf8")).split("\n").filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l))).size;
    return { ...base, found };
  }
}

export interface NmapRun {
  script: string;
  version: string;
  hosts: number;
  /** Hosts where the script produced output. */
  hostsWithOutput: number;
  wallSeconds: number;
  perHostMs: number;
  exitCode: number | null;
  command: string;
  error?: string;
}

/** nmap with -n -Pn (no DNS, no host discovery: the best case for nmap), XML to a file. */
export async function runNmap(tb: Testbed, dir: string, script: string, scanArgs: string[], targets: string, hosts: number): Promise<NmapRun> {
  const xml = path.join(dir, `nmap-${script}-${hosts}.xml`);
  const nmapArgs = ["-n", "-Pn", ...scanArgs, "--script", `+${script}`, "-oX", xml, targets];
  const [cmd, args] = tb.exec(tb.a, "nmap", nmapArgs);
  const version = /Nmap version (\S+)/.exec(shQuiet("nmap", ["--version"]))?.[1] ?? "?";
  const r = await run(cmd, args);
  const text = await readFile(xml, "utf8").catch(() => "");
  const hostsWithOutput = text.split(`<script id="${script}"`).length - 1;
  return {
    script,
    version,
    hosts,
    hostsWithOutput,
    wallSeconds: r.seconds,
    perHostMs: (r.seconds * 1000) / hosts,
    exitCode: r.code,
    command: `nmap ${nmapArgs.join(" ").replace(xml, "<file>")}`,
    ...(r.code !== 0 ? { error: r.stderr.trim().slice(-1000) } : {}),
  };
}
