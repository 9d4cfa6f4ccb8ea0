/**
 * An event is stored as its columns plus the JSON of the fields that have no column (`data`, the
 * "residual"), not as columns plus the whole event: the full JSON doubled each row, and row size is most
 * of SQLite's insert cost. Reading merges the two back; `joinEvent(splitEvent(e))` deep-equals `e`.
 *
 * The merged event's keys follow the event schema's order, which is also the order zod gives a parsed
 * event: every read path (events query, exports) sees the same object on both backends.
 */
import { fromJson, toJson } from "../../core/storage/index.js";
import { honeypotEventSchema, type HoneypotEvent } from "../events.js";

/** Event fields stored in a column of their own (migration 0006); `null` there means "absent". */
export const COLUMN_FIELDS = ["id", "eventid", "timestamp", "sensor", "session", "protocol", "src_ip", "src_port", "dst_port", "username", "password", "input", "url"] as const;
type ColumnField = (typeof COLUMN_FIELDS)[number];
const isColumn = new Set<string>(COLUMN_FIELDS);

/** What a read selects to rebuild an event. */
export type EventColumns = { [K in ColumnField]: K extends "src_port" | "dst_port" ? number : K extends "username" | "password" | "input" | "url" ? string | null : string } & { data: string };

const schemaOrder = Object.keys(honeypotEventSchema.shape);

/** The JSON of the event's fields that have no column (`{}` when there are none). */
export function residualJson(e: HoneypotEvent): string {
  const rest: Record<string, unknown> = {};
  for (const k in e) {
    if (!isColumn.has(k)) {
      const v = (e as Record<string, unknown>)[k];
      // JSON drops undefined anyway; skipping it here keeps `{}` for events with nothing left over.
      if (v !== undefined) rest[k] = v;
    }
  }
  return toJson(rest);
}

/** The stored event: columns and residual merged, keys in schema order. */
export function joinEvent(row: EventColumns): HoneypotEvent {
  const rest = fromJson<Record<string, unknown>>(row.data);
  const out: Record<string, unknown> = {};
  for (const k of schemaOrder) {
    const v = isColumn.has(k) ? row[k as ColumnField] : rest[k];
    if (v !== null && v !== undefined) out[k] = v;
  }
  // A field the schema no longer names (stored under an older schema) is kept, not lost.
  for (const k in rest) if (!(k in out) && !isColumn.has(k)) out[k] = rest[k];
  return out as HoneypotEvent;
}
