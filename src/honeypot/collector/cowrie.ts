/**
 * `iotscope honeypot import-cowrie FILE`: Cowrie's JSON log (one event per line, docs.cowrie.org "Output
 * Event Code Reference") mapped onto our event schema, so existing Cowrie sensors feed the same collector.
 *
 * - Event ids: Cowrie's login/command/download/size events map to our `telnet.*` family whatever the
 *   session's protocol (Cowrie serves SSH and Telnet); `protocol` says which it was (the session's
 *   `cowrie.session.connect` line, else the port, else `--protocol`, default ssh).
 * - Ports and dst_ip appear only on the connect line; later lines of the session inherit them.
 * - Our event id is derived from the line's bytes (a UUID v5-style SHA-1 name hash), so importing the same
 *   log twice stores nothing new; identical lines are the same event.
 * - A malformed line is reported with its number and the reason; the rest is imported. Event ids we have
 *   no counterpart for (client.version, client.kex, log.closed, direct-tcpip …) are counted as skipped.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { GeoLookup } from "../../core/geo/index.js";
import type { Storage } from "../../core/storage/index.js";
import { cap, honeypotEventSchema, limits, protocols, type EventId, type HoneypotEvent, type HoneypotProtocol } from "../events.js";
import { ingestEvents } from "./ingest.js";
import { ensureImportedSensor } from "./registry.js";

const eventMap: Readonly<Record<string, EventId>> = {
  "cowrie.session.connect": "session.connect",
  "cowrie.session.closed": "session.closed",
  "cowrie.login.success": "telnet.login.success",
  "cowrie.login.failed": "telnet.login.failed",
  "cowrie.command.input": "telnet.command.input",
  "cowrie.command.failed": "telnet.command.unknown",
  "cowrie.session.file_download": "telnet.session.file_download",
  "cowrie.session.file_download.failed": "telnet.session.file_download",
  "cowrie.client.size": "telnet.client.size",
};

/** Fixed namespace of our name-based ids (a random UUID, chosen once). */
const NAMESPACE = Buffer.from("6f1c2a9e5b7d4c3e8a0f1e2d3c4b5a69", "hex");

/** RFC 9562 §5.5 (UUID v5): SHA-1 of namespace + name, version and variant bits set. */
export function lineEventId(line: string): string {
  const h = createHash("sha1").update(NAMESPACE).update(line, "utf8").digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

interface SessionFacts {
  protocol?: HoneypotProtocol;
  src_port?: number;
  dst_port?: number;
  dst_ip?: string;
}

export interface CowrieMapOptions {
  /** Overrides the log's `sensor` field. */
  sensor?: string;
  /** Protocol of sessions whose connect line is not in the file and whose port says nothing. */
  protocol?: HoneypotProtocol;
}

export type MapOutcome = { kind: "event"; event: HoneypotEvent } | { kind: "skipped"; eventid: string } | { kind: "error"; reason: string };

/** Maps Cowrie lines in order, remembering each session's connect facts. */
export class CowrieMapper {
  readonly #sessions = new Map<string, SessionFacts>();
  readonly #opts: CowrieMapOptions;

  constructor(opts: CowrieMapOptions = {}) {
    this.#opts = opts;
  }

  map(line: string): MapOutcome {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      return { kind: "error", reason: `not JSON: ${(err as Error).message}` };
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { kind: "error", reason: "not a JSON object" };
    const c = raw as Record<string, unknown>;
    const str = (k: string) => (typeof c[k] === "string" ? (c[k] as string) : undefined);
    const int = (k: string) => (Number.isInteger(c[k]) ? (c[k] as number) : undefined);
    const cowrieId = str("eventid");
    if (cowrieId === undefined) return { kind: "error", reason: "no eventid" };
    const eventid = eventMap[cowrieId];
    const session = str("session");
    if (session === undefined) return { kind: "error", reason: `${cowrieId}: no session` };
    const facts = this.#sessions.get(session) ?? {};
    if (cowrieId === "cowrie.session.connect") {
      const p = str("protocol");
      if (p !== undefined && (protocols as readonly string[]).includes(p)) facts.protocol = p as HoneypotProtocol;
      facts.src_port = int("src_port") ?? facts.src_port;
      facts.dst_port = int("dst_port") ?? facts.dst_port;
      facts.dst_ip = str("dst_ip") ?? facts.dst_ip;
      this.#sessions.set(session, facts);
    }
    if (eventid === undefined) return { kind: "skipped", eventid: cowrieId };
    if (cowrieId === "cowrie.session.closed") this.#sessions.delete(session);

    const sensor = this.#opts.sensor ?? str("sensor");
    if (sensor === undefined) return { kind: "error", reason: `${cowrieId}: no sensor field (give --sensor)` };
    const ts = str("timestamp");
    const ms = ts === undefined ? Number.NaN : Date.parse(ts);
    if (Number.isNaN(ms)) return { kind: "error", reason: `${cowrieId}: missing or invalid timestamp` };
    const dstPort = int("dst_port") ?? facts.dst_port ?? 0;
    const protocol = facts.protocol ?? (dstPort === 23 || dstPort === 2323 ? "telnet" : (this.#opts.protocol ?? "ssh"));
    const event: Record<string, unknown> = {
      id: lineEventId(line),
      eventid,
      timestamp: new Date(ms).toISOString(),
      sensor,
      session,
      protocol,
      transport: "tcp",
      src_ip: str("src_ip"),
      src_port: int("src_port") ?? facts.src_port ?? 0,
      dst_port: dstPort,
    };
    const dstIp = str("dst_ip") ?? facts.dst_ip;
    if (dstIp !== undefined) event.dst_ip = dstIp;
    const message = str("message");
    if (message !== undefined) event.message = cap(message, 1024);
    const username = str("username");
    const password = str("password");
    if (username !== undefined) event.username = cap(username, limits.credential);
    if (password !== undefined) event.password = cap(password, limits.credential);
    const input = str("input");
    if (input !== undefined) event.input = cap(input, limits.input);
    const url = str("url");
    if (url !== undefined) event.url = cap(url, limits.url);
    if (cowrieId === "cowrie.session.file_download.failed") event.reason = "download failed";
    const width = int("width");
    const height = int("height");
    if (width !== undefined) event.width = width;
    if (height !== undefined) event.height = height;
    const duration = c.duration;
    // Cowrie writes the duration as a number, or (older versions) a string of seconds.
    const seconds = typeof duration === "number" ? duration : typeof duration === "string" ? Number(duration) : undefined;
    if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) event.duration = seconds;
    const parsed = honeypotEventSchema.safeParse(event);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { kind: "error", reason: `${cowrieId}: ${issue?.path.join(".") || "event"}: ${issue?.message ?? "invalid"}` };
    }
    return { kind: "event", event: parsed.data };
  }
}

export interface CowrieImportResult {
  file: string;
  lines: number;
  events: number;
  accepted: number;
  duplicates: number;
  skipped: Record<string, number>;
  errors: { line: number; reason: string }[];
  error_count: number;
  sensors: string[];
}

const BATCH = 5000;
const MAX_ERRORS_KEPT = 1000;

/** Streams the file, mapping and storing in batches (each batch one transaction). */
export async function importCowrie(
  storage: Storage,
  file: string,
  opts: CowrieMapOptions & { geo?: GeoLookup; onProgress?: (lines: number) => void } = {},
): Promise<CowrieImportResult> {
  const mapper = new CowrieMapper(opts);
  const result: CowrieImportResult = { file, lines: 0, events: 0, accepted: 0, duplicates: 0, skipped: {}, errors: [], error_count: 0, sensors: [] };
  const sensors = new Set<string>();
  let batch: HoneypotEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    for (const s of new Set(batch.map((e) => e.sensor))) {
      if (!sensors.has(s)) {
        sensors.add(s);
        await ensureImportedSensor(storage.db, s);
      }
    }
    const r = await ingestEvents(storage, batch, { geo: opts.geo });
    result.accepted += r.accepted;
    result.duplicates += r.duplicates;
    batch = [];
  };
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const text of rl) {
    result.lines++;
    const line = text.trim();
    if (line === "") continue;
    const out = mapper.map(line);
    if (out.kind === "event") {
      result.events++;
      batch.push(out.event);
      if (batch.length >= BATCH) {
        await flush();
        opts.onProgress?.(result.lines);
      }
    } else if (out.kind === "skipped") {
      result.skipped[out.eventid] = (result.skipped[out.eventid] ?? 0) + 1;
    } else {
      result.error_count++;
      if (result.errors.length < MAX_ERRORS_KEPT) result.errors.push({ line: result.lines, reason: out.reason });
    }
  }
  await flush();
  result.sensors = [...sensors].sort();
  return result;
}
