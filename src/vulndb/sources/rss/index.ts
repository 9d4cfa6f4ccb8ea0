/** Security blogs and advisory pages as RSS 2.0 / RSS 1.0 / Atom feeds: articles linked to the vulnerabilities they mention. */
import type { VulnSource } from "../types.js";
import { fetchRss, readRss } from "./fetch.js";
import { parseFeedItem } from "./parse.js";

export const source: VulnSource = {
  meta: {
    name: "rss",
    title: "Blogs and advisories (RSS/Atom feeds)",
    kind: "blog",
    language: "multi",
    licence: "per feed (text kept for linking and search)",
    cadence: "per feed",
    url: "configured: option feeds=<url,…> or feedsFile=<file>",
    fileFormats: "an RSS 2.0, RSS 1.0 or Atom feed file, or a directory of them",
  },
  fetch: fetchRss,
  readFile: readRss,
  parse: parseFeedItem,
};
