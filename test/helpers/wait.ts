/**
 * Waiting for peers without sleeps: poll a condition (a port that accepts, a log line) with a deadline.
 */
import net from "node:net";

export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function tcpAccepts(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export function waitForPort(port: number, host = "127.0.0.1", timeoutMs = 15_000): Promise<void> {
  return waitFor(() => tcpAccepts(port, host), `${host}:${port} to accept connections`, timeoutMs);
}

/** A free TCP port on loopback (the kernel picks it). UDP users check the same number is free for UDP. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
