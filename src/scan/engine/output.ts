/**
 * The one record shape every scan module's results take (docs/scan.md, docs/schemas/scan-result.schema.json).
 * It is ZGrab2's: `{ip, domain?, data: {<module>: {status, protocol, result?, timestamp, error?}}}`, so
 * tools that read ZGrab2 output read ours, plus flat top-level copies `port`, `module`, `status` and
 * `timestamp`, so that a reader (or `jq 'select(.status == "success")'`) need not know the module name to
 * find the outcome.
 */
import { once } from "node:events";
import { createWriteStream, openSync, type WriteStream } from "node:fs";
import { describeError, UsageError } from "../../core/errors.js";
import type { ScanOutcome, ScanStatus, Target } from "../modules/types.js";

/** ZGrab2's per-module response (its `ScanResponse`). */
export interface ModuleResponse<R = unknown> {
  status: ScanStatus;
  /** The protocol identifier; the module name for every module we have. */
  protocol: string;
  /** When the probe of this target started, ISO-8601 UTC. */
  timestamp: string;
  result?: R;
  error?: string;
}

export interface ScanRecord<R = unknown> {
  ip: string;
  port: number;
  domain?: string;
  module: string;
  status: ScanStatus;
  timestamp: string;
  data: Record<string, ModuleResponse<R>>;
}

export function buildRecord<R>(target: Target, module: string, outcome: ScanOutcome<R>, timestamp: string): ScanRecord<R> {
  const response: ModuleResponse<R> = { status: outcome.status, protocol: module, timestamp };
  if (outcome.result !== undefined) response.result = jsonSafe(outcome.result) as R;
  if (outcome.error !== undefined) response.error = outcome.error;
  return {
    ip: target.ip,
    port: target.port,
    ...(target.domain !== undefined ? { domain: target.domain } : {}),
    module,
    status: outcome.status,
    timestamp,
    data: { [module]: response },
  };
}

/**
 * A module result made fit for JSON: bytes become base64 text (as ZGrab2 encodes []byte), bigints
 * decimal text, Dates ISO text, Maps objects, Sets arrays; cycles and absurd depth are cut off rather
 * than crashing the campaign on one odd result.
 */
export function jsonSafe(value: unknown, depth = 0, seen: Set<object> = new Set()): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object") return undefined; // functions, symbols, undefined
  if (depth > 64 || seen.has(value)) return "[unserialisable: cycle or too deep]";
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  seen.add(value);
  try {
    if (Array.isArray(value) || value instanceof Set) return [...value].map((v) => jsonSafe(v, depth + 1, seen) ?? null);
    const entries = value instanceof Map ? [...value].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const safe = jsonSafe(v, depth + 1, seen);
      if (safe !== undefined) out[k] = safe;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** A record as one line of JSON (with the newline). */
export function recordLine(record: ScanRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/**
 * Writes records as JSON lines to stdout and/or a file. Honours backpressure, so a slow pipe slows the
 * writer down instead of buffering without end.
 */
export class RecordWriter {
  private readonly file: WriteStream | undefined;

  /** `truncate` starts the file afresh (exports); the default appends (a resumed campaign continues its file). */
  constructor(
    private readonly opts: { stdout?: NodeJS.WritableStream; file?: string; mode?: "append" | "truncate" },
  ) {
    if (opts.file === undefined) return;
    let fd: number;
    try {
      // Opened here, synchronously, so that a bad --output path fails before any probe is sent.
      fd = openSync(opts.file, opts.mode === "truncate" ? "w" : "a");
    } catch (err) {
      throw new UsageError(`cannot open output file ${opts.file}: ${describeError(err)}`, { cause: err });
    }
    this.file = createWriteStream("", { fd });
  }

  async write(records: readonly ScanRecord[]): Promise<void> {
    if (records.length === 0) return;
    const text = records.map(recordLine).join("");
    for (const stream of [this.opts.stdout, this.file]) {
      if (stream && !stream.write(text)) await once(stream, "drain");
    }
  }

  async close(): Promise<void> {
    if (!this.file) return;
    const file = this.file;
    await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
