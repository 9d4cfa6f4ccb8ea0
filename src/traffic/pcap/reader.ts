/**
 * Reading a whole capture: `readCapture` streams (file path or Readable, e.g. `tcpdump -w -` on stdin)
 * as an async iterator; `readCaptureSync` parses a Buffer in one go (fastest when the file fits in
 * memory). Both detect pcap vs pcapng by magic bytes, never by file name.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { CaptureParser } from "./parser.js";
import { CaptureError, type CaptureFormat, type CaptureInterface, type RawPacket } from "./types.js";

export interface ReadOptions {
  /** "throw" (default): after the last good packet, throw the CaptureError. "stop": end quietly, error kept in `.error`. */
  onError?: "stop" | "throw";
  /** Name used in error messages (defaults to the path). */
  source?: string;
}

/** An async-iterable capture; `format`, `linkTypes` and `error` are filled in as it is read. */
export class CaptureReader implements AsyncIterable<RawPacket> {
  format: CaptureFormat | undefined;
  linkTypes: number[] = [];
  interfaces: CaptureInterface[] = [];
  packets = 0;
  error: CaptureError | undefined;
  private used = false;

  constructor(
    private readonly input: string | Readable | AsyncIterable<Uint8Array>,
    private readonly opts: ReadOptions = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<RawPacket> {
    if (this.used) throw new Error("a CaptureReader can be iterated once");
    this.used = true;
    const source = this.opts.source ?? (typeof this.input === "string" ? this.input : undefined);
    const parser = new CaptureParser(source);
    const stream = typeof this.input === "string" ? createReadStream(this.input, { highWaterMark: 256 * 1024 }) : this.input;
    try {
      for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
        parser.push(typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk);
        for (let p = parser.next(); p; p = parser.next()) {
          this.sync(parser);
          yield p;
        }
      }
      parser.finish();
    } catch (err) {
      if (!(err instanceof CaptureError)) throw err;
      this.error = err;
      if ((this.opts.onError ?? "throw") === "throw") throw err;
    } finally {
      this.sync(parser);
      if (typeof this.input === "string") (stream as ReturnType<typeof createReadStream>).destroy();
    }
  }

  private sync(parser: CaptureParser): void {
    this.format = parser.format;
    this.linkTypes = parser.linkTypes;
    this.interfaces = parser.interfaces;
    this.packets = parser.packets;
  }
}

export function readCapture(input: string | Readable | AsyncIterable<Uint8Array>, opts: ReadOptions = {}): CaptureReader {
  return new CaptureReader(input, opts);
}

export interface CaptureContents {
  format: CaptureFormat | undefined;
  linkTypes: number[];
  packets: RawPacket[];
  /** Set when onError is "stop" and the capture is truncated or corrupt. */
  error?: CaptureError;
}

/** Thrown by readCaptureSync in "throw" mode: the CaptureError plus the packets read before it. */
export class CaptureReadError extends CaptureError {
  constructor(
    err: CaptureError,
    readonly packets: RawPacket[],
  ) {
    super(err.offset, err.reason, err.packetsRead, err.source);
  }
}

export function readCaptureSync(buf: Uint8Array, opts: ReadOptions = {}): CaptureContents {
  const parser = new CaptureParser(opts.source);
  const packets: RawPacket[] = [];
  let error: CaptureError | undefined;
  try {
    parser.push(buf);
    for (let p = parser.next(); p; p = parser.next()) packets.push(p);
    parser.finish();
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    if ((opts.onError ?? "throw") === "throw") throw new CaptureReadError(err, packets);
    error = err;
  }
  return { format: parser.format, linkTypes: parser.linkTypes, packets, ...(error ? { error } : {}) };
}
