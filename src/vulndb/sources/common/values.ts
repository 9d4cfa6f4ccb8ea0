/**
 * Small value rules every parser applies the same way: de-duplication, "n/a" meaning unknown, CWE ids,
 * CVSS severity bands, and references merged by URL.
 */
import type { CvssScore, Reference } from "../../record.js";

export function uniq<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** Trimmed text, or undefined for empty and "n/a" (the placeholder CVE 5, KEV, CSAF and EUVD use for unknown). */
export function known(value: string | null | undefined): string | undefined {
  const t = value?.trim();
  return t && t.toLowerCase() !== "n/a" ? t : undefined;
}

/** CWE ids only ("CWE-77"); NVD's NVD-CWE-Other / NVD-CWE-noinfo and prose are not CWE ids. */
export function cweId(value: string | undefined): string | undefined {
  const m = value?.trim().match(/^CWE-(\d+)$/i);
  return m ? `CWE-${m[1]}` : undefined;
}

/** FIRST's qualitative rating bands (v2 has no NONE/CRITICAL). */
export function severityOf(version: CvssScore["version"], score: number): string {
  if (version === "2.0") return score < 4 ? "LOW" : score < 7 ? "MEDIUM" : "HIGH";
  if (score === 0) return "NONE";
  return score < 4 ? "LOW" : score < 7 ? "MEDIUM" : score < 9 ? "HIGH" : "CRITICAL";
}

/** Adds a reference, merging tags when the URL is already there (sources repeat URLs per provider). */
export function addReference(refs: Reference[], ref: Reference): void {
  if (!ref.url) return;
  const existing = refs.find((r) => r.url === ref.url);
  if (!existing) {
    refs.push({ url: ref.url, ...(ref.tags?.length ? { tags: uniq(ref.tags) } : {}), ...(ref.name ? { name: ref.name } : {}) });
    return;
  }
  if (ref.tags?.length) existing.tags = uniq([...(existing.tags ?? []), ...ref.tags]);
  if (!existing.name && ref.name) existing.name = ref.name;
}
