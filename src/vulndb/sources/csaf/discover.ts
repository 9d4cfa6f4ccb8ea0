/**
 * CSAF provider discovery (CSAF 2.0 §7): a provider's `provider-metadata.json` lists distributions,
 * each either ROLIE feeds (JSON, RFC 8322: `feed.entry[]` with `updated`, `content.src` and `link[]`
 * with rel=self/hash/signature) or a directory with `changes.csv` ("path","updated" rows, newest first).
 * This file only reads those indexes into a list of advisory locations; fetch.ts downloads them.
 */
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { describeZodError } from "../common/json.js";

export interface AdvisoryLocation {
  url: string;
  updated: string;
  /** ROLIE entry id (the advisory's tracking id) when the index gives one. */
  id?: string;
  /** A .sha256/.sha512 file listed for it. */
  hashUrl?: string;
}

const metadataSchema = z.object({
  metadata_version: z.string().optional(),
  canonical_url: z.string().optional(),
  distributions: z
    .array(
      z.object({
        directory_url: z.string().optional(),
        rolie: z.object({ feeds: z.array(z.object({ url: z.string(), tlp_label: z.string().optional(), summary: z.string().optional() })) }).optional(),
      }),
    )
    .optional(),
  publisher: z.object({ name: z.string() }).optional(),
});
export type ProviderMetadata = z.infer<typeof metadataSchema>;

const linkSchema = z.object({ rel: z.string(), href: z.string() });
const rolieSchema = z.object({
  feed: z.object({
    id: z.string().optional(),
    updated: z.string().optional(),
    entry: z
      .array(
        z.object({
          id: z.string().optional(),
          updated: z.string(),
          link: z.array(linkSchema).optional(),
          content: z.object({ src: z.string(), type: z.string().optional() }).optional(),
        }),
      )
      .optional(),
  }),
});

/** `example.com` → its well-known provider-metadata.json; a URL is taken as it is. */
export function providerMetadataUrl(provider: string): string {
  const p = provider.trim();
  if (/^https?:\/\//i.test(p)) return p;
  return `https://${p.replace(/\/+$/, "")}/.well-known/csaf/provider-metadata.json`;
}

export function readProviderMetadata(json: unknown, url: string): ProviderMetadata {
  const m = metadataSchema.safeParse(json);
  if (!m.success) throw new Error(`${url}: not a CSAF provider-metadata.json: ${describeZodError(m.error)}`);
  if (!m.data.distributions?.length) throw new Error(`${url}: provider-metadata.json lists no distributions`);
  return m.data;
}

export function readRolieFeed(json: unknown, feedUrl: string): AdvisoryLocation[] {
  const f = rolieSchema.safeParse(json);
  if (!f.success) throw new Error(`${feedUrl}: not a ROLIE feed: ${describeZodError(f.error)}`);
  const out: AdvisoryLocation[] = [];
  for (const e of f.data.feed.entry ?? []) {
    const href = e.content?.src ?? e.link?.find((l) => l.rel === "self")?.href;
    if (!href) continue;
    const hash = e.link?.find((l) => l.rel === "hash" && /\.sha(256|512)$/i.test(l.href));
    out.push({ url: new URL(href, feedUrl).href, updated: e.updated, ...(e.id && { id: e.id }), ...(hash && { hashUrl: new URL(hash.href, feedUrl).href }) });
  }
  return out;
}

/** changes.csv: `"2023/acme-2023-0001.json","2023-05-01T10:00:00Z"`, paths relative to the directory. */
export function readChangesCsv(text: string, directoryUrl: string): AdvisoryLocation[] {
  const base = directoryUrl.endsWith("/") ? directoryUrl : `${directoryUrl}/`;
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  return rows
    .filter((r) => r.length >= 2 && r[0] && !Number.isNaN(Date.parse(r[1]!)))
    .map((r) => ({ url: new URL(r[0]!, base).href, updated: r[1]! }));
}
