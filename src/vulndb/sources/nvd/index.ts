/** NVD (NIST National Vulnerability Database), API 2.0: CVEs with NVD's CVSS, CWE and CPE configurations. */
import type { VulnSource } from "../types.js";
import { fetchNvd, NVD_API } from "./fetch.js";
import { parseNvd } from "./parse.js";
import { readNvd } from "./read.js";

export const source: VulnSource = {
  meta: {
    name: "nvd",
    title: "NIST National Vulnerability Database (API 2.0)",
    kind: "vulnerability-db",
    language: "en",
    licence: "Public domain (US government work); \"This product uses data from the NVD API but is not endorsed or certified by the NVD.\"",
    cadence: "continuous (poll at most every 2 hours)",
    url: NVD_API,
    fileFormats: "NVD API 2.0 page or 2.0 feed (.json, .json.gz, .zip), a bare cve object, or a directory of them (fkie-cad/nvd-json-data-feeds)",
  },
  fetch: fetchNvd,
  readFile: readNvd,
  parse: parseNvd,
};
