/** CVE List (CVE JSON 5 records from cvelistV5): CNA data plus ADP enrichment (CISA Vulnrichment, CVE Program). */
import type { VulnSource } from "../types.js";
import { fetchCve5, RAW_BASE } from "./fetch.js";
import { parseCve5 } from "./parse.js";
import { readCve5 } from "./read.js";

export const source: VulnSource = {
  meta: {
    name: "cve5",
    title: "CVE List (CVE JSON 5, cvelistV5)",
    kind: "vulnerability-db",
    language: "en",
    licence: "CVE Program Terms of Use (MITRE copyright notice kept with copies)",
    cadence: "continuous (~7 minutes)",
    url: RAW_BASE,
    fileFormats: "a CVE JSON 5 record, a cvelistV5 checkout (cves/YYYY/NNxxx/*.json) or its release/delta zip",
  },
  fetch: fetchCve5,
  readFile: readCve5,
  parse: parseCve5,
};
