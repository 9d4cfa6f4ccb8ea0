/**
 * The small HTTP/1.1 client IPP needs: one POST per connection (`Connection: close`), then one response
 * read with the engine's SocketReader.
 *
 * Hand-written instead of node:http with `createConnection` returning the dialled socket: node:http would
 * bring its own parser limits, timeouts and error codes (HPE_*), buffer bodies we must cap ourselves anyway,
 * and lose the partial bytes of a response that breaks off. Going through SocketReader gives one deadline
 * for the whole response, the ctx.maxReadBytes cap counted on the wire, ZGrab2 statuses for every failure,
 * and the partial body for a partial result. The framing rules used are RFC 9112 §6 (Content-Length,
 * chunked, read-until-close) and nothing else.
 */
import { gunzipSync, inflateSync } from "node:zlib";
import type { SocketReader } from "../io.js";
import { ProbeError } from "../types.js";

/** A response head longer than this is refused (CUPS sends ~400 bytes). */
export const MAX_HEAD_BYTES = 32 * 1024;
const MAX_HEADERS = 128;
const MAX_INTERIM_RESPONSES = 4;

export interface HttpPostOptions {
  path: string;
  /** Host header value: host[:port], IPv6 in brackets. */
  host: string;
  userAgent: string;
  contentType: string;
  body: Buffer;
}

export function buildHttpPost(o: HttpPostOptions): Buffer {
  const head =
    `POST ${o.path} HTTP/1.1\r\n` +
    `Host: ${o.host}\r\n` +
    `User-Agent: ${o.userAgent}\r\n` +
    `Content-Type: ${o.contentType}\r\n` +
    `Content-Length: ${o.body.length}\r\n` +
    // No compression asked for: the body then arrives as bytes we can cap and parse directly.
    `Accept-Encoding: identity\r\n` +
    `Connection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), o.body]);
}

export interface HttpResponseHead {
  /** "1.1" */
  http_version: string;
  status: number;
  reason: string;
  /** In arrival order, names lower-cased. */
  headers: Array<[string, string]>;
}

/** All values of a header joined with ", " (RFC 9110 §5.3), or undefined. */
export function headerValue(head: HttpResponseHead, name: string): string | undefined {
  const values = head.headers.filter(([n]) => n === name).map(([, v]) => v);
  return values.length > 0 ? values.join(", ") : undefined;
}

/**
 * Frames the response head (status line and headers, up to the blank line). Stateful so that a head that
 * arrives byte by byte is not searched from the start each time. Throws at once for bytes that cannot be
 * the start of an HTTP response, and for a head longer than MAX_HEAD_BYTES.
 */
export function createHeadFramer(): (buf: Buffer) => number | undefined {
  let searched = 0;
  return (buf) => {
    const prefix = Math.min(buf.length, 5);
    if (buf.toString("latin1", 0, prefix) !== "HTTP/".slice(0, prefix)) {
      throw new ProbeError("protocol-error", `not an HTTP response: starts with ${preview(buf)}`);
    }
    const limit = Math.min(buf.length, MAX_HEAD_BYTES);
    const window = buf.subarray(0, limit);
    const from = Math.max(0, searched - 2);
    // The blank line ends the head; a bare LF is tolerated (RFC 9112 §2.2 allows recipients to).
    const crlf = window.indexOf("\n\r\n", from, "latin1");
    const lf = window.indexOf("\n\n", from, "latin1");
    searched = limit;
    if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 3;
    if (lf >= 0) return lf + 2;
    if (buf.length >= MAX_HEAD_BYTES) throw new ProbeError("protocol-error", `HTTP response head longer than ${MAX_HEAD_BYTES} bytes`);
    return undefined;
  };
}

export function parseHttpHead(raw: Buffer): HttpResponseHead {
  const lines = raw.toString("latin1").split(/\r?\n/);
  const statusLine = lines[0] ?? "";
  const m = /^HTTP\/(\d\.\d)[ \t]+(\d{3})(?:[ \t]+(.*))?$/.exec(statusLine);
  if (!m) throw new ProbeError("protocol-error", `malformed HTTP status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    if ((line[0] === " " || line[0] === "\t") && headers.length > 0) {
      // Obsolete line folding: a continuation of the previous header.
      const prev = headers[headers.length - 1]!;
      prev[1] = `${prev[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue; // not a header; lenient like browsers, the body framing is checked below
    if (headers.length >= MAX_HEADERS) throw new ProbeError("protocol-error", `more than ${MAX_HEADERS} HTTP headers`);
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { http_version: m[1]!, status: Number(m[2]), reason: m[3]?.trim() ?? "", headers };
}

export type BodyFraming = { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" } | { kind: "close" };

/** How the body of a response to a POST is delimited (RFC 9112 §6.3). */
export function bodyFraming(head: HttpResponseHead): BodyFraming {
  if ((head.status >= 100 && head.status < 200) || head.status === 204 || head.status === 304) return { kind: "none" };
  const te = headerValue(head, "transfer-encoding");
  if (te !== undefined) {
    const codings = te.split(",").map((c) => c.trim().toLowerCase());
    return codings[codings.length - 1] === "chunked" ? { kind: "chunked" } : { kind: "close" };
  }
  const cl = headerValue(head, "content-length");
  if (cl === undefined) return { kind: "close" };
  const values = new Set(cl.split(",").map((v) => v.trim()));
  const [only] = values;
  if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
    throw new ProbeError("protocol-error", `invalid Content-Length: ${JSON.stringify(cl.slice(0, 40))}`);
  }
  return { kind: "length", length: Number(only) };
}

/**
 * Frames a chunked body (RFC 9112 §7.1) incrementally and remembers where the data of each chunk lies, so
 * the body can be reassembled without a second parse, or partly when the peer stops in the middle.
 * A chunk size that does not match the data (no CRLF where the size says the chunk ends) is a protocol error.
 */
export class ChunkedFramer {
  private pos = 0;
  private bodyBytes = 0;
  private inTrailers = false;
  private trailers = 0;
  private readonly parts: Array<[number, number]> = [];
  /** The chunk whose data has not fully arrived yet. */
  private pending: [number, number] | undefined;

  constructor(private readonly maxBody: number) {}

  readonly frame = (buf: Buffer): number | undefined => {
    for (;;) {
      const nl = buf.indexOf(0x0a, this.pos);
      if (nl < 0) {
        if (buf.length - this.pos > 1024) throw new ProbeError("protocol-error", "chunk-size line longer than 1024 bytes");
        return undefined;
      }
      const line = buf.toString("latin1", this.pos, nl).replace(/\r$/, "");
      if (this.inTrailers) {
        this.pos = nl + 1;
        if (line === "") return this.pos;
        if (++this.trailers > MAX_HEADERS) throw new ProbeError("protocol-error", `more than ${MAX_HEADERS} chunked trailers`);
        continue;
      }
      const m = /^([0-9a-fA-F]{1,8})[ \t]*(?:;.*)?$/.exec(line);
      if (!m) throw new ProbeError("protocol-error", `malformed chunk-size line: ${JSON.stringify(line.slice(0, 40))}`);
      const size = parseInt(m[1]!, 16);
      if (this.bodyBytes + size > this.maxBody) throw new ProbeError("protocol-error", `chunked body larger than ${this.maxBody} bytes`);
      if (size === 0) {
        this.inTrailers = true;
        this.pos = nl + 1;
        continue;
      }
      const start = nl + 1;
      const end = start + size;
      this.pending = [start, end];
      if (buf.length < end + 1) return undefined;
      let next: number;
      if (buf[end] === 0x0a) next = end + 1;
      else if (buf[end] === 0x0d) {
        if (buf.length < end + 2) return undefined;
        if (buf[end + 1] !== 0x0a) throw lyingChunk(size);
        next = end + 2;
      } else throw lyingChunk(size);
      this.parts.push([start, end]);
      this.pending = undefined;
      this.bodyBytes += size;
      this.pos = next;
    }
  };

  /** The body so far: complete chunks, plus what arrived of an incomplete one. */
  body(buf: Buffer): Buffer {
    const slices = this.parts.map(([s, e]) => buf.subarray(s, e));
    if (this.pending && this.pending[0] < buf.length) slices.push(buf.subarray(this.pending[0], Math.min(buf.length, this.pending[1])));
    return Buffer.concat(slices);
  }
}

function lyingChunk(size: number): ProbeError {
  return new ProbeError("protocol-error", `chunk data does not end where its size (${size}) says`);
}

export interface HttpResponse {
  head: HttpResponseHead;
  /** The body as far as it arrived (de-chunked, not decompressed). */
  body: Buffer;
  /** False when the body broke off; `error` then says why. */
  complete: boolean;
  error?: ProbeError;
}

/**
 * Reads one response. A failure before the head is complete throws ProbeError; a failure in the body is
 * returned with the partial body, so that the caller can still decode what arrived.
 */
export async function readHttpResponse(reader: SocketReader, deadline: number, maxBody: number): Promise<HttpResponse> {
  for (let interim = 0; ; interim++) {
    const headRaw = await reader.readMessage(createHeadFramer(), timeLeft(deadline));
    const head = parseHttpHead(headRaw);
    // 1xx responses (100 Continue sent unasked) come before the real one.
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      if (interim >= MAX_INTERIM_RESPONSES) throw new ProbeError("protocol-error", "too many 1xx interim responses");
      continue;
    }
    return readBody(reader, head, deadline, maxBody);
  }
}

async function readBody(reader: SocketReader, head: HttpResponseHead, deadline: number, maxBody: number): Promise<HttpResponse> {
  const framing = bodyFraming(head);
  let seen: Buffer = Buffer.alloc(0);
  const watch = (frame: (b: Buffer) => number | undefined) => (b: Buffer) => {
    seen = b;
    return frame(b);
  };
  try {
    switch (framing.kind) {
      case "none":
        return { head, body: Buffer.alloc(0), complete: true };
      case "length": {
        const n = framing.length;
        // SocketReader only asks the framer once bytes are buffered: an empty body must not wait for any.
        if (n === 0) return { head, body: Buffer.alloc(0), complete: true };
        const body = await reader.readMessage(watch((b) => (b.length >= n ? n : undefined)), timeLeft(deadline));
        return { head, body, complete: true };
      }
      case "chunked": {
        const chunked = new ChunkedFramer(maxBody);
        try {
          const raw = await reader.readMessage(watch(chunked.frame), timeLeft(deadline));
          return { head, body: chunked.body(raw), complete: true };
        } catch (err) {
          if (err instanceof ProbeError) return { head, body: chunked.body(seen), complete: false, error: err };
          throw err;
        }
      }
      case "close": {
        const { data, complete } = await reader.readToEnd(timeLeft(deadline));
        if (complete) return { head, body: data, complete: true };
        const error =
          reader.bytesReceived > maxBody
            ? new ProbeError("protocol-error", `peer sent more than ${maxBody} bytes`)
            : new ProbeError("io-timeout", "response body (delimited by connection close) did not end in time");
        return { head, body: data, complete: false, error };
      }
    }
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    const body = framing.kind === "length" ? seen.subarray(0, framing.length) : seen;
    return { head, body, complete: false, error: err };
  }
}

function timeLeft(deadline: number): number {
  const left = deadline - Date.now();
  if (left <= 0) throw new ProbeError("io-timeout", "no complete HTTP response in time");
  return left;
}

/**
 * Undoes gzip/deflate when a server compresses anyway; output is capped at `maxBytes` (a zip bomb becomes
 * a protocol error, not an allocation).
 */
export function decodeContentEncoding(head: HttpResponseHead, body: Buffer, maxBytes: number): Buffer {
  const coding = headerValue(head, "content-encoding")?.trim().toLowerCase();
  if (coding === undefined || coding === "" || coding === "identity") return body;
  try {
    if (coding === "gzip" || coding === "x-gzip") return gunzipSync(body, { maxOutputLength: maxBytes });
    if (coding === "deflate") return inflateSync(body, { maxOutputLength: maxBytes });
  } catch (err) {
    throw new ProbeError("protocol-error", `cannot decode Content-Encoding ${coding}: ${(err as Error).message}`);
  }
  throw new ProbeError("protocol-error", `unsupported Content-Encoding ${JSON.stringify(coding.slice(0, 40))}`);
}

function preview(buf: Buffer): string {
  const head = buf.subarray(0, 16);
  const printable = /^[\x20-\x7e]*$/.test(head.toString("latin1"));
  return printable ? JSON.stringify(head.toString("latin1")) : `0x${head.toString("hex")}`;
}
