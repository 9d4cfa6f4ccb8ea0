/**
 * The CoAP module's result (snake_case, JSON-safe) and how a parsed message becomes one.
 */
import { isUtf8 } from "node:buffer";
import { decodeBlock } from "./block.js";
import { parseLinkFormat, type LinkFormatError, type LinkFormatResource } from "./linkformat.js";
import { decodeUint, type CoapMessage, type CoapOption } from "./message.js";
import {
  codeClass,
  codeDetail,
  codeText,
  contentFormatName,
  LINK_FORMAT,
  OPTION,
  optionFormat,
  optionName,
  type CoapCodeClass,
  type CoapMessageType,
  type OptionFormat,
} from "./registry.js";

export interface CoapOptionResult {
  number: number;
  name: string;
  /** How `value` is written: uint → number, string → UTF-8 text, opaque → hex, empty → "". */
  format: OptionFormat;
  value: number | string;
  /** Block1/Block2 decoded (RFC 7959): block number, more-flag, block size. */
  block?: { num: number; more: boolean; size: number };
}

export interface CoapBlockwise {
  /** Blocks received (1 when only the first response came). */
  blocks: number;
  /** Block size of the last block received. */
  block_size: number;
  /** All blocks received, the last one without the M flag. */
  complete: boolean;
  /** Total size announced by the server (Size2), if any. */
  size2?: number;
  /** Why the transfer stopped early. The first response is kept regardless. */
  error?: string;
}

export interface CoapResult {
  /** What we asked. */
  request: { path: string; message_id: number; token: string; block_size?: number };
  /** Bytes of the probe datagram. */
  request_size: number;
  /** "CON" | "NON" | "ACK" | "RST" of the response (absent when no valid response came). */
  message_type?: CoapMessageType;
  /** "2.05" etc.; "0.00" for an RST. */
  code?: string;
  code_class?: CoapCodeClass;
  code_detail?: string;
  message_id?: number;
  /** Hex. */
  token?: string;
  options?: CoapOptionResult[];
  content_format?: number;
  content_format_name?: string;
  /** The (reassembled) payload: text when it is UTF-8, base64 otherwise; capped. */
  payload?: string;
  payload_encoding?: "utf8" | "base64";
  /** Payload bytes received (before the cap). */
  payload_size?: number;
  payload_truncated?: boolean;
  /** CoRE Link Format resources, when the payload is link-format (ct=40, or untyped and starting with "<"). */
  resources?: LinkFormatResource[];
  link_format_errors?: LinkFormatError[];
  link_format_truncated?: boolean;
  /** The endpoint answered with a Reset: it speaks CoAP but refused the request. */
  rst?: boolean;
  /** The server acknowledged with an empty ACK, announcing a separate response (RFC 7252 §5.2.2). */
  empty_ack?: boolean;
  /** The response came as its own CON/NON message rather than piggy-backed on the ACK. */
  separate_response?: boolean;
  blockwise?: CoapBlockwise;
  /** Bytes of every datagram the target sent in answer to the probe (before any block follow-up). */
  response_size: number;
  /** response_size / request_size, 2 decimals: Shadowserver's figure. */
  amplification?: number;
  /** Milliseconds from sending the probe to the first datagram that matched it. */
  rtt_ms?: number;
  /** Totals over the whole scan, block follow-ups and ACKs included. */
  bytes_sent: number;
  bytes_received: number;
  datagrams_received: number;
  /** Well-formed datagrams that matched nothing we asked (wrong message id or token, duplicates). */
  ignored_datagrams: number;
  retransmissions: number;
  /** Hex of the first datagram that failed to parse (first 512 bytes). */
  malformed_response?: string;
}

/** Largest payload kept in the result; the rest is counted in payload_size. */
export const PAYLOAD_CAP = 64 * 1024;
const MALFORMED_CAP = 512;

export function optionResult(o: CoapOption): CoapOptionResult {
  const base = { number: o.number, name: optionName(o.number) };
  const format = optionFormat(o.number);
  if (o.value.length === 0) return { ...base, format: format === "uint" ? "uint" : "empty", value: format === "uint" ? 0 : "" };
  if ((o.number === OPTION.block2 || o.number === OPTION.block1) && o.value.length <= 3 && (o.value[o.value.length - 1]! & 7) !== 7) {
    const b = decodeBlock(o.value);
    return { ...base, format: "uint", value: decodeUint(o.value), block: { num: b.num, more: b.more, size: b.size } };
  }
  if (format === "uint" && o.value.length <= 4) return { ...base, format, value: decodeUint(o.value) };
  if (format === "string" && isUtf8(o.value)) return { ...base, format, value: o.value.toString("utf8") };
  return { ...base, format: "opaque", value: o.value.toString("hex") };
}

/** Header, options and content format of a response (payload handled by `applyPayload`). */
export function describeMessage(msg: CoapMessage): Pick<
  CoapResult,
  "message_type" | "code" | "code_class" | "code_detail" | "message_id" | "token" | "options" | "content_format" | "content_format_name"
> {
  const detail = codeDetail(msg.code);
  const cf = msg.options.find((o) => o.number === OPTION.contentFormat);
  const cfValue = cf && cf.value.length <= 4 ? decodeUint(cf.value) : undefined;
  const cfName = cfValue !== undefined ? contentFormatName(cfValue) : undefined;
  return {
    message_type: msg.type,
    code: codeText(msg.code),
    code_class: codeClass(msg.code),
    ...(detail ? { code_detail: detail } : {}),
    message_id: msg.messageId,
    token: msg.token.toString("hex"),
    options: msg.options.map(optionResult),
    ...(cfValue !== undefined ? { content_format: cfValue } : {}),
    ...(cfName ? { content_format_name: cfName } : {}),
  };
}

/** Payload text/base64 and, for link-format, the resources. */
export function describePayload(payload: Buffer, contentFormat: number | undefined): Partial<CoapResult> {
  if (payload.length === 0) return { payload_size: 0 };
  const kept = payload.length > PAYLOAD_CAP ? payload.subarray(0, PAYLOAD_CAP) : payload;
  const text = isUtf8(kept);
  const out: Partial<CoapResult> = {
    payload: text ? kept.toString("utf8") : kept.toString("base64"),
    payload_encoding: text ? "utf8" : "base64",
    payload_size: payload.length,
    ...(kept.length < payload.length ? { payload_truncated: true } : {}),
  };
  const asText = kept.toString("utf8");
  if (contentFormat === LINK_FORMAT || (contentFormat === undefined && asText.trimStart().startsWith("<"))) {
    const lf = parseLinkFormat(asText);
    out.resources = lf.resources;
    if (lf.errors.length > 0) out.link_format_errors = lf.errors;
    if (lf.truncated) out.link_format_truncated = true;
  }
  return out;
}

export function malformedHex(datagram: Buffer): string {
  return datagram.subarray(0, MALFORMED_CAP).toString("hex");
}

/**
 * Bytes answered per byte asked, 2 decimals, as Shadowserver reports it. Not divided by retransmissions:
 * we only retransmit when nothing came back, and stop at the first matching answer, so the bytes counted
 * answer one probe (the typical retransmission is a lost datagram, not a server answering twice).
 */
export function amplification(responseSize: number, requestSize: number): number | undefined {
  if (responseSize === 0 || requestSize === 0) return undefined;
  return Math.round((responseSize / requestSize) * 100) / 100;
}

/** The columns of Shadowserver's Accessible-CoAP report that a scan fills (response, size, amplification). */
export function shadowserverColumns(r: CoapResult): { response: string; response_size: number; amplification?: number } {
  return {
    response: r.payload ?? "",
    response_size: r.response_size,
    ...(r.amplification !== undefined ? { amplification: r.amplification } : {}),
  };
}

/** Field order of a result in JSON output: what the peer said first, then sizes and counters. */
const ORDER: ReadonlyArray<keyof CoapResult> = [
  "message_type",
  "code",
  "code_class",
  "code_detail",
  "message_id",
  "token",
  "options",
  "content_format",
  "content_format_name",
  "payload",
  "payload_encoding",
  "payload_size",
  "payload_truncated",
  "resources",
  "link_format_errors",
  "link_format_truncated",
  "rst",
  "empty_ack",
  "separate_response",
  "blockwise",
  "response_size",
  "request_size",
  "amplification",
  "rtt_ms",
  "request",
  "bytes_sent",
  "bytes_received",
  "datagrams_received",
  "ignored_datagrams",
  "retransmissions",
  "malformed_response",
];

export function orderResult(r: CoapResult): CoapResult {
  const out: Record<string, unknown> = {};
  for (const k of ORDER) if (r[k] !== undefined) out[k] = r[k];
  return out as unknown as CoapResult;
}
