/**
 * libcoap's example server (`coap-server-notls`, libcoap3-bin) on a free loopback port, for tests and
 * benchmarks. UDP has no "accept", so readiness is a CoAP ping (an empty CON) answered by a Reset.
 *
 *   const coap = await startLibcoap();            // or { host: "::1" }, { args: ["-l", "1"] }
 *   ... coap://127.0.0.1:${coap.port}/.well-known/core ...
 *   await coap.stop();
 */
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import net from "node:net";

export interface LibcoapServer {
  host: string;
  port: number;
  pid: number;
  /** What the server printed on stderr so far (bounded), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface LibcoapOptions {
  /** Address to bind: "127.0.0.1" (default) or "::1". */
  host?: string;
  /** Port; a free one is picked when absent. */
  port?: number;
  /** Extra arguments, e.g. ["-l", "1"] to drop the first datagram it would send. */
  args?: string[];
  readyTimeoutMs?: number;
}

export const LIBCOAP_BINARY = "coap-server-notls";

export async function startLibcoap(opts: LibcoapOptions = {}): Promise<LibcoapServer> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? (await freeUdpAndTcpPort(host));
  const child = spawn(LIBCOAP_BINARY, ["-A", host, "-p", String(port), ...(opts.args ?? [])], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    if (stderr.length < 16_384) stderr += d.toString();
  });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = `exited with ${code ?? signal}`;
      resolve();
    });
    child.once("error", (err) => {
      exited = `failed to start: ${err.message}`;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (exited || child.pid === undefined) return;
    process.kill(child.pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (!exited && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    }, 3000);
    await exit;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 10_000);
  for (;;) {
    if (exited) throw new Error(`${LIBCOAP_BINARY} ${exited}: ${stderr.trim()}`);
    if (await coapPing(host, port, 100)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${LIBCOAP_BINARY} on [${host}]:${port} did not answer a CoAP ping: ${stderr.trim()}`);
    }
  }
  return { host, port, pid: child.pid!, log: () => stderr, stop };
}

/** Sends a CoAP ping (empty CON) and reports whether a Reset or ACK with the same message id came back. */
export function coapPing(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    const mid = Math.floor(Math.random() * 0x10000);
    const ping = Buffer.from([0x40, 0x00, mid >> 8, mid & 0xff]);
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on("error", () => finish(false));
    sock.on("message", (msg) => {
      if (msg.length >= 4 && msg.readUInt16BE(2) === mid && ((msg[0]! >> 4) & 0x3) >= 2) finish(true);
    });
    sock.send(ping, port, host);
  });
}

/** A port free for both UDP and TCP on `host` (libcoap's -p binds both). */
export async function freeUdpAndTcpPort(host = "127.0.0.1"): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await bindUdp(host, 0);
    if (port !== undefined && (await tcpFree(host, port))) return port;
  }
  throw new Error(`no free UDP+TCP port on ${host}`);
}

function bindUdp(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    sock.once("error", () => resolve(undefined));
    sock.bind(port, host, () => {
      const p = sock.address().port;
      sock.close(() => resolve(p));
    });
  });
}

function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}
