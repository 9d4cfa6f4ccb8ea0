/** CSAF 2.0 advisories (vendor PSIRTs and CERTs: Siemens, Schneider, CISA ICS, BSI, …), discovered through provider metadata. */
import type { VulnSource } from "../types.js";
import { fetchCsaf, readCsaf } from "./fetch.js";
import { parseCsaf } from "./parse.js";

export const source: VulnSource = {
  meta: {
    name: "csaf",
    title: "CSAF 2.0 advisories (provider metadata, ROLIE feeds, changes.csv)",
    kind: "advisory",
    language: "multi",
    licence: "per provider (TLP:CLEAR/WHITE advisories are public)",
    cadence: "continuous (per provider)",
    url: "https://<provider>/.well-known/csaf/provider-metadata.json (option provider=)",
    fileFormats: "a CSAF 2.0 advisory JSON, or a directory of them (feeds and provider metadata there are skipped)",
    iotDense: true,
  },
  fetch: fetchCsaf,
  readFile: readCsaf,
  parse: parseCsaf,
};
