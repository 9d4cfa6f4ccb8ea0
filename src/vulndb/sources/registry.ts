/**
 * Every vulnerability source, by CLI name. Adding a source: one folder under ./<name>/ exporting
 * `source: VulnSource`, and one import + one entry here (keep both lists in the order of docs/vulndb.md).
 */
import type { VulnSource } from "./types.js";

const all: VulnSource[] = [];

export const sources: ReadonlyMap<string, VulnSource> = new Map(all.map((s) => [s.meta.name, s]));

export function sourceNames(): string[] {
  return [...sources.keys()];
}
