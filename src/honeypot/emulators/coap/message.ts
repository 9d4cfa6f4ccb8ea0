/**
 * Request parsing and reply building on coap-packet. Its parse() is not safe on hostile input by itself
 * (see src/scan/modules/coap/message.ts: short headers throw RangeError, token lengths 9–15 are read,
 * an option running past the end is silently cut), so the header is checked here first and any throw is
 * a malformed datagram. A silently cut option only changes what we record, never what we send.
 */
import { generate, parse, type ParsedPacket } from "coap-packet";

export interface CoapRequest {
  packet: ParsedPacket;
  type: "CON" | "NON" | "ACK" | "RST";
  /** GET, POST, …, EMPTY for code 0.00, else the code as c.dd (a response sent to us). */
  method: string;
  path: string;
  query: string;
  block2?: { num: number; szx: number };
}

const methods: Record<string, string> = { "0.00": "EMPTY", "0.01": "GET", "0.02": "POST", "0.03": "PUT", "0.04": "DELETE", "0.05": "FETCH", "0.06": "PATCH", "0.07": "iPATCH" };

export function parseRequest(buf: Buffer): CoapRequest | { malformed: string } {
  if (buf.length < 4) return { malformed: `datagram of ${buf.length} bytes is shorter than a CoAP header` };
  if (buf[0]! >> 6 !== 1) return { malformed: `version ${buf[0]! >> 6} is not CoAP version 1` };
  if ((buf[0]! & 0x0f) > 8) return { malformed: `token length ${buf[0]! & 0x0f} is reserved` };
  let packet: ParsedPacket;
  try {
    packet = parse(buf);
  } catch (err) {
    return { malformed: `unparseable: ${err instanceof Error ? err.message : String(err)}` };
  }
  const type = packet.ack ? "ACK" : packet.reset ? "RST" : packet.confirmable ? "CON" : "NON";
  const text = (v: Buffer) => v.toString("utf8");
  const path = "/" + packet.options.filter((o) => o.name === "Uri-Path").map((o) => text(o.value)).join("/");
  const query = packet.options.filter((o) => o.name === "Uri-Query").map((o) => text(o.value)).join("&");
  const b2 = packet.options.find((o) => o.name === "Block2");
  let block2: CoapRequest["block2"];
  if (b2 && b2.value.length <= 3) {
    const v = b2.value.reduce((acc, byte) => acc * 256 + byte, 0);
    block2 = { num: v >> 4, szx: Math.min(v & 7, 6) };
  }
  return { packet, type, method: methods[packet.code] ?? packet.code, path, query, block2 };
}

export interface Reply {
  code: string;
  payload?: Buffer;
  contentFormat?: number;
}

/**
 * Encodes the reply to `req` in at most `budget` bytes: a piggy-backed ACK for CON, NON for NON. A
 * payload that doesn't fit is sent in Block2 blocks (RFC 7959) of the largest size that fits, starting
 * at the block the client asked for; undefined when not even a 16-byte block fits.
 */
export function encodeReply(req: CoapRequest, reply: Reply, messageId: number, budget: number): { bytes: Buffer; block?: number } | undefined {
  const head = {
    messageId: req.type === "CON" ? req.packet.messageId : messageId,
    token: req.packet.token,
    code: reply.code,
    ack: req.type === "CON",
    confirmable: false,
  };
  const cf = reply.contentFormat !== undefined ? [{ name: "Content-Format" as const, value: uint(reply.contentFormat) }] : [];
  const payload = reply.payload ?? Buffer.alloc(0);
  if (!req.block2) {
    const whole = generate({ ...head, options: cf, payload });
    if (whole.length <= budget) return { bytes: whole };
    if (payload.length === 0) return undefined;
  }
  const wantedSzx = req.block2?.szx ?? 6;
  const offset = req.block2 ? req.block2.num * 2 ** (req.block2.szx + 4) : 0;
  if (offset >= payload.length && offset > 0) return undefined;
  for (let szx = wantedSzx; szx >= 0; szx--) {
    const size = 2 ** (szx + 4);
    const num = Math.floor(offset / size);
    const chunk = payload.subarray(num * size, num * size + size);
    const more = num * size + size < payload.length ? 1 : 0;
    const bytes = generate({ ...head, options: [...cf, { name: "Block2", value: uint((num << 4) | (more << 3) | szx) }], payload: chunk });
    if (bytes.length <= budget) return { bytes, block: num };
  }
  return undefined;
}

/** An option's uint value in the fewest bytes (0 → empty). */
function uint(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from(bytes);
}
