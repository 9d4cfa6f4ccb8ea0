/**
 * The scan benchmark's peers, all inside the target namespace and bound to every address, so each of the
 * 65,536 addresses of the testbed answers (recipes: /work/shared/PEERS.md):
 *
 * - mosquitto (anonymous, `listener 1883` without an address, `max_connections -1`, no logging of
 *   clients), its hard-coded listen backlog of 100 raised through bench/lib/listen-backlog.c when a C
 *   compiler is there (see that file for why);
 * - libcoap's `coap-server-notls -A 0.0.0.0` (answers from the address asked, via IP_PKTINFO);
 * - a Node `tls.createServer` (bench/lib/tls-peer.ts) with a device-like chain: leaf CN xyz.asuscomm.com
 *   (RSA-2048) signed by a CA named like Let's Encrypt Authority X3.
 *
 * The caller kills the daemons by PID (and deletes the namespace, which catches any stragglers).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { daemon, type Daemon, run, sh, shQuiet, sleep, which } from "./proc.js";
import type { Testbed } from "./testbed.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../..");

export const TLS_LEAF_CN = "xyz.asuscomm.com";
export const TLS_CA_CN = "Let's Encrypt Authority X3";

export interface Peers {
  daemons: Daemon[];
  mosquitto: Daemon;
  coap: Daemon;
  tls: Daemon;
  /** What each peer is, for the report. */
  describe: { mqtt: string; coap: string; tls: string };
}

export interface PeerOptions {
  dir: string;
  tlsWorkers: number;
  log: (s: string) => void;
}

export async function startPeers(tb: Testbed, o: PeerOptions): Promise<Peers> {
  const daemons: Daemon[] = [];
  const spawnIn = (name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv) => {
    const [c, a] = tb.exec(tb.b, cmd, args);
    const d = daemon(name, c, a, { cwd: repoRoot, ...(env ? { env: { ...process.env, ...env } } : {}) });
    daemons.push(d);
    return d;
  };
  try {
    // --- MQTT
    const conf = path.join(o.dir, "mosquitto.conf");
    await writeFile(
      conf,
      ["listener 1883", "allow_anonymous true", "max_connections -1", "persistence false", "log_dest stderr", "log_type error", "log_type warning", "set_tcp_nodelay true", ""].join("\n"),
    );
    const shim = await buildBacklogShim(o.dir, o.log);
    const mosquitto = spawnIn("mosquitto", "mosquitto", ["-c", conf], shim ? { LD_PRELOAD: shim, LISTEN_BACKLOG_MIN: "65535" } : undefined);
    const mqVersion = /mosquitto version (\S+)/.exec(shQuiet("sh", ["-c", "mosquitto -h 2>&1 | head -3"]))?.[1] ?? "?";

    // --- CoAP
    const coap = spawnIn("coap-server-notls", "coap-server-notls", ["-A", "0.0.0.0", "-p", "5683"]);
    const coapVersion = /v(\d+\.\d+\.\d+)/.exec(shQuiet("sh", ["-c", "coap-server-notls -h 2>&1 | head -3"]))?.[1] ?? "?";

    // --- TLS
    await makeChain(o.dir);
    const tls = spawnIn("tls-peer", process.execPath, ["--import", "tsx", path.join(here, "tls-peer.ts"), o.dir, "443", String(o.tlsWorkers)]);

    // Listening (inside the namespace); then check-peers (from the scanner side) checks the answers.
    await waitListening(tb, daemons, [
      ["tcp", 1883],
      ["udp", 5683],
      ["tcp", 443],
    ]);
    const backlog = /LISTEN\s+\d+\s+(\d+)\s+0\.0\.0\.0:1883/.exec(sh("ip", ["netns", "exec", tb.b, "ss", "-lnt"]))?.[1] ?? "?";
    return {
      daemons,
      mosquitto,
      coap,
      tls,
      describe: {
        mqtt: `mosquitto ${mqVersion} (listener 1883 on all addresses, anonymous, max_connections -1, listen backlog ${backlog}${shim ? " via LD_PRELOAD shim; its own is 100" : "; no cc for the backlog shim"})`,
        coap: `libcoap ${coapVersion} coap-server-notls -A 0.0.0.0 -p 5683`,
        tls: `Node ${process.version} tls.createServer on 0.0.0.0:443, ${o.tlsWorkers} worker(s); chain: leaf CN ${TLS_LEAF_CN} (RSA-2048) + CA "${TLS_CA_CN}" (openssl s_server not used: one handshake at a time, ~150/s)`,
      },
    };
  } catch (err) {
    for (const d of daemons) shQuiet("kill", [String(d.pid)]);
    throw err;
  }
}

/** Compiles listen-backlog.c into the run's temp dir; undefined (and a note) when there is no cc. */
async function buildBacklogShim(dir: string, log: (s: string) => void): Promise<string | undefined> {
  const cc = which("cc") ?? which("gcc");
  if (!cc) {
    log("no C compiler: mosquitto keeps its listen backlog of 100 (expect SYN retransmits at high rates)");
    return undefined;
  }
  const out = path.join(dir, "listen-backlog.so");
  const r = await run(cc, ["-shared", "-fPIC", "-O2", "-o", out, path.join(here, "listen-backlog.c"), "-ldl"]);
  if (r.code !== 0) {
    log(`could not build the listen-backlog shim (${r.stderr.trim()}); mosquitto keeps its backlog of 100`);
    return undefined;
  }
  return out;
}

/** A CA named like Let's Encrypt Authority X3 and a leaf for xyz.asuscomm.com signed by it (PEERS.md). */
async function makeChain(dir: string): Promise<void> {
  const f = (n: string) => path.join(dir, n);
  const ossl = async (args: string[]) => {
    const r = await run("openssl", args, { cwd: dir });
    if (r.code !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr.trim()}`);
  };
  await ossl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.crt"), "-days", "3650",
    "-subj", "/C=US/O=Let's Encrypt/CN=Let's Encrypt Authority X3",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  await ossl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("leaf.key"), "-out", f("leaf.csr"), "-subj", `/CN=${TLS_LEAF_CN}`]);
  await writeFile(f("leaf.ext"), `subjectAltName=DNS:${TLS_LEAF_CN}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  await ossl(["x509", "-req", "-in", f("leaf.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "90",
    "-extfile", f("leaf.ext"), "-out", f("leaf.crt")]);
}

async function waitListening(tb: Testbed, daemons: Daemon[], sockets: ["tcp" | "udp", number][], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = daemons.find((d) => d.exited());
    if (dead) throw new Error(`${dead.name} ${dead.exited()}: ${dead.log().trim().slice(-2000)}`);
    const tcp = shQuiet("ip", ["netns", "exec", tb.b, "ss", "-Hlnt"]);
    const udp = shQuiet("ip", ["netns", "exec", tb.b, "ss", "-Hlnu"]);
    const missing = sockets.filter(([proto, port]) => !new RegExp(`0\\.0\\.0\\.0:${port}\\s`).test(proto === "tcp" ? tcp : udp));
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`peers not listening after ${timeoutMs} ms: ${missing.map(([p, n]) => `${p}/${n}`).join(", ")}`);
    await sleep(50);
  }
}

/** From the scanner side: the peers answer on the first, last and some random addresses of the /16. */
export async function checkPeers(tb: Testbed, addresses: string[]): Promise<void> {
  const [cmd, args] = tb.exec(tb.a, process.execPath, [
    "--import", "tsx", path.join(here, "check-peers.ts"),
    JSON.stringify({ addresses, deadlineMs: 15_000, tlsCn: TLS_LEAF_CN }),
  ]);
  const r = await run(cmd, args, { cwd: repoRoot });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  let verdict: { ok: boolean; failures?: string[] };
  try {
    verdict = JSON.parse(line) as typeof verdict;
  } catch {
    throw new Error(`peer check failed to run (exit ${r.code}): ${r.stderr.trim().slice(-2000)}`);
  }
  if (!verdict.ok) throw new Error(`peers do not answer on every address:\n  ${verdict.failures!.join("\n  ")}`);
}
