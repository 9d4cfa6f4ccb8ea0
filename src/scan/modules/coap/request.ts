/**
 * Building the datagrams we send, with coap-packet's `generate()` (it encodes option deltas and
 * extended lengths correctly; only its parser is unfit for hostile input, see message.ts).
 */
import { generate } from "coap-packet";
import { encodeBlock } from "./block.js";
import { OPTION } from "./registry.js";

export interface RequestTarget {
  /** Uri-Path segments, e.g. [".well-known", "core"]. */
  path: string[];
  /** Uri-Query parts, e.g. ["rt=ticks"]. */
  query: string[];
}

/** Splits "/.well-known/core?rt=x&if=y" into Uri-Path segments and Uri-Query parts (RFC 7252 §6.4). */
export function splitUri(pathAndQuery: string): RequestTarget {
  const q = pathAndQuery.indexOf("?");
  const pathPart = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  const queryPart = q < 0 ? "" : pathAndQuery.slice(q + 1);
  return {
    path: pathPart.split("/").filter((p) => p !== "").map(decodeSegment),
    query: queryPart === "" ? [] : queryPart.split("&").map(decodeSegment),
  };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // not percent-encoded after all: send as written
  }
}

export interface GetRequest {
  messageId: number;
  token: Buffer;
  target: RequestTarget;
  /** Block2 option to send: the block we want and our preferred size exponent. */
  block2?: { num: number; szx: number };
}

/** A confirmable GET. */
export function encodeGet(req: GetRequest): Buffer {
  const options: Array<{ name: string; value: Buffer }> = [
    ...req.target.path.map((p) => ({ name: String(OPTION.uriPath), value: Buffer.from(p, "utf8") })),
    ...req.target.query.map((p) => ({ name: String(OPTION.uriQuery), value: Buffer.from(p, "utf8") })),
  ];
  if (req.block2) options.push({ name: String(OPTION.block2), value: encodeBlock(req.block2.num, false, req.block2.szx) });
  return generate({ code: "GET", confirmable: true, messageId: req.messageId, token: req.token, options });
}

/** The empty ACK that acknowledges a confirmable separate response (RFC 7252 §5.2.2). */
export function encodeEmptyAck(messageId: number): Buffer {
  return generate({ code: "0.00", ack: true, messageId, token: Buffer.alloc(0) });
}
