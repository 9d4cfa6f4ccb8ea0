/**
 * Converting JS values to and from the column conventions in schema.ts.
 *
 * JSON is stored as plain text on both backends, not jsonb on PostgreSQL: pg hands jsonb back already
 * parsed while SQLite hands back a string, and jsonb reorders keys and rejects `\u0000`, so reads would
 * differ by backend. Text round-trips byte for byte everywhere; nothing queries inside the JSON in SQL.
 */
import type { DbBool, IsoTimestamp, JsonText } from "./schema.js";

/** Serialises a value for a JSON column. Throws on values JSON cannot represent at the top level. */
export function toJson(value: unknown): JsonText {
  const text = JSON.stringify(value);
  // JSON.stringify returns undefined (not a string) for undefined, functions and symbols: refuse
  // rather than store the text "undefined", which would not parse back.
  if (text === undefined) throw new TypeError(`cannot store ${typeof value} as JSON`);
  return text;
}

/** Parses a JSON column. The type parameter is an unchecked cast: validate with zod where it matters. */
export function fromJson<T = unknown>(text: JsonText): T {
  return JSON.parse(text) as T;
}

/** Now, as ISO-8601 UTC text. */
export function nowIso(): IsoTimestamp {
  return new Date().toISOString();
}

/** A Date as ISO-8601 UTC text; rejects invalid dates, which would otherwise throw deep inside a query. */
export function toIso(date: Date): IsoTimestamp {
  if (Number.isNaN(date.getTime())) throw new RangeError("cannot store an invalid Date");
  return date.toISOString();
}

export function toDbBool(value: boolean): DbBool {
  return value ? 1 : 0;
}

export function fromDbBool(value: number): boolean {
  return value !== 0;
}
