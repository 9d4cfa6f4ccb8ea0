/**
 * A tag: what one rule said about one scanned service (or certificate), and why. One object per
 * matching rule, holding the tag values it set (`vendor`, `product`, … flat, as the CLI prints them)
 * and its provenance. Stored per (ip, port, campaign): the record around the tags gives ip and
 * campaign; the tag gives the port, the rule and its content hash (which version of the rule said it).
 */
import type { knownTagKeys } from "./language/fields.js";

export type KnownTagKey = (typeof knownTagKeys)[number];
export type TagState = "active" | "testing";

export interface TagProvenance {
  rule: string;
  /** `testing` tags are kept apart: they never override an active rule's value. */
  state: TagState;
  group: string;
  order: number;
  /** What the rule matched: `x509` (a certificate, or a TLS result's leaf) or the scan module's name. */
  kind: string;
  /** Paths of the tests that held. */
  fields: string[];
  /** The rule file, relative to the rules directory. */
  file: string;
  line: number;
  /** First 16 hex digits of the SHA-256 of the rule's text. */
  hash: string;
  /** The scanned port, when the input was a scan record. */
  port?: number;
  /**
   * Values this rule set for keys that a lower-order active rule had already set: the winner's value is
   * on the winner's tag. Present only when there are such keys.
   */
  overridden?: Record<string, string>;
}

/** Provenance plus the tag values this rule won (known keys typed; other keys allowed, with a lint warning). */
export type Tag = TagProvenance & Partial<Record<KnownTagKey, string>> & { [key: string]: unknown };

const provenanceKeys = new Set<string>(["rule", "state", "group", "order", "kind", "fields", "file", "line", "hash", "port", "overridden"]);

/** The tag values a tag carries (what its rule won), without provenance. */
export function tagValuesOf(tag: Tag): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tag)) if (!provenanceKeys.has(k) && typeof v === "string") out[k] = v;
  return out;
}

/** Every value the rule set, won or overridden (what the rule said, whoever won). */
export function allTagValuesOf(tag: Tag): Record<string, string> {
  return { ...tagValuesOf(tag), ...(tag.overridden ?? {}) };
}
