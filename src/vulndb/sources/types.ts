/**
 * The one interface every vulnerability source implements (ZGrab2's lesson applied to feeds): adding a
 * source adds one folder under src/vulndb/sources/<name>/ exporting `source`, and one line in
 * registry.ts. A source knows where its data lives online and what its files look like offline; it
 * turns bytes into `RawRecord`s (stored as received, so any merge can be recomputed) and a raw record
 * into normalised `SourceRecord`s. It never writes to storage: the pipeline (src/vulndb/ingest) does,
 * one transaction per batch, and saves the cursor only after everything before it is committed.
 */
import type { Logger } from "pino";
import type { SourceRecord } from "../record.js";
import type { HttpClient } from "./http.js";

export type SourceKind = "vulnerability-db" | "advisory" | "exploit-db" | "catalogue" | "blog";

export interface SourceMeta {
  /** CLI name: nvd, cve5, kev, exploitdb, csaf, osv, euvd, jvn, rss. */
  name: string;
  title: string;
  kind: SourceKind;
  /** Main language of its text (BCP 47), or "multi". */
  language: string;
  licence: string;
  /** How often the publisher updates it, in words ("continuous", "daily", "weekly"). */
  cadence: string;
  /** Where it is fetched from by default. */
  url: string;
  /** What `--from-file` accepts, in one line for `vulns sources` and --help. */
  fileFormats: string;
  /** Sources whose records are mostly about IoT devices (the classifier weighs them). */
  iotDense?: boolean;
}

export type MediaType = "application/json" | "text/csv" | "application/xml" | "text/plain" | "text/html";

export interface RawRecord {
  source: string;
  /** The record's id as far as it is known before parsing (error messages, deduplication). */
  id: string;
  /** Where it came from: a URL, or a path with `:line` (CSV) or `#/json/pointer` (an item in a file). */
  origin: string;
  mediaType: MediaType;
  /** The bytes as received, decoded as UTF-8 (for one item of a bigger file: that item's own text). */
  body: string;
  fetchedAt: string;
  /** The record's own modification date when the container says it (cursors, `since=`). */
  modified?: string;
}

/** Where a source is in its upstream: a modification date, an ETag, a git commit, a page — its own keys. */
export type Cursor = Record<string, string | number>;

/**
 * A source may yield this between records: "everything yielded before is complete up to here". The
 * pipeline saves it once those records are committed, so a crash resumes from it rather than from the start.
 */
export interface Checkpoint {
  checkpoint: Cursor;
}

export interface FetchContext {
  /** HTTP with politeness (per-host interval), retries on 429/5xx with Retry-After, ETag/If-Modified-Since. */
  http: HttpClient;
  signal: AbortSignal;
  log: Logger;
  /** Source options from flags/config/env, e.g. { apiKey, baseUrl, providerUrl, feed }. */
  options: Readonly<Record<string, string | undefined>>;
  now(): Date;
}

export interface VulnSource {
  meta: SourceMeta;
  /**
   * Online: yields every record changed since `cursor` (all of them when undefined), with optional
   * checkpoints, and returns the cursor to store for next time.
   */
  fetch(cursor: Cursor | undefined, ctx: FetchContext): AsyncGenerator<RawRecord | Checkpoint, Cursor, void>;
  /** Offline: a file or directory of what the source publishes (an API page, a bare record, a dump). */
  readFile(path: string, ctx: FetchContext): AsyncGenerator<RawRecord, void, void>;
  /** Raw → normalised records (usually one; a CSAF advisory gives one per vulnerability). Throws SourceParseError. */
  parse(raw: RawRecord): SourceRecord[];
}

export function isCheckpoint(item: RawRecord | Checkpoint): item is Checkpoint {
  return (item as Checkpoint).checkpoint !== undefined;
}

/** Bad input from a source: names the source, the record and where it came from, and why. */
export class SourceParseError extends Error {
  constructor(
    readonly source: string,
    readonly recordId: string,
    readonly origin: string,
    reason: string,
  ) {
    super(`${source}: ${recordId} (${origin}): ${reason}`);
    this.name = "SourceParseError";
  }
}
