/**
 * A private mosquitto broker for tests and benchmarks: its own config, password file and certificates in
 * a temp dir, listeners on free loopback ports, readiness taken from its own log line (no sleeps), and a
 * stop function that kills it by PID. Recipes and pitfalls: /work/shared/PEERS.md (MQTT).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, tcpAccepts, waitFor } from "../helpers/wait.js";

const run = promisify(execFile);

export interface MosquittoListener {
  /** Port to bind; a free loopback port when absent. */
  port?: number;
  /** Address to bind (default 127.0.0.1). `null` binds every address (benchmark namespaces). */
  host?: string | null;
  /** Require this user (anonymous clients are refused with CONNACK code 5 / 0x87). Anonymous when absent. */
  password?: { username: string; password: string };
  /** Serve MQTT over TLS with a certificate made for this broker (leaf signed by a throwaway CA). */
  tls?: boolean;
}

export interface MosquittoOptions {
  listeners?: MosquittoListener[];
  /** Seconds between $SYS updates (mosquitto's default is 10). */
  sysInterval?: number;
  /**
   * Log connections and packets (default). Off for benchmarks: logging every client costs the broker
   * CPU; readiness is then taken from the ports accepting instead of the log line.
   */
  verbose?: boolean;
  /** Extra config lines appended verbatim. */
  extraConfig?: string[];
  startTimeoutMs?: number;
}

export interface MosquittoCertificate {
  /** SHA-256 of the leaf certificate, colon-separated upper-case hex (Node's fingerprint256 format). */
  sha256: string;
  subjectCn: string;
  issuerCn: string;
  caPem: string;
}

export interface MosquittoPeer {
  pid: number;
  dir: string;
  /** The bound port of each listener, in the order given. */
  ports: number[];
  /** The first listener's port. */
  port: number;
  version: string;
  /** Present when a listener uses TLS. */
  certificate?: MosquittoCertificate;
  /** Everything mosquitto logged so far (it logs to stderr). */
  log(): string;
  /** Publishes with mosquitto_pub on a listener (anonymous or with that listener's user), e.g. retained. */
  publish(topic: string, message: string, opts?: { retain?: boolean; listener?: number }): Promise<void>;
  stop(): Promise<void>;
}

export const MOSQUITTO_LEAF_CN = "broker.iotscope.test";
export const MOSQUITTO_CA_CN = "IoTScope Test CA";

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoPeer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "iotscope-mosquitto-"));
  try {
    const listeners = opts.listeners ?? [{}];
    const certificate = listeners.some((l) => l.tls) ? await makeCertificates(dir) : undefined;
    // A free port can be taken between the probe and mosquitto's bind: retry a few times with new ports.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(dir, listeners, opts, certificate);
      } catch (err) {
        if (attempt >= 3 || !String(err).includes("Address already in use")) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launch(
  dir: string,
  listeners: MosquittoListener[],
  opts: MosquittoOptions,
  certificate: MosquittoCertificate | undefined,
): Promise<MosquittoPeer> {
  const ports: number[] = [];
  const lines = [
    // Each listener has its own allow_anonymous / password_file.
    "per_listener_settings true",
    "persistence false",
    // stdout logging is block-buffered into pipes; stderr is not.
    "log_dest stderr",
    ...(opts.verbose === false ? ["log_type error", "log_type warning"] : ["log_type all"]),
    // Run as whoever started us: as root mosquitto would otherwise switch to the "mosquitto" user, which
    // cannot read our 0700 temp dir (password file, keys).
    "user root",
    `sys_interval ${opts.sysInterval ?? 10}`,
  ];
  for (const [i, l] of listeners.entries()) {
    const host = l.host === null ? undefined : (l.host ?? "127.0.0.1");
    const port = l.port ?? (await freePort(host ?? "127.0.0.1"));
    ports.push(port);
    lines.push("", host ? `listener ${port} ${host}` : `listener ${port}`);
    if (l.password) {
      const file = path.join(dir, `passwd-${i}`);
      await run("mosquitto_passwd", ["-c", "-b", file, l.password.username, l.password.password]);
      lines.push("allow_anonymous false", `password_file ${file}`);
    } else {
      lines.push("allow_anonymous true");
    }
    if (l.tls) {
      lines.push(
        `cafile ${path.join(dir, "ca.crt")}`,
        `certfile ${path.join(dir, "leaf.crt")}`,
        `keyfile ${path.join(dir, "leaf.key")}`,
      );
    }
  }
  lines.push(...(opts.extraConfig ?? []));
  const conf = path.join(dir, "mosquitto.conf");
  await writeFile(conf, lines.join("\n") + "\n");

  const child = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  let exited: string | undefined;
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (log += s));
  child.once("exit", (code, signal) => (exited = `mosquitto exited (${code ?? signal})`));
  child.once("error", (err) => (exited = `mosquitto failed to start: ${err.message}`));

  try {
    // mosquitto logs "mosquitto version X running" once every listener is bound.
    const timeout = opts.startTimeoutMs ?? 15_000;
    if (opts.verbose === false) {
      for (const [i, l] of listeners.entries()) {
        const host = l.host === null || l.host === undefined ? "127.0.0.1" : l.host;
        await waitFor(async () => exited !== undefined || (await tcpAccepts(ports[i]!, host)), "mosquitto to listen", timeout);
      }
    } else {
      await waitFor(() => exited !== undefined || /mosquitto version \S+ running/.test(log), "mosquitto to start", timeout);
    }
    if (exited) throw new Error(`${exited}: ${log.trim()}`);
  } catch (err) {
    await kill(child);
    throw err;
  }
  const version = /mosquitto version (\S+) running/.exec(log)?.[1] ?? (await binaryVersion());
  return {
    pid: child.pid!,
    dir,
    ports,
    port: ports[0]!,
    version,
    ...(certificate ? { certificate } : {}),
    log: () => log,
    async publish(topic, message, p = {}) {
      const li = p.listener ?? listeners.findIndex((l) => !l.tls);
      const l = listeners[li];
      if (!l || l.tls) throw new Error("publish needs a plain (non-TLS) listener");
      const args = ["-h", l.host === null ? "127.0.0.1" : (l.host ?? "127.0.0.1"), "-p", String(ports[li]), "-t", topic, "-m", message, "-q", "1"];
      if (p.retain) args.push("-r");
      if (l.password) args.push("-u", l.password.username, "-P", l.password.password);
      await run("mosquitto_pub", args, { timeout: 10_000 });
    },
    async stop() {
      await kill(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `mosquitto -h` prints "mosquitto version X" (and exits 3): the version when the log is quiet. */
async function binaryVersion(): Promise<string> {
  const out: string = await run("mosquitto", ["-h"]).then(
    (r) => r.stdout,
    (err: { stdout?: string }) => err.stdout ?? "",
  );
  return /mosquitto version (\S+)/.exec(out)?.[1] ?? "unknown";
}

/** SIGTERM by PID, SIGKILL if it has not exited within 5 s. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGKILL");
  }, 5_000);
  await gone;
  clearTimeout(timer);
}

/** A throwaway CA and a leaf for the broker (EC keys: generated in milliseconds, unlike RSA). */
async function makeCertificates(dir: string): Promise<MosquittoCertificate> {
  const f = (name: string) => path.join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", ["req", "-x509", ...ec, "-keyout", f("ca.key"), "-out", f("ca.crt"), "-days", "30", "-subj", `/CN=${MOSQUITTO_CA_CN}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  await run("openssl", ["req", "-new", ...ec, "-keyout", f("leaf.key"), "-out", f("leaf.csr"), "-subj", `/CN=${MOSQUITTO_LEAF_CN}`]);
  await writeFile(f("leaf.ext"), `subjectAltName=DNS:${MOSQUITTO_LEAF_CN},DNS:localhost,IP:127.0.0.1\n`);
  await run("openssl", ["x509", "-req", "-in", f("leaf.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial",
    "-out", f("leaf.crt"), "-days", "30", "-extfile", f("leaf.ext")]);
  const leaf = new X509Certificate(await readFile(f("leaf.crt")));
  return { sha256: leaf.fingerprint256, subjectCn: MOSQUITTO_LEAF_CN, issuerCn: MOSQUITTO_CA_CN, caPem: await readFile(f("ca.crt"), "utf8") };
}
