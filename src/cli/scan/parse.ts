/** Parsing the scan command's numeric flags into numbers, with one-line UsageErrors. */
import { UsageError } from "../../core/errors.js";

/** A positive number (integer when asked), or undefined when the flag was not given. */
export function numberFlag(flag: string, text: string | undefined, opts: { integer?: boolean; min?: number } = {}): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  const min = opts.min ?? Number.MIN_VALUE;
  if (text.trim() === "" || !Number.isFinite(value) || value < min || (opts.integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} must be ${opts.integer ? "an integer" : "a number"} ≥ ${opts.min ?? "0 (exclusive)"}, not ${JSON.stringify(text)}`);
  }
  return value;
}

/** A duration: "5000" or "5000ms" (milliseconds), "5s", "1m". Returns milliseconds. */
export function durationFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * (m[2] === "s" ? 1000 : m[2] === "m" ? 60_000 : 1) : NaN;
  if (!(ms > 0)) throw new UsageError(`${flag} must be a duration such as 5000, 500ms, 5s or 1m, not ${JSON.stringify(text)}`);
  return ms;
}

/** commander collector for repeatable flags (--blocklist A --blocklist B). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
