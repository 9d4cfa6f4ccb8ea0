/**
 * Canonical alias spelling, so that `cve-2023-1389` from a user and `CVE-2023-1389` from a feed are the
 * same node of the alias graph. Known id schemes get their prefix upper-cased (and GHSA's body lower-cased,
 * as GitHub writes it); anything else is kept as given, trimmed.
 */
import type { SourceRecord } from "../record.js";

const UPPER_PREFIX = /^(cve|euvd|jvndb|gsd|edb|osv|pysec|rustsec|go|icsa|icsma|va|zdi|ssa|tra)-/i;

export function canonicalAlias(id: string): string {
  const t = id.trim();
  if (/^ghsa-/i.test(t)) return `GHSA-${t.slice(5).toLowerCase()}`;
  // These ids (and our own IOTS-…) are all upper case wherever they are printed.
  if (/^(cve|euvd|jvndb|gsd|edb|iots)-/i.test(t)) return t.toUpperCase();
  const m = UPPER_PREFIX.exec(t);
  return m ? `${m[1]!.toUpperCase()}${t.slice(m[1]!.length)}` : t;
}

/**
 * The nodes a record puts in the alias graph: its aliases, or — for a record that names no id (a blog
 * post, an advisory about nothing public yet) — `<source>:<sourceId>`, so that it still gets an entry.
 */
export function recordKeys(r: SourceRecord): string[] {
  const keys = new Set<string>();
  for (const a of r.aliases) if (a.trim() !== "") keys.add(canonicalAlias(a));
  if (keys.size === 0) keys.add(`${r.source}:${r.sourceId}`);
  return [...keys];
}
