/**
 * The search rows of an entry: which vendor/product (and CPE part) it concerns, and which device types
 * the classifier gave it. Names are normalised the same way on write and on query (`normaliseName`), so
 * that CPE's `tp-link:archer_ax21`, KEV's "TP-Link" / "Archer AX21" and a user's `--product "archer ax21"`
 * meet.
 */
import { displayValue, parseCpe } from "../cpe.js";
import type { MergedEntry } from "../format/entry.js";

export interface ProductRow {
  vendor: string | null;
  product: string | null;
  part: string | null;
  device_type: string | null;
}

const UNKNOWN = new Set(["", "n/a", "na", "*", "-", "unknown", "not applicable"]);

/** Lower case, `_` as space, whitespace collapsed; unknown markers ("n/a", "*") → null. */
export function normaliseName(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const v = value.replace(/_/g, " ").replace(/\s+/g, " ").trim().toLowerCase();
  return UNKNOWN.has(v) ? null : v;
}

export function productRows(entry: MergedEntry, deviceTypes: readonly string[]): ProductRow[] {
  const rows = new Map<string, ProductRow>();
  const add = (vendor: string | null, product: string | null, part: string | null) => {
    if (vendor === null && product === null) return;
    const key = `${vendor}\u0000${product}\u0000${part}`;
    if (!rows.has(key)) rows.set(key, { vendor, product, part, device_type: null });
  };
  const addCpe = (criteria: string) => {
    try {
      const c = parseCpe(criteria);
      add(normaliseName(displayValue(c.vendor)), normaliseName(displayValue(c.product)), c.part);
    } catch {
      // A malformed CPE from a source is kept in the entry as given; it just cannot be searched by.
    }
  };
  for (const { value: m } of entry.cpes) addCpe(m.criteria);
  for (const { value: a } of entry.affected) {
    add(normaliseName(a.vendor), normaliseName(a.product), null);
    if (a.package) add(normaliseName(a.ecosystem), normaliseName(a.package), null);
    for (const c of a.cpes ?? []) addCpe(c);
  }
  for (const k of [entry.kev, ...(entry.kev?.alternatives ?? [])]) if (k) add(normaliseName(k.value.vendorProject), normaliseName(k.value.product), null);
  const out = [...rows.values()];
  for (const t of new Set(deviceTypes)) out.push({ vendor: null, product: null, part: null, device_type: t });
  return out;
}
