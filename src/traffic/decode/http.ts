/**
 * HTTP-style start lines and headers (HTTP requests, SSDP over UDP) straight from the bytes: no
 * regexes, no decoding of the whole payload; only the first 4 KiB are looked at and values are capped.
 */
import { latin1 } from "./tls.js";

const SCAN_LIMIT = 4096;
const VALUE_CAP = 512;

const METHODS = ["GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE"];
const METHOD_BYTES = METHODS.map((m) => Buffer.from(`${m} `, "latin1"));

/** Index in METHODS when the payload starts with "<METHOD> ", else -1. */
export function requestMethod(b: Uint8Array, o: number, end: number): number {
  const c = b[o];
  if (c === undefined || c < 0x41 || c > 0x5a) return -1;
  for (let m = 0; m < METHOD_BYTES.length; m++) {
    const mb = METHOD_BYTES[m]!;
    if (end - o < mb.length || mb[0] !== c) continue;
    let i = 1;
    while (i < mb.length && b[o + i] === mb[i]) i++;
    if (i === mb.length) return m;
  }
  return -1;
}

export function methodName(m: number): string {
  return METHODS[m]!;
}

/** True when the payload starts with "HTTP/1." (a response, or an SSDP answer). */
export function isHttpResponse(b: Uint8Array, o: number, end: number): boolean {
  return end - o >= 12 && b[o] === 0x48 && b[o + 1] === 0x54 && b[o + 2] === 0x54 && b[o + 3] === 0x50 && b[o + 4] === 0x2f && b[o + 5] === 0x31 && b[o + 6] === 0x2e;
}

export interface HeaderScan {
  path?: string;
  /** Values of the requested headers, by position in `names`. */
  values: (string | undefined)[];
}

/**
 * The request target (second token of the start line) and the values of `names` (lower-case header
 * names). Stops at the empty line or SCAN_LIMIT.
 */
export function scanHeaders(b: Uint8Array, o: number, end: number, names: readonly Uint8Array[]): HeaderScan {
  const stop = Math.min(end, o + SCAN_LIMIT);
  const values: (string | undefined)[] = new Array(names.length);
  // Start line: METHOD SP target SP version
  let p = o;
  while (p < stop && b[p] !== 0x20 && b[p] !== 0x0d && b[p] !== 0x0a) p++;
  let path: string | undefined;
  if (b[p] === 0x20) {
    const t = p + 1;
    let q = t;
    while (q < stop && b[q] !== 0x20 && b[q] !== 0x0d && b[q] !== 0x0a) q++;
    if (q > t) path = latin1(b, t, Math.min(q, t + VALUE_CAP));
    p = q;
  }
  while (p < stop && b[p] !== 0x0a) p++;
  p++;
  while (p < stop) {
    // One header line: name ":" OWS value OWS CRLF
    const lineStart = p;
    while (p < stop && b[p] !== 0x0a) p++;
    let lineEnd = p;
    if (lineEnd > lineStart && b[lineEnd - 1] === 0x0d) lineEnd--;
    p++;
    if (lineEnd === lineStart) break;
    for (let n = 0; n < names.length; n++) {
      const name = names[n]!;
      if (values[n] !== undefined || lineEnd - lineStart <= name.length || b[lineStart + name.length] !== 0x3a) continue;
      let i = 0;
      while (i < name.length && (b[lineStart + i]! | 0x20) === name[i]) i++;
      if (i !== name.length) continue;
      let v = lineStart + name.length + 1;
      while (v < lineEnd && (b[v] === 0x20 || b[v] === 0x09)) v++;
      let e = lineEnd;
      while (e > v && (b[e - 1] === 0x20 || b[e - 1] === 0x09)) e--;
      values[n] = latin1(b, v, Math.min(e, v + VALUE_CAP));
      break;
    }
  }
  return path === undefined ? { values } : { path, values };
}

export function headerNames(...names: string[]): Uint8Array[] {
  return names.map((n) => Buffer.from(n.toLowerCase(), "latin1"));
}
