/**
 * How one value compares with a literal. Strings compare exactly; the `~=`/`i…` operators compare
 * lower-cased text; numbers compare by value and also match strings holding a plain decimal number
 * ("1024", as some protocols print numbers); string operators see only strings.
 */
import { tryParseIp, unmapIpv4, type CidrSet } from "../../core/net/index.js";

const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?$/;

/** The number a value stands for, or undefined. */
export function numericValue(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.length < 40 && DECIMAL.test(v)) return Number(v);
  return undefined;
}

/** Case-insensitive comparisons lower-case both sides (Unicode lower-casing, locale-independent). */
export function lower(s: string): string {
  return s.toLowerCase();
}

export function addressIn(set: CidrSet, v: string): boolean {
  const ip = tryParseIp(v);
  return ip !== undefined && set.has(unmapIpv4(ip));
}
