/** OSV (osv.dev and every database publishing the OSV schema: GHSA, PyPI, Go, …): package-level advisories. */
import type { VulnSource } from "../types.js";
import { fetchOsv, OSV_BUCKET } from "./fetch.js";
import { parseOsv } from "./parse.js";
import { readOsv } from "./read.js";

export const source: VulnSource = {
  meta: {
    name: "osv",
    title: "OSV (Open Source Vulnerabilities)",
    kind: "vulnerability-db",
    language: "en",
    licence: "per database: CC-BY-4.0 (osv.dev, GHSA) and others",
    cadence: "continuous",
    url: OSV_BUCKET,
    fileFormats: "an OSV record (.json), a directory of them, or a zip (all.zip)",
  },
  fetch: fetchOsv,
  readFile: readOsv,
  parse: parseOsv,
};
