/**
 * Reading what the collector stored: counts per dimension from the daily aggregates (never a scan of the
 * events), and the events themselves for the admin query.
 */
import type { Kysely } from "kysely";
import { sql } from "kysely";
import { UsageError } from "../../core/errors.js";
import type { Database } from "../../core/storage/index.js";
import { fromJson } from "../../core/storage/index.js";
import type { HoneypotEvent } from "../events.js";
import { dimensions, parseCredentialKey, type Dimension } from "./keys.js";
import { COLUMN_FIELDS, joinEvent } from "./residual.js";

export const DEFAULT_STATS_LIMIT = 20;
export const MAX_STATS_LIMIT = 10_000;

export interface StatsQuery {
  by: Dimension;
  /** ISO time; the aggregates are per UTC day, so the window starts at that day's midnight. */
  since: string;
  protocol?: string;
  limit?: number;
}

export interface StatsRow {
  key: string;
  count: number;
  /** credential: the pair; command: the command lines of the fingerprint. */
  username?: string;
  password?: string;
  commands?: string[];
}

export interface StatsResult {
  by: Dimension;
  since_day: string;
  protocol: string | null;
  /** Sum over every key (not just the rows shown). */
  total: number;
  rows: StatsRow[];
}

export function parseDimension(text: string): Dimension {
  if (!(dimensions as readonly string[]).includes(text)) throw new UsageError(`--by ${JSON.stringify(text)}: use one of ${dimensions.join(", ")}`);
  return text as Dimension;
}

export async function honeypotStats(db: Kysely<Database>, q: StatsQuery): Promise<StatsResult> {
  const sinceDay = q.since.slice(0, 10);
  const limit = q.limit ?? DEFAULT_STATS_LIMIT;
  let base = db.selectFrom("honeypot_daily").where("dimension", "=", q.by).where("day", ">=", sinceDay);
  if (q.protocol !== undefined) base = base.where("protocol", "=", q.protocol);
  const total = sql<string | number>`sum(count)`;
  const rows = await base.select(["key", total.as("n")]).groupBy("key").orderBy("n", "desc").orderBy("key").limit(limit).execute();
  const all = await base.select(total.as("n")).executeTakeFirst();
  const out: StatsRow[] = rows.map((r) => ({ key: r.key, count: Number(r.n) }));
  if (q.by === "credential") {
    for (const r of out) Object.assign(r, parseCredentialKey(r.key) ?? {});
  }
  if (q.by === "command" && out.length > 0) {
    const seqs = await db.selectFrom("honeypot_command_sequences").select(["fingerprint", "commands"]).where("fingerprint", "in", out.map((r) => r.key)).execute();
    const byFp = new Map(seqs.map((s) => [s.fingerprint, fromJson<string[]>(s.commands)]));
    for (const r of out) r.commands = byFp.get(r.key) ?? [];
  }
  return { by: q.by, since_day: sinceDay, protocol: q.protocol ?? null, total: Number(all?.n ?? 0), rows: out };
}

export const DEFAULT_EVENTS_LIMIT = 100;
export const MAX_EVENTS_LIMIT = 10_000;

export interface EventsQuery {
  sensor?: string;
  src_ip?: string;
  eventid?: string;
  since?: string;
  until?: string;
  limit?: number;
}

export interface StoredEvent {
  event: HoneypotEvent;
  enrichment: { src_country: string | null; src_asn: number | null; src_net24: string };
  received_at: string;
}

/** Events newest first. */
export async function queryEvents(db: Kysely<Database>, q: EventsQuery): Promise<StoredEvent[]> {
  let query = db.selectFrom("honeypot_events").select([...COLUMN_FIELDS, "data", "src_country", "src_asn", "src_net24", "received_at"]);
  if (q.sensor !== undefined) query = query.where("sensor", "=", q.sensor);
  if (q.src_ip !== undefined) query = query.where("src_ip", "=", q.src_ip);
  if (q.eventid !== undefined) query = query.where("eventid", "=", q.eventid);
  if (q.since !== undefined) query = query.where("timestamp", ">=", q.since);
  if (q.until !== undefined) query = query.where("timestamp", "<", q.until);
  const rows = await query.orderBy("timestamp", "desc").orderBy("id", "desc").limit(q.limit ?? DEFAULT_EVENTS_LIMIT).execute();
  return rows.map((r) => ({
    event: joinEvent(r),
    enrichment: { src_country: r.src_country, src_asn: r.src_asn === null ? null : Number(r.src_asn), src_net24: r.src_net24 },
    received_at: r.received_at,
  }));
}

/** Events in time order for exports, a page at a time (keyset on timestamp, id). */
export async function* eventsSince(db: Kysely<Database>, since: string, eventids: readonly string[], page = 5000): AsyncGenerator<StoredEvent & { sensor_country: string | null; sensor_asn: number | null }> {
  let after: { timestamp: string; id: string } | undefined;
  for (;;) {
    let query = db
      .selectFrom("honeypot_events as e")
      .leftJoin("honeypot_sensors as s", "s.id", "e.sensor")
      .select([...COLUMN_FIELDS.map((c) => `e.${c}` as const), "e.data", "e.src_country", "e.src_asn", "e.src_net24", "e.received_at", "s.country as sensor_country", "s.asn as sensor_asn"])
      .where("e.timestamp", ">=", since)
      .where("e.eventid", "in", [...eventids]);
    if (after) {
      const a = after;
      query = query.where((eb) => eb.or([eb("e.timestamp", ">", a.timestamp), eb.and([eb("e.timestamp", "=", a.timestamp), eb("e.id", ">", a.id)])]));
    }
    const rows = await query.orderBy("e.timestamp").orderBy("e.id").limit(page).execute();
    for (const r of rows) {
      yield {
        event: joinEvent(r),
        enrichment: { src_country: r.src_country, src_asn: r.src_asn === null ? null : Number(r.src_asn), src_net24: r.src_net24 },
        received_at: r.received_at,
        sensor_country: r.sensor_country,
        sensor_asn: r.sensor_asn === null ? null : Number(r.sensor_asn),
      };
    }
    if (rows.length < page) return;
    const last = rows[rows.length - 1]!;
    after = { timestamp: last.timestamp, id: last.id };
  }
}
