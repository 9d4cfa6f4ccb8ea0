/**
 * `--since` / `?since=`: a duration back from now (`30m`, `12h`, `1d`, `7d`, `2w`) or an ISO date or time.
 * Hand-written: five units do not warrant a dependency.
 */
import { UsageError } from "../../core/errors.js";

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** ISO-8601 UTC text of the start of the window. */
export function parseSince(text: string, now: Date = new Date()): string {
  const t = text.trim();
  const duration = /^(\d+)([smhdw])$/.exec(t);
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2]!]!).toISOString();
  if (/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  throw new UsageError(`since ${JSON.stringify(text)}: give a duration (30m, 12h, 1d, 7d, 2w) or an ISO date (2026-11-24, 2026-11-24T12:00:00Z)`);
}
