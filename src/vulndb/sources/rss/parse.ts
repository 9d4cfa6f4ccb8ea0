/**
 * One feed item (RSS 2.0 `item`, RSS 1.0 `item`, Atom `entry`, each in the skeleton of its feed, see
 * common/xml.ts) → one "article" SourceRecord. An article is not a vulnerability: the ids it mentions go to
 * `exploits` (vulnerabilities it discusses) and `related` (Exploit-DB ids), never to `aliases`, so
 * correlation links it to those vulnerabilities without merging it into them.
 */
import { convert } from "html-to-text";
import { emptyRecord, type SourceRecord } from "../../record.js";
import { anyDateUtc, dateField } from "../common/dates.js";
import { mentionedIds } from "../common/ids.js";
import { failFor, type Fail } from "../common/errors.js";
import { arrayOf, attrOf, innerXml, objOf, parseXmlRecord, textOf } from "../common/xml.js";
import type { RawRecord } from "../types.js";

/** Longest text kept per article (characters): feeds sometimes carry whole books in content:encoded. */
const MAX_TEXT = 100_000;


interface Item {
  feedKey: string;
  lang: string;
  guid?: string;
  link?: string;
  title?: string;
  /** Atom titles say their type; RSS titles are taken as plain text ("Bug in <script> tags" is a title, not markup). */
  titleIsHtml?: boolean;
  html?: string;
  published?: string;
  modified?: string;
  categories: string[];
}

export function parseFeedItem(raw: RawRecord): SourceRecord[] {
  const fail = failFor(raw);
  const doc = parseXmlRecord(raw);
  const items = readItems(doc, fail, raw.body);
  if (!items.length) throw fail("feed without any item/entry");
  return items.map((item) => toRecord(raw, item, fail));
}

function readItems(doc: Record<string, unknown>, fail: Fail, body: string): Item[] {
  const rss = objOf(doc.rss);
  if (rss) {
    const channel = objOf(rss.channel);
    if (!channel) throw fail("RSS without channel");
    const base = { feedKey: feedKey(textOf(channel.link), textOf(channel.title)), lang: textOf(channel.language)?.trim() || attrOf(rss, "xml:lang") || "und" };
    return arrayOf(channel.item).map((i) => rssItem(objOf(i) ?? {}, base));
  }
  const rdf = objOf(doc["rdf:RDF"]);
  if (rdf) {
    const channel = objOf(rdf.channel) ?? {};
    const base = { feedKey: feedKey(textOf(channel.link), textOf(channel.title)), lang: textOf(channel["dc:language"])?.trim() || attrOf(rdf, "xml:lang") || "und" };
    return arrayOf(rdf.item).map((i) => rssItem(objOf(i) ?? {}, base));
  }
  const feed = objOf(doc.feed) ?? objOf(doc["atom:feed"]);
  if (feed) {
    const key = textOf(feed.id)?.trim() || atomLink(feed.link) || textOf(feed.title) || "";
    const lang = attrOf(feed, "xml:lang") || "und";
    return arrayOf(feed.entry ?? feed["atom:entry"]).map((e) => atomEntry(objOf(e) ?? {}, { feedKey: feedKey(key, undefined), lang }, body));
  }
  throw fail(`root element ${JSON.stringify(Object.keys(doc).find((k) => !k.startsWith("?")) ?? "")} is not rss, rdf:RDF or feed`);
}

function rssItem(i: Record<string, unknown>, base: { feedKey: string; lang: string }): Item {
  const guid = textOf(i.guid)?.trim() || attrOf(i, "rdf:about");
  const link = textOf(i.link)?.trim();
  const html = textOf(i["content:encoded"]) ?? textOf(i.description);
  const published = textOf(i.pubDate) ?? textOf(i["dc:date"]);
  return {
    ...base,
    ...(guid && { guid }),
    ...(link && { link }),
    ...(textOf(i.title) && { title: textOf(i.title)! }),
    ...(html && { html }),
    ...(published && { published }),
    categories: arrayOf(i.category).map((c) => textOf(c)?.trim()).filter((c): c is string => !!c),
  };
}

function atomEntry(e: Record<string, unknown>, base: { feedKey: string; lang: string }, body: string): Item {
  const guid = textOf(e.id)?.trim();
  const link = atomLink(e.link);
  // xhtml content is markup inside the feed: taken from the ordered parse, where its order survives.
  const xhtml = (["content", "summary"] as const).find((k) => attrOf(e[k], "type") === "xhtml");
  const html = (xhtml && innerXml(body, "entry", xhtml)) || atomText(e.content) || atomText(e.summary);
  const published = textOf(e.published) ?? textOf(e.updated);
  const modified = textOf(e.updated);
  return {
    ...base,
    lang: attrOf(e, "xml:lang") || base.lang,
    ...(guid && { guid }),
    ...(link && { link }),
    ...(atomText(e.title) && { title: atomText(e.title)!, titleIsHtml: ["html", "xhtml"].includes(attrOf(e.title, "type") ?? "") }),
    ...(html && { html }),
    ...(published && { published }),
    ...(modified && { modified }),
    categories: arrayOf(e.category).map((c) => attrOf(c, "term")?.trim()).filter((c): c is string => !!c),
  };
}

function toRecord(raw: RawRecord, item: Item, fail: Fail): SourceRecord {
  const id = item.guid ?? item.link;
  if (!id) throw fail("item without guid/id or link");
  const rec = emptyRecord(raw.source, item.feedKey ? `${item.feedKey} ${id}` : id, "article");
  const title = item.title ? (item.titleIsHtml ? htmlText(item.title) : item.title.replace(/\s+/g, " ").trim()) || undefined : undefined;
  if (title) rec.title = title;
  const text = item.html ? htmlText(item.html) : undefined;
  if (text) rec.descriptions = [{ lang: item.lang, text }];
  const published = dateField(item.published, "published date", raw, anyDateUtc);
  const modified = dateField(item.modified, "updated date", raw, anyDateUtc);
  if (published) rec.published = published;
  if (modified) rec.modified = modified;
  if (item.link && /^https?:\/\//i.test(item.link)) rec.references = [{ url: item.link, ...(title && { name: title }) }];
  // The raw HTML is searched too: ids often sit only in link targets (nvd.nist.gov/vuln/detail/CVE-…).
  const ids = mentionedIds(item.title, item.html, item.link);
  rec.exploits = ids.vulnerabilities;
  rec.related = ids.exploits;
  if (item.categories.length) rec.extra = { categories: item.categories };
  return rec;
}

/**
 * HTML → plain text with html-to-text (maintained; parses with htmlparser2, decodes entities, drops
 * scripts/styles): no line wrapping, link targets and images left out, since the text is for reading
 * and translation, not for layout.
 */
export function htmlText(html: string): string {
  const text = convert(html.slice(0, MAX_TEXT * 4), {
    wordwrap: false,
    selectors: [
      { selector: "a", options: { ignoreHref: true } },
      { selector: "img", format: "skip" },
      { selector: "h1", options: { uppercase: false } },
      { selector: "h2", options: { uppercase: false } },
      { selector: "h3", options: { uppercase: false } },
      { selector: "table", format: "dataTable", options: { uppercaseHeaderCells: false } },
    ],
  });
  return text.replace(/\n{3,}/g, "\n\n").trim().slice(0, MAX_TEXT);
}

function atomLink(v: unknown): string | undefined {
  const links = arrayOf(v);
  const alt = links.find((l) => (attrOf(l, "rel") ?? "alternate") === "alternate") ?? links[0];
  return attrOf(alt, "href")?.trim() || textOf(alt)?.trim() || undefined;
}

/** Atom text constructs: type text/html give a string; type xhtml gives markup parsed into elements. */
function atomText(v: unknown): string | undefined {
  const t = textOf(v);
  if (t !== undefined) return t;
  if (v && typeof v === "object") return collectText(v).join(" ").trim() || undefined;
  return undefined;
}

function collectText(v: unknown, depth = 0): string[] {
  if (depth > 50) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.flatMap((x) => collectText(x, depth + 1));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => (k.startsWith("@_") ? [] : collectText(x, depth + 1)));
  return [];
}

function feedKey(link: string | undefined, title: string | undefined): string {
  return (link?.trim() || title?.trim() || "").replace(/\s+/g, " ");
}

