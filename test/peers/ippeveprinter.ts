/**
 * A real IPP Everywhere printer for tests and benchmarks: CUPS's `ippeveprinter` (cups-ipp-utils) on a
 * free loopback port, with a private D-Bus (it needs a system bus even with `-r off`), its spool, HOME and
 * TLS credentials in a temp dir, readiness taken from the port accepting (no sleeps), and a stop function
 * that kills both processes by PID. Recipes and pitfalls: /work/shared/PEERS.md (IPP).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, tcpAccepts, waitFor } from "../helpers/wait.js";

const run = promisify(execFile);

export interface IppEvePrinterOptions {
  /** Port to bind; a free one when absent. */
  port?: number;
  /** Service name; becomes printer-name and printer-info (default "TestPrinter"). */
  name?: string;
  /** Manufacturer (-M) and model (-m); printer-make-and-model is "<make> <model>". */
  make?: string;
  model?: string;
  /** printer-location (-l). */
  location?: string;
  /**
   * Give it a certificate the test makes (self-signed, CN=localhost, in `-K DIR`). ippeveprinter serves
   * IPPS on the same port as IPP: it looks at the first byte of each connection.
   */
  tls?: boolean;
  startTimeoutMs?: number;
}

export interface IppEvePrinterCertificate {
  /** SHA-256 of the certificate, colon-separated upper-case hex (Node's fingerprint256 format). */
  sha256: string;
  pem: string;
}

export interface IppEvePrinterPeer {
  pid: number;
  dbusPid: number;
  port: number;
  dir: string;
  name: string;
  make: string;
  model: string;
  location: string;
  /** The printer-uri it advertises: ipp://localhost:PORT/ipp/print. */
  uri: string;
  certificate?: IppEvePrinterCertificate;
  /** Everything ippeveprinter printed so far. */
  log(): string;
  stop(): Promise<void>;
}

export async function startIppEvePrinter(opts: IppEvePrinterOptions = {}): Promise<IppEvePrinterPeer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "iotscope-ippeveprinter-"));
  let dbus: ChildProcess | undefined;
  try {
    const certificate = opts.tls ? await makeCertificate(path.join(dir, "certs")) : undefined;
    await mkdir(path.join(dir, "spool"));
    dbus = await startDbus(dir, opts.startTimeoutMs ?? 15_000);
    // A free port can be taken between the probe and ippeveprinter's bind: retry a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(dir, dbus, opts, certificate);
      } catch (err) {
        if (attempt >= 3 || opts.port !== undefined || !String(err).includes("exited")) throw err;
      }
    }
  } catch (err) {
    if (dbus) await kill(dbus);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** `dbus-daemon --session` on a socket in the temp dir, standing in for the system bus. */
async function startDbus(dir: string, timeoutMs: number): Promise<ChildProcess> {
  const socket = path.join(dir, "dbus.sock");
  const child = spawn("dbus-daemon", ["--session", `--address=unix:path=${socket}`, "--nofork", "--print-pid"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let exited: string | undefined;
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.once("exit", (code, signal) => (exited = `dbus-daemon exited (${code ?? signal})`));
  child.once("error", (err) => (exited = `dbus-daemon failed to start: ${err.message}`));
  try {
    await waitFor(() => exited !== undefined || existsSync(socket), "dbus-daemon to create its socket", timeoutMs);
    if (exited) throw new Error(`${exited}: ${out.trim()}`);
  } catch (err) {
    await kill(child);
    throw err;
  }
  return child;
}

async function launch(
  dir: string,
  dbus: ChildProcess,
  opts: IppEvePrinterOptions,
  certificate: IppEvePrinterCertificate | undefined,
): Promise<IppEvePrinterPeer> {
  const port = opts.port ?? (await freePort());
  const name = opts.name ?? "TestPrinter";
  const make = opts.make ?? "Acme";
  const model = opts.model ?? "LaserJet 9000";
  const location = opts.location ?? "Lab";
  const args = ["-n", "localhost", "-p", String(port), "-r", "off", "-M", make, "-m", model, "-l", location, "-d", path.join(dir, "spool")];
  if (certificate) args.push("-K", path.join(dir, "certs"));
  args.push(name);
  // `-n 127.0.0.1` fails on the IPv6 listener; `-n localhost` binds 127.0.0.1 and ::1 only.
  const child = spawn("ippeveprinter", args, {
    stdio: ["ignore", "pipe", "pipe"],
    // HOME in the temp dir: CUPS keeps generated credentials under ~/.cups.
    env: { ...process.env, HOME: dir, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${path.join(dir, "dbus.sock")}` },
  });
  let log = "";
  let exited: string | undefined;
  child.stdout!.setEncoding("utf8").on("data", (s: string) => (log += s));
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (log += s));
  child.once("exit", (code, signal) => (exited = `ippeveprinter exited (${code ?? signal})`));
  child.once("error", (err) => (exited = `ippeveprinter failed to start: ${err.message}`));
  try {
    await waitFor(async () => exited !== undefined || (await tcpAccepts(port)), "ippeveprinter to listen", opts.startTimeoutMs ?? 15_000);
    if (exited) throw new Error(`${exited}: ${log.trim()}`);
  } catch (err) {
    await kill(child);
    throw err;
  }
  return {
    pid: child.pid!,
    dbusPid: dbus.pid!,
    port,
    dir,
    name,
    make,
    model,
    location,
    uri: `ipp://localhost:${port}/ipp/print`,
    ...(certificate ? { certificate } : {}),
    log: () => log,
    async stop() {
      await kill(child);
      await kill(dbus);
      await rm(dir, { recursive: true, force: true });
    },
  };
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

/** Self-signed localhost.crt / localhost.key, the names ippeveprinter looks for in `-K DIR`. */
async function makeCertificate(certDir: string): Promise<IppEvePrinterCertificate> {
  await mkdir(certDir, { recursive: true });
  const crt = path.join(certDir, "localhost.crt");
  await run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", path.join(certDir, "localhost.key"), "-out", crt, "-days", "30", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]);
  const pem = await readFile(crt, "utf8");
  return { sha256: new X509Certificate(pem).fingerprint256, pem };
}
