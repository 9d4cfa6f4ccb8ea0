/**
 * A tiny scripted CoAP "server" on loopback UDP for malformed and adversarial replies: each request is
 * handed to a script that decides what (if anything) to send back.
 */
import dgram from "node:dgram";
import { generate } from "coap-packet";

export interface RequestIds {
  messageId: number;
  token: Buffer;
  /** Block2 NUM requested (undefined when the request carries no Block2 option). */
  block2?: number;
  /** Code byte: 0 for an empty message (our ACK of a separate response). */
  code: number;
  type: number;
}

export type Script = (req: Buffer, ids: RequestIds, reply: (datagram: Buffer) => void, n: number) => void;

export interface HostileCoap {
  host: string;
  port: number;
  /** Every datagram the scanner sent, in order. */
  received: Buffer[];
  close(): Promise<void>;
}

export function startHostileCoap(script: Script, host = "127.0.0.1"): Promise<HostileCoap> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
    const received: Buffer[] = [];
    let closed = false; // scripts may still have timers pending when a test ends
    sock.on("message", (msg, rinfo) => {
      received.push(msg);
      script(msg, ids(msg), (d) => (closed ? undefined : sock.send(d, rinfo.port, rinfo.address)), received.length);
    });
    sock.once("error", reject);
    sock.bind(0, host, () => {
      resolve({
        host,
        port: sock.address().port,
        received,
        close: () =>
          new Promise<void>((r) => {
            if (closed) return r();
            closed = true;
            sock.close(() => r());
          }),
      });
    });
  });
}

/** Message id, token and Block2 number of a request we sent (our own, well-formed datagrams). */
function ids(msg: Buffer): RequestIds {
  const tkl = msg[0]! & 0x0f;
  let pos = 4 + tkl;
  let number = 0;
  let block2: number | undefined;
  while (pos < msg.length && msg[pos] !== 0xff) {
    let delta = msg[pos]! >> 4;
    let len = msg[pos]! & 0x0f;
    pos++;
    if (delta === 13) delta = msg[pos++]! + 13;
    if (len === 13) len = msg[pos++]! + 13;
    number += delta;
    if (number === 23) {
      let v = 0;
      for (const b of msg.subarray(pos, pos + len)) v = v * 256 + b;
      block2 = v >> 4;
    }
    pos += len;
  }
  return { messageId: msg.readUInt16BE(2), token: msg.subarray(4, 4 + tkl), code: msg[1]!, type: (msg[0]! >> 4) & 3, ...(block2 !== undefined ? { block2 } : {}) };
}

export interface ReplySpec {
  type?: "ACK" | "CON" | "NON" | "RST";
  code?: string;
  messageId?: number;
  token?: Buffer;
  options?: Array<{ name: string; value: Buffer }>;
  payload?: string | Buffer;
}

/** A well-formed reply built with coap-packet (default: piggy-backed ACK 2.05 to `ids`). */
export function reply(ids: RequestIds, spec: ReplySpec = {}): Buffer {
  const type = spec.type ?? "ACK";
  return generate({
    code: spec.code ?? "2.05",
    messageId: spec.messageId ?? ids.messageId,
    token: spec.token ?? ids.token,
    confirmable: type === "CON",
    ack: type === "ACK",
    reset: type === "RST",
    options: spec.options ?? [],
    payload: typeof spec.payload === "string" ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(0)),
  });
}

/** uint option value, shortest form. */
export function uint(n: number): Buffer {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Buffer.from(out);
}

export function block2(num: number, more: boolean, szx: number): { name: string; value: Buffer } {
  return { name: "Block2", value: uint(num * 16 + (more ? 8 : 0) + szx) };
}

export const linkFormat = { name: "Content-Format", value: uint(40) };
