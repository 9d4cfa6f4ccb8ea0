/**
 * Loopback peers for engine tests: one TCP (and optionally UDP) listener per 127.0.0.x address, all on
 * the same port, recording which address each probe reached and when. Linux routes all of 127.0.0.0/8 to
 * the loopback interface, so every such address can be bound; nothing here ever leaves the machine.
 */
import dgram from "node:dgram";
import net from "node:net";

export interface Hit {
  /** The address and port the probe was sent to (the listener's local side). */
  ip: string;
  port: number;
  kind: "tcp" | "udp";
  /** performance.now() when it arrived. */
  at: number;
}

export interface Loopback {
  port: number;
  hits: Hit[];
  close(): Promise<void>;
}

export interface LoopbackOptions {
  /** Also listen for UDP datagrams on the same port. */
  udp?: boolean;
  /** Send "banner <ip>\n" to each TCP connection (default: true); otherwise close at once. */
  banner?: boolean;
  /** Several ports: listeners on `port`, `port+1`, … (default 1). */
  ports?: number;
}

/** Binds every address in `addresses` (127.0.0.x) on one free port; retries with another port on a clash. */
export async function startLoopback(addresses: readonly string[], opts: LoopbackOptions = {}): Promise<Loopback> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const hits: Hit[] = [];
    const servers: net.Server[] = [];
    const sockets: dgram.Socket[] = [];
    const closeAll = async () => {
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    };
    try {
      for (let k = 0; k < (opts.ports ?? 1); k++) {
        for (const ip of addresses) {
          const port = base + k;
          const server = net.createServer((sock) => {
            hits.push({ ip: sock.localAddress ?? ip, port, kind: "tcp", at: performance.now() });
            sock.on("error", () => {});
            if (opts.banner === false) sock.destroy();
            else sock.end(`banner ${ip}\n`);
          });
          servers.push(server);
          await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen({ port, host: ip, backlog: 4096 }, () => resolve());
          });
          if (opts.udp) {
            const sock = dgram.createSocket("udp4");
            sockets.push(sock);
            sock.on("message", () => hits.push({ ip, port, kind: "udp", at: performance.now() }));
            await new Promise<void>((resolve, reject) => {
              sock.once("error", reject);
              sock.bind(port, ip, () => resolve());
            });
          }
        }
      }
      return { port: base, hits, close: closeAll };
    } catch {
      await closeAll();
    }
  }
  throw new Error("could not bind the loopback listeners");
}

/** 127.0.0.first … 127.0.0.last. */
export function loopbackRange(first: number, last: number, third = 0): string[] {
  const out: string[] = [];
  for (let i = first; i <= last; i++) out.push(`127.0.${third}.${i}`);
  return out;
}
