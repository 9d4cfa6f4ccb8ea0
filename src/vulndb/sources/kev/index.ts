/** CISA Known Exploited Vulnerabilities catalogue: membership, dates and required action per CVE. */
import type { VulnSource } from "../types.js";
import { fetchKev, KEV_URL, readKev } from "./fetch.js";
import { parseKevEntry } from "./parse.js";

export const source: VulnSource = {
  meta: {
    name: "kev",
    title: "CISA Known Exploited Vulnerabilities catalogue",
    kind: "catalogue",
    language: "en",
    licence: "CC0-1.0",
    cadence: "several times a week",
    url: KEV_URL,
    fileFormats: "known_exploited_vulnerabilities.json (the catalogue), a bare entry, or a directory of them",
  },
  fetch: fetchKev,
  readFile: readKev,
  parse: parseKevEntry,
};
