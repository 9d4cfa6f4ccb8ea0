/**
 * A misbehaving "TLS server" on loopback: once the scanner's ClientHello arrives, each connection runs a
 * script (answer in HTTP, send garbage or an alert, drip bytes, stay silent, close or reset mid-handshake).
 * Timers are tracked so close() leaves nothing behind.
 */
import net from "node:net";

export interface HostileConnection {
  socket: net.Socket;
  /** The scanner's first bytes: its ClientHello record. */
  clientHello: Buffer;
  /** setTimeout that close() cancels. */
  later(ms: number, fn: () => void): void;
}

export interface HostileServer {
  port: number;
  connections: HostileConnection[];
  close(): Promise<void>;
}

export async function startHostileServer(script: (c: HostileConnection) => void): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const connections: HostileConnection[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", (chunk: Buffer) => {
      const conn: HostileConnection = {
        socket,
        clientHello: chunk,
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

/** A TLS record header + body: content type, legacy version 0x0303, length. */
export function tlsRecord(type: number, body: Buffer): Buffer {
  const header = Buffer.from([type, 0x03, 0x03, 0, 0]);
  header.writeUInt16BE(body.length, 3);
  return Buffer.concat([header, body]);
}

/** The start of a plausible ServerHello (handshake type 2, TLS 1.2, random), cut short. */
export function partialServerHello(): Buffer {
  const body = Buffer.concat([Buffer.from([0x02, 0x00, 0x00, 0x46, 0x03, 0x03]), Buffer.alloc(32, 0x42), Buffer.from([0x00])]);
  const record = tlsRecord(0x16, Buffer.concat([body, Buffer.alloc(0x4a - body.length + 4, 0)]));
  return record.subarray(0, 20);
}
