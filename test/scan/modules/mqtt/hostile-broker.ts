/**
 * A misbehaving "broker" on loopback: each connection runs a script (send garbage, truncate, drip bytes,
 * stay silent, reset) once the scanner's CONNECT arrives. Timers are tracked so close() leaves nothing.
 */
import net from "node:net";

export interface HostileConnection {
  socket: net.Socket;
  /** The scanner's first bytes (its CONNECT). */
  request: Buffer;
  /** Later bytes from the scanner (SUBSCRIBE, DISCONNECT), as they come. */
  received: Buffer[];
  /** setTimeout that close() cancels. */
  later(ms: number, fn: () => void): void;
}

export interface HostileBroker {
  port: number;
  connections: HostileConnection[];
  close(): Promise<void>;
}

export async function startHostileBroker(script: (c: HostileConnection) => void): Promise<HostileBroker> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const connections: HostileConnection[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let conn: HostileConnection | undefined;
    socket.on("data", (chunk: Buffer) => {
      if (conn) {
        conn.received.push(chunk);
        return;
      }
      conn = {
        socket,
        request: chunk,
        received: [],
        later(ms, fn) {
          const t = setTimeout(() => {
            timers.delete(t);
            if (!socket.destroyed) fn();
          }, ms);
          timers.add(t);
        },
      };
      connections.push(conn);
      script(conn);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
