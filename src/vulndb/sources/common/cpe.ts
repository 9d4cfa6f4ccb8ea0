/**
 * CPE applicability as the sources carry it, on top of ../../cpe.ts: NVD's `cpeMatch` shape (which
 * CVE 5 `cpeApplicability` reuses) and the two ways a parser treats a malformed CPE — an error naming
 * the record where the CPE is the data's point (NVD, CVE 5), or dropping that CPE alone where it is a
 * helper beside names that still carry the product (CSAF, JVN).
 */
import { z } from "zod";
import { CpeError, toCpe23 } from "../../cpe.js";
import type { CpeMatch } from "../../record.js";
import { failFor, type RecordPlace } from "./errors.js";

export const cpeMatchSchema = z.looseObject({
  vulnerable: z.boolean(),
  criteria: z.string(),
  versionStartIncluding: z.string().optional(),
  versionStartExcluding: z.string().optional(),
  versionEndIncluding: z.string().optional(),
  versionEndExcluding: z.string().optional(),
});

const RANGE_KEYS = ["versionStartIncluding", "versionStartExcluding", "versionEndIncluding", "versionEndExcluding"] as const;

/** A CPE 2.3 string (2.2 URIs converted); a malformed one is a SourceParseError, prefixed with `field` when given. */
export function cpeOrFail(value: string, raw: RecordPlace, field?: string): string {
  try {
    return toCpe23(value);
  } catch (err) {
    if (err instanceof CpeError) throw failFor(raw)(field ? `${field}: ${err.message}` : err.message);
    throw err;
  }
}

/** A CPE 2.3 string, or undefined when absent or malformed. */
export function cpeOrDrop(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  try {
    return toCpe23(v);
  } catch {
    return undefined;
  }
}

/** One NVD-shaped cpeMatch → CpeMatch; empty range bounds are left out. */
export function cpeMatchOf(m: z.infer<typeof cpeMatchSchema>, raw: RecordPlace, field?: string): CpeMatch {
  const out: CpeMatch = { criteria: cpeOrFail(m.criteria, raw, field), vulnerable: m.vulnerable };
  for (const k of RANGE_KEYS) if (m[k]) out[k] = m[k];
  return out;
}
