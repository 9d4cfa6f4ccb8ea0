/**
 * CoAP (RFC 7252) method/response code and Uri-Path. coap-packet (a dependency, used by the scanner)
 * is not used here: tried on captured bytes, its parse() throws a bare RangeError on a truncated
 * header, accepts a token length beyond the message, and builds an object with a Buffer per option —
 * neither tolerant nor cheap for a per-packet hot path over fuzzed captures. This bounded walk reads
 * only the two fields we report and gives up quietly on anything malformed.
 */
import { latin1 } from "./tls.js";

const METHODS = ["EMPTY", "GET", "POST", "PUT", "DELETE", "FETCH", "PATCH", "iPATCH"];

export interface CoapInfo {
  /** GET/POST/… for requests, "2.05"-style codes for responses. */
  method: string;
  path?: string;
}

export function coapMessage(b: Uint8Array, o: number, end: number): CoapInfo | undefined {
  if (end - o < 4 || b[o]! >> 6 !== 1) return undefined;
  const tkl = b[o]! & 0x0f;
  if (tkl > 8) return undefined;
  const code = b[o + 1]!;
  const cls = code >> 5;
  const detail = code & 0x1f;
  if (cls === 1 || cls === 6 || cls === 7) return undefined;
  const method = cls === 0 ? METHODS[detail] : `${cls}.${detail < 10 ? "0" : ""}${detail}`;
  if (method === undefined) return undefined;
  let p = o + 4 + tkl;
  if (p > end) return undefined;
  let opt = 0;
  let path: string | undefined;
  while (p < end && b[p] !== 0xff) {
    let delta = b[p]! >> 4;
    let len = b[p]! & 0x0f;
    p++;
    if (delta === 15 || len === 15) return { method };
    if (delta === 13) {
      if (p >= end) break;
      delta = b[p++]! + 13;
    } else if (delta === 14) {
      if (p + 1 >= end) break;
      delta = ((b[p]! << 8) | b[p + 1]!) + 269;
      p += 2;
    }
    if (len === 13) {
      if (p >= end) break;
      len = b[p++]! + 13;
    } else if (len === 14) {
      if (p + 1 >= end) break;
      len = ((b[p]! << 8) | b[p + 1]!) + 269;
      p += 2;
    }
    opt += delta;
    if (p + len > end) break;
    if (opt === 11) path = path === undefined ? latin1(b, p, p + len) : `${path}/${latin1(b, p, p + len)}`;
    else if (opt > 11 && path !== undefined) break;
    p += len;
  }
  return path === undefined ? { method } : { method, path };
}
