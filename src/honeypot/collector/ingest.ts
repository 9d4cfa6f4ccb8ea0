/**
 * Storing a batch of events: dedup by event id, enrichment, and the daily aggregates, in ONE transaction,
 * so an acknowledged batch is wholly stored and counted, and a resent one changes nothing.
 *
 * Speed (goal ≥ 50,000 events/s on SQLite): multi-row inserts in chunks (`on conflict do nothing returning
 * id` tells which events are new, so duplicates are never counted), aggregate counts summed in memory per
 * batch and written with one multi-row upsert (`count = count + excluded.count`), and a GeoIP cache.
 */
import { sql, type Transaction } from "kysely";
import type { GeoLookup } from "../../core/geo/index.js";
import { noGeo } from "../../core/geo/index.js";
import type { Database, Dialect, Storage } from "../../core/storage/index.js";
import { nowIso, toJson, withTransaction } from "../../core/storage/index.js";
import type { HoneypotEvent } from "../events.js";
import { bulkInsert } from "./bulk.js";
import { boundKey, commandFingerprint, credentialKey, isDownload, net24Of, UNKNOWN, type Dimension } from "./keys.js";
import { residualJson } from "./residual.js";

type Trx = Transaction<Database>;
type EventRow = Database["honeypot_events"];

/** Rows per insert statement: 18 columns × 1000 stays under SQLite's 32,766 bound parameters. */
const EVENT_CHUNK = 1000;
const DAILY_CHUNK = 5000;
const EVENT_COLUMNS = ["id", "eventid", "timestamp", "sensor", "session", "protocol", "src_ip", "src_port", "dst_port", "src_country", "src_asn", "src_net24", "username", "password", "input", "url", "data", "received_at"] as const satisfies readonly (keyof EventRow)[];
const DAILY_COLUMNS = ["day", "dimension", "key", "protocol", "count"] as const satisfies readonly (keyof Database["honeypot_daily"])[];
const SESSION_CHUNK = 400;

export interface IngestResult {
  /** Events stored now. */
  accepted: number;
  /** Events already stored (or repeated within the batch): dropped. */
  duplicates: number;
}

export interface IngestOptions {
  geo?: GeoLookup;
}

/** Stores `events` (already validated against the event schema) in one transaction. */
export async function ingestEvents(storage: Storage, events: readonly HoneypotEvent[], opts: IngestOptions = {}): Promise<IngestResult> {
  if (events.length === 0) return { accepted: 0, duplicates: 0 };
  return withTransaction(storage, (trx) => ingestInTransaction(trx, storage.dialect, events, opts));
}

export async function ingestInTransaction(trx: Trx, dialect: Dialect, events: readonly HoneypotEvent[], opts: IngestOptions = {}): Promise<IngestResult> {
  const geo = opts.geo ?? noGeo;
  const receivedAt = nowIso();
  // Repeats inside one batch: the first copy wins, the rest are duplicates like any resend.
  const byId = new Map<string, HoneypotEvent>();
  for (const e of events) if (!byId.has(e.id)) byId.set(e.id, e);
  const rows: EventRow[] = [];
  for (const e of byId.values()) rows.push(toRow(e, geo, receivedAt));
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += EVENT_CHUNK) {
    const end = Math.min(rows.length, i + EVENT_CHUNK);
    const params: unknown[] = [];
    for (let j = i; j < end; j++) {
      const r = rows[j]!;
      params.push(r.id, r.eventid, r.timestamp, r.sensor, r.session, r.protocol, r.src_ip, r.src_port, r.dst_port, r.src_country, r.src_asn, r.src_net24, r.username, r.password, r.input, r.url, r.data, r.received_at);
    }
    const ids = await bulkInsert<{ id: string }>(trx, dialect, "honeypot_events", EVENT_COLUMNS, end - i, params, 'on conflict ("id") do nothing returning "id"');
    for (const r of ids) inserted.add(r.id);
  }
  const fresh = rows.filter((r) => inserted.has(r.id));

  const counts = new DailyCounts();
  const perSensor = new Map<string, number>();
  const closed: EventRow[] = [];
  for (const r of fresh) {
    const day = r.timestamp.slice(0, 10);
    counts.add(day, "country", r.src_country ?? UNKNOWN, r.protocol);
    counts.add(day, "asn", r.src_asn === null ? UNKNOWN : `${r.src_asn}`, r.protocol);
    counts.add(day, "net24", r.src_net24, r.protocol);
    counts.add(day, "sensor", r.sensor, r.protocol);
    counts.add(day, "protocol", r.protocol, r.protocol);
    if (r.username !== null || r.password !== null) counts.add(day, "credential", credentialKey(r.username ?? undefined, r.password ?? undefined), r.protocol);
    if (r.url !== null && isDownload(r.eventid)) counts.add(day, "url", r.url, r.protocol);
    if (r.eventid === "session.closed") closed.push(r);
    perSensor.set(r.sensor, (perSensor.get(r.sensor) ?? 0) + 1);
  }
  await countCommandSequences(trx, fresh, closed, counts, receivedAt);
  const daily = counts.rows();
  for (let i = 0; i < daily.length; i += DAILY_CHUNK) {
    const chunk = daily.slice(i, i + DAILY_CHUNK);
    const params: unknown[] = [];
    for (const r of chunk) params.push(r.day, r.dimension, r.key, r.protocol, r.count);
    await bulkInsert(trx, dialect, "honeypot_daily", DAILY_COLUMNS, chunk.length, params, 'on conflict ("dimension","day","key","protocol") do update set "count" = honeypot_daily."count" + excluded."count"');
  }
  for (const [sensor, n] of perSensor) {
    await trx
      .updateTable("honeypot_sensors")
      .set((eb) => ({ events_received: eb("events_received", "+", n), last_batch_at: receivedAt }))
      .where("id", "=", sensor)
      .execute();
  }
  return { accepted: fresh.length, duplicates: events.length - fresh.length };
}

function toRow(e: HoneypotEvent, geo: GeoLookup, receivedAt: string): EventRow {
  const g = geo.lookup(e.src_ip);
  return {
    id: e.id,
    eventid: e.eventid,
    timestamp: e.timestamp,
    sensor: e.sensor,
    session: e.session,
    protocol: e.protocol,
    src_ip: e.src_ip,
    src_port: e.src_port,
    dst_port: e.dst_port,
    src_country: g.country,
    src_asn: g.asn,
    src_net24: net24Of(e.src_ip),
    username: e.username ?? null,
    password: e.password ?? null,
    input: e.input ?? null,
    url: e.url ?? null,
    data: residualJson(e),
    received_at: receivedAt,
  };
}

/**
 * A closed session's command lines (telnet.command.input, in time order, including those stored by
 * earlier batches) give its command-sequence fingerprint, counted once, on the day the session closed.
 * Sessions never closed (a sensor that died) get none.
 */
async function countCommandSequences(trx: Trx, fresh: readonly EventRow[], closed: readonly EventRow[], counts: DailyCounts, now: string): Promise<void> {
  // A sensor ships a session's events in order, so a session that also opened in this batch has all its
  // commands here: only sessions opened earlier need their stored commands read back.
  const opened = new Set<string>();
  const inBatch = new Map<string, EventRow[]>();
  for (const r of fresh) {
    const k = `${r.sensor}\u0000${r.session}`;
    if (r.eventid === "session.connect") opened.add(k);
    else if (r.eventid === "telnet.command.input") {
      let list = inBatch.get(k);
      if (!list) inBatch.set(k, (list = []));
      list.push(r);
    }
  }
  const sequences = new Map<string, string[]>();
  const count = (r: EventRow, commands: string[] | undefined) => {
    if (!commands || commands.length === 0) return;
    const fp = commandFingerprint(commands);
    counts.add(r.timestamp.slice(0, 10), "command", fp, r.protocol);
    if (!sequences.has(fp)) sequences.set(fp, commands);
  };
  const earlier: EventRow[] = [];
  for (const r of closed) {
    const k = `${r.sensor}\u0000${r.session}`;
    if (!opened.has(k)) earlier.push(r);
    else count(r, inBatch.get(k)?.sort(byTime).map((c) => c.input ?? ""));
  }
  for (let i = 0; i < earlier.length; i += SESSION_CHUNK) {
    const chunk = earlier.slice(i, i + SESSION_CHUNK);
    const wanted = new Set(chunk.map((r) => `${r.sensor}\u0000${r.session}`));
    const lines = await trx
      .selectFrom("honeypot_events")
      .select(["sensor", "session", "input"])
      // A literal, so the partial index on command lines (migration 0006) applies.
      .where("eventid", "=", sql.lit("telnet.command.input"))
      .where("sensor", "in", [...new Set(chunk.map((r) => r.sensor))])
      .where("session", "in", [...new Set(chunk.map((r) => r.session))])
      .orderBy("timestamp")
      .orderBy("id")
      .execute();
    const bySession = new Map<string, string[]>();
    for (const l of lines) {
      const k = `${l.sensor}\u0000${l.session}`;
      if (!wanted.has(k)) continue;
      let list = bySession.get(k);
      if (!list) bySession.set(k, (list = []));
      list.push(l.input ?? "");
    }
    for (const r of chunk) count(r, bySession.get(`${r.sensor}\u0000${r.session}`));
  }
  if (sequences.size > 0) {
    await trx
      .insertInto("honeypot_command_sequences")
      .values([...sequences].map(([fingerprint, commands]) => ({ fingerprint, commands: toJson(commands), first_seen: now })))
      .onConflict((oc) => oc.column("fingerprint").doNothing())
      .execute();
  }
}

function byTime(a: EventRow, b: EventRow): number {
  return a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Per-batch counts: nested maps (dimension → day+protocol → key), so adding builds no composite strings. */
class DailyCounts {
  readonly #byDimension = new Map<Dimension, Map<string, Map<string, Database["honeypot_daily"]>>>();

  add(day: string, dimension: Dimension, rawKey: string, protocol: string): void {
    const key = rawKey.length <= 512 ? rawKey : boundKey(rawKey);
    let slices = this.#byDimension.get(dimension);
    if (!slices) this.#byDimension.set(dimension, (slices = new Map()));
    const slice = day + protocol;
    let keys = slices.get(slice);
    if (!keys) slices.set(slice, (keys = new Map()));
    const row = keys.get(key);
    if (row) row.count++;
    else keys.set(key, { day, dimension, key, protocol, count: 1 });
  }

  rows(): Database["honeypot_daily"][] {
    const out: Database["honeypot_daily"][] = [];
    for (const slices of this.#byDimension.values()) for (const keys of slices.values()) for (const row of keys.values()) out.push(row);
    return out;
  }
}
