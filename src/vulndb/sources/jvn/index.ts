/** JVN iPedia (JVNDB), Japan's vulnerability database (IPA/JPCERT), through the MyJVN API. */
import type { VulnSource } from "../types.js";
import { JVN_API } from "./api.js";
import { fetchJvn, readJvn } from "./fetch.js";
import { parseJvn } from "./parse.js";

export const source: VulnSource = {
  meta: {
    name: "jvn",
    title: "JVN iPedia (MyJVN API)",
    kind: "vulnerability-db",
    language: "ja",
    licence: "MyJVN API terms of use (IPA)",
    cadence: "daily",
    url: JVN_API,
    fileFormats: "getVulnOverviewList (RSS 1.0/RDF) or getVulnDetailInfo (VULDEF) XML, or a directory of *.xml",
    iotDense: false,
  },
  fetch: fetchJvn,
  readFile: readJvn,
  parse: parseJvn,
};
