/**
 * Dates as every source record carries them: ISO 8601 in UTC (`2025-04-02T01:00:00.000Z`). Sources
 * write dates in their own ways — ISO with or without a zone (NVD, CVE 5, OSV mean UTC when there is
 * none), a bare day, RFC 822 in feeds (`Tue, 01 Apr 2025 10:00:00 +0000`), a Java locale format
 * (EUVD, see euvd/parse.ts) — and a value that is present but not a date is a parse error naming the field.
 */
import { failFor, type RecordPlace } from "./errors.js";

/**
 * ISO 8601 UTC of an ISO date or date-time; a timestamp without a zone is UTC. Returns undefined when
 * the text is no ISO date (strict: what JSON APIs send).
 */
export function isoUtc(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.trim();
  if (!v) return undefined;
  let ms: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) ms = Date.parse(`${v}T00:00:00Z`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)) ms = Date.parse(`${v}Z`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(v)) ms = Date.parse(v);
  else return undefined;
  return fromMs(ms);
}

/**
 * ISO 8601 UTC of any date a feed or advisory may carry: ISO first (zone-less = UTC, whatever the
 * machine's time zone), then what the platform's Date.parse reads (RFC 822/1123 with their zones).
 */
export function anyDateUtc(value: string | undefined | null): string | undefined {
  const iso = isoUtc(value);
  if (iso !== undefined || value === undefined || value === null || !value.trim()) return iso;
  return fromMs(Date.parse(value.trim()));
}

/** A date field: absent or blank gives undefined; present but not a date is an error naming the field. */
export function dateField(value: string | undefined | null, field: string, raw: RecordPlace, parse: (v: string) => string | undefined = isoUtc): string | undefined {
  if (value === undefined || value === null || value.trim() === "") return undefined;
  const iso = parse(value);
  if (iso === undefined) throw failFor(raw)(`${field}: not a date: ${JSON.stringify(value.trim().slice(0, 80))}`);
  return iso;
}

function fromMs(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  return d.getUTCFullYear() > 9999 || d.getUTCFullYear() < 0 ? undefined : d.toISOString();
}
