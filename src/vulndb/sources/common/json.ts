/**
 * What the sources share when turning JSON bytes into records: JSON parsing and zod validation that
 * end in a `SourceParseError` naming the record, the place and the fields; a RawRecord for one item
 * of a bigger file; and safe reads of unknown JSON for splitting containers before validation.
 */
import type { z } from "zod";
import type { MediaType, RawRecord } from "../types.js";
import { failFor, type RecordPlace } from "./errors.js";

export function parseJsonBody(raw: RecordPlace & { body: string }): unknown {
  try {
    return JSON.parse(raw.body);
  } catch (err) {
    throw failFor(raw)(`not valid JSON: ${(err as Error).message}`);
  }
}

/** Validates `value` against `schema`; the problems (the first five) become the error, each with its JSON path. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, raw: RecordPlace, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw failFor(raw)(`${what}: ${describeZodError(result.error)}`);
}

/** One line for a zod error: `dueDate: expected a date YYYY-MM-DD; cwes.0: expected CWE-NNN`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join(".") : "(top level)"}: ${i.message}`)
    .join("; ");
}

/** A RawRecord for one item of a file or page; its body is the item's own JSON text. */
export function jsonRaw(source: string, id: string, origin: string, item: unknown, fetchedAt: string, modified?: string, mediaType: MediaType = "application/json"): RawRecord {
  return { source, id, origin, mediaType, body: typeof item === "string" ? item : JSON.stringify(item), fetchedAt, ...(modified ? { modified } : {}) };
}

/** Safe property read on unknown JSON (for splitting containers before validation). */
export function prop(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
