/**
 * A scripted IPP/HTTP server on loopback for fallback and hostile-peer tests: it reads each request (head
 * plus Content-Length body), decodes the IPP part, and lets the test answer with whatever bytes it likes.
 */
import net from "node:net";
import { decodeIppMessage, ippHeader, ippItem, ippEndOfAttributes, ippTag, type IppMessage } from "../../../../src/scan/modules/ipp/index.js";

export interface ReceivedRequest {
  requestLine: string;
  headers: Record<string, string>;
  body: Buffer;
  ipp?: IppMessage;
  /** 1 for the first connection, 2 for the second, ... */
  connection: number;
}

export type Handler = (req: ReceivedRequest, socket: net.Socket) => unknown;

export interface Responder {
  port: number;
  requests: ReceivedRequest[];
  connections: number;
  close(): Promise<void>;
}

export async function startResponder(handler: Handler): Promise<Responder> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const connection = ++connections;
    let buf = Buffer.alloc(0);
    let handled = false;
    socket.on("data", (chunk: Buffer) => {
      if (handled) return;
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = buf.toString("latin1", 0, end).split("\r\n");
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const c = l.indexOf(":");
        headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim();
      }
      const length = Number(headers["content-length"] ?? 0);
      if (buf.length < end + 4 + length) return;
      handled = true;
      const body = buf.subarray(end + 4, end + 4 + length);
      let ipp: IppMessage | undefined;
      try {
        ipp = decodeIppMessage(body);
      } catch {
        ipp = undefined;
      }
      const req: ReceivedRequest = { requestLine: lines[0]!, headers, body, connection, ...(ipp ? { ipp } : {}) };
      requests.push(req);
      void Promise.resolve(handler(req, socket)).catch(() => socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An HTTP/1.1 response head with Content-Length for `body`. */
export function httpHead(status: string, headers: Record<string, string | number>, bodyLength?: number): Buffer {
  const lines = [`HTTP/1.1 ${status}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (bodyLength !== undefined) lines.push(`Content-Length: ${bodyLength}`);
  return Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1");
}

/** A complete application/ipp response. */
export function httpIpp(body: Buffer, extra: Record<string, string> = {}): Buffer {
  return Buffer.concat([httpHead("200 OK", { "Content-Type": "application/ipp", Server: "TestResponder/1.0", ...extra }, body.length), body]);
}

/** An IPP response: header, operation group (charset, language), then `printerItems` in a printer group. */
export function ippResponse(o: { version?: [number, number]; status?: number; requestId?: number; printerItems?: Buffer[]; operationItems?: Buffer[] }): Buffer {
  const [major, minor] = o.version ?? [2, 0];
  const parts = [
    ippHeader({ major, minor }, o.status ?? 0, o.requestId ?? 1),
    Buffer.from([ippTag.operationAttributes]),
    ippItem(ippTag.charset, "attributes-charset", "utf-8"),
    ippItem(ippTag.naturalLanguage, "attributes-natural-language", "en"),
    ...(o.operationItems ?? []),
  ];
  if (o.printerItems) parts.push(Buffer.from([ippTag.printerAttributes]), ...o.printerItems);
  parts.push(ippEndOfAttributes);
  return Buffer.concat(parts);
}
