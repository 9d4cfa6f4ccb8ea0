/** ENISA EU Vulnerability Database (EUVD): EUVD ids with their CVE/GSD aliases, EPSS, exploitation dates. */
import type { VulnSource } from "../types.js";
import { EUVD_API, fetchEuvd } from "./fetch.js";
import { parseEuvd } from "./parse.js";
import { readEuvd } from "./read.js";

export const source: VulnSource = {
  meta: {
    name: "euvd",
    title: "ENISA EU Vulnerability Database",
    kind: "vulnerability-db",
    language: "en",
    licence: "ENISA EUVD terms of use (public data; see euvd.enisa.europa.eu)",
    cadence: "continuous",
    url: EUVD_API,
    fileFormats: "an EUVD record, an API search page ({items,total}), a JSON array of records, or a directory of them",
  },
  fetch: fetchEuvd,
  readFile: readEuvd,
  parse: parseEuvd,
};
