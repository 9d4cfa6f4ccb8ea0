/**
 * Every vulnerability source, by CLI name. Adding a source: one folder under ./<name>/ exporting
 * `source: VulnSource`, and one import + one entry here (keep both lists in the order of docs/vulndb.md).
 */
import { source as nvd } from "./nvd/index.js";
import { source as cve5 } from "./cve5/index.js";
import { source as kev } from "./kev/index.js";
import { source as exploitdb } from "./exploitdb/index.js";
import { source as csaf } from "./csaf/index.js";
import { source as osv } from "./osv/index.js";
import { source as euvd } from "./euvd/index.js";
import { source as jvn } from "./jvn/index.js";
import { source as rss } from "./rss/index.js";
import type { VulnSource } from "./types.js";

const all: VulnSource[] = [nvd, cve5, kev, exploitdb, csaf, osv, euvd, jvn, rss];

export const sources: ReadonlyMap<string, VulnSource> = new Map(all.map((s) => [s.meta.name, s]));

export function sourceNames(): string[] {
  return [...sources.keys()];
}
