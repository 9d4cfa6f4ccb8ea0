/**
 * XML helpers for the XML sources (rss, and jvn which is RSS 1.0/RDF too), on fast-xml-parser
 * (maintained, pure JS, no external entity resolution, bounded DOCTYPE entity expansion by default).
 *
 * `splitXmlItems` cuts a feed into one self-contained document per item: the document's skeleton (root
 * with its namespace declarations, channel title/link/language, status elements) plus that one item —
 * so each RawRecord parses on its own, and a bad item fails alone. It works on the ordered parse tree
 * and rebuilds with the library's builder (text re-escaped), rather than slicing text with regexes,
 * which CDATA sections and comments would break.
 */
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { failFor, type RecordPlace } from "./errors.js";

type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string> };

const orderedParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  commentPropName: "#comment",
});
const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: "@_", commentPropName: "#comment" });

/** Elements that repeat in the sources' documents; always arrays after `parseXml`, whatever the count. */
const ARRAYS = new Set([
  "item",
  "entry",
  "link",
  "category",
  "sec:references",
  "sec:cpe",
  "sec:cvss",
  "Vulinfo",
  "AffectedItem",
  "VersionNumber",
  "Cvss",
  "ImpactItem",
  "SolutionItem",
  "RelatedItem",
  "HistoryItem",
  "Cpe",
  "Overview",
]);

const objectParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAYS.has(name) || ARRAYS.has(localName(name)),
});

/** Well-formedness checked (a truncated document throws with line and column), then parsed to objects. */
export function parseXml(text: string): Record<string, unknown> {
  return objectParser.parse(text, true) as Record<string, unknown>;
}

/** parseXml of a record's body: a document that is not well-formed is a parse error naming the record. */
export function parseXmlRecord(raw: RecordPlace & { body: string }): Record<string, unknown> {
  try {
    return parseXml(raw.body);
  } catch (err) {
    throw failFor(raw)(`not well-formed XML: ${(err as Error).message}`);
  }
}

export function localName(tag: string): string {
  const i = tag.indexOf(":");
  return i < 0 ? tag : tag.slice(i + 1);
}

/** The element name of an ordered node (its one key besides ":@"). */
function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ":@");
}

/** splitXmlItems of a whole file or page (`place` names it): not well-formed is a parse error. */
export function splitXmlDocument(text: string, itemName: string | ((local: string) => boolean), place: RecordPlace): SplitXml {
  try {
    return splitXmlItems(text, itemName);
  } catch (err) {
    throw failFor(place)(`not well-formed XML: ${(err as Error).message}`);
  }
}

export interface SplitXml {
  /** Local name of the root element ("RDF", "rss", "feed", "VULDEF-Document"). */
  root: string;
  items: string[];
}

/**
 * One document per element whose local name is `itemName` (searched at any depth, not inside another
 * item). Throws on a document that is not well-formed, with the parser's line and column.
 */
export function splitXmlItems(text: string, itemName: string | ((local: string) => boolean)): SplitXml {
  const isItem = typeof itemName === "string" ? (l: string) => l === itemName : itemName;
  const tree = orderedParser.parse(text, true) as OrderedNode[]; // `true`: validate first, throw on malformed input
  const rootNode = tree.find((n) => {
    const t = tagOf(n);
    return t !== undefined && !t.startsWith("?") && t !== "#comment" && t !== "#text";
  });
  if (!rootNode) throw new Error("no root element");
  // Items grouped by the array that holds them (one group in every real feed).
  const groups = new Map<OrderedNode[], OrderedNode[]>();
  const order: { item: OrderedNode; group: OrderedNode[] }[] = [];
  const collect = (nodes: OrderedNode[], depth: number): void => {
    if (depth > 200) return;
    for (const n of nodes) {
      const t = tagOf(n);
      if (!t || t === "#text" || t === "#comment") continue;
      if (isItem(localName(t))) {
        if (!groups.has(nodes)) groups.set(nodes, []);
        groups.get(nodes)!.push(n);
        order.push({ item: n, group: nodes });
      } else if (Array.isArray(n[t])) collect(n[t] as OrderedNode[], depth + 1);
    }
  };
  collect([rootNode], 0);
  // The skeleton of each group is built once (items out, one hole where the first was), so that a feed
  // of N items costs N small copies, not N copies of an N-item tree.
  const skeletons = new Map<OrderedNode[], OrderedNode[]>();
  for (const group of groups.keys()) skeletons.set(group, strip([rootNode], group));
  const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';
  return {
    root: localName(tagOf(rootNode)!),
    items: order.map(({ item, group }) => declaration + (builder.build(fill(skeletons.get(group)!, item)) as string)),
  };

  function strip(nodes: OrderedNode[], group: OrderedNode[]): OrderedNode[] {
    const holding = nodes === group;
    const out: OrderedNode[] = [];
    let holed = false;
    for (const n of nodes) {
      const t = tagOf(n);
      if (!t || t === "#comment") {
        out.push(n);
        continue;
      }
      if (t === "#text") {
        // Indentation between the removed items would otherwise grow with the feed.
        if (!(holding && String(n[t]).trim() === "")) out.push(n);
        continue;
      }
      if (isItem(localName(t))) {
        if (holding && !holed) {
          out.push(HOLE);
          holed = true;
        }
        continue;
      }
      const children = n[t];
      out.push(Array.isArray(children) ? { ...n, [t]: strip(children as OrderedNode[], group) } : n);
    }
    return out;
  }
}

const HOLE: OrderedNode = { "#hole": [] };

function fill(nodes: OrderedNode[], item: OrderedNode): OrderedNode[] {
  return nodes.map((n) => {
    if (n === HOLE) return item;
    const t = tagOf(n);
    const children = t ? n[t] : undefined;
    return t && t !== "#text" && Array.isArray(children) ? { ...n, [t]: fill(children as OrderedNode[], item) } : n;
  });
}

/** Text of an element parsed by `parseXml`: a string, or an object with attributes and `#text`. */
export function textOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return textOf(v[0]);
  if (typeof v === "object") {
    const t = (v as Record<string, unknown>)["#text"];
    if (t !== undefined) return textOf(t);
  }
  return undefined;
}

export function attrOf(v: unknown, name: string): string | undefined {
  if (Array.isArray(v)) return attrOf(v[0], name);
  if (v && typeof v === "object") {
    const a = (v as Record<string, unknown>)[`@_${name}`];
    return typeof a === "string" ? a : undefined;
  }
  return undefined;
}

/** The element as an object (the first when repeated), for reading its children; undefined for text. */
export function objOf(v: unknown): Record<string, unknown> | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  return x && typeof x === "object" ? (x as Record<string, unknown>) : undefined;
}

export function arrayOf(v: unknown): unknown[] {
  if (v === undefined || v === null || v === "") return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * The markup inside the first element named `name` found inside an element named `within` (local
 * names), rebuilt by the library's builder — for Atom `type="xhtml"` content, whose markup the object
 * parse splits into fields and loses the order of.
 */
export function innerXml(text: string, within: string, name: string): string | undefined {
  const tree = orderedParser.parse(text) as OrderedNode[];
  const find = (nodes: OrderedNode[], inside: boolean, depth: number): OrderedNode[] | undefined => {
    if (depth > 100) return undefined;
    for (const n of nodes) {
      const t = tagOf(n);
      if (!t || t === "#text" || t === "#comment" || !Array.isArray(n[t])) continue;
      const local = localName(t);
      if (inside && local === name) return n[t] as OrderedNode[];
      const found = find(n[t] as OrderedNode[], inside || local === within, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  const children = find(tree, false, 0);
  return children ? (builder.build(children) as string) : undefined;
}
