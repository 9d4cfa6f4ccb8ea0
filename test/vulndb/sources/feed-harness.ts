/**
 * What the kev/exploitdb/csaf/jvn/rss source tests share: a real HTTP server on 127.0.0.1 (port 0)
 * serving documents the test writes, with ETag/304 handling like a CDN; a FetchContext around the real
 * HttpClient with a logger whose lines the test can read; and helpers to drain a source's generators.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { HttpClient } from "../../../src/vulndb/sources/http.js";
import { contextWith, listenLoopback, type TestContext } from "./source-harness.js";
import { SourceParseError, type RawRecord, type VulnSource } from "../../../src/vulndb/sources/types.js";
import type { SourceRecord } from "../../../src/vulndb/record.js";

export interface Route {
  body: string | Buffer | ((req: IncomingMessage, url: URL) => string);
  status?: number;
  etag?: string;
  lastModified?: string;
  type?: string;
}

export interface FeedServer {
  base: string;
  routes: Map<string, Route>;
  /** Every request, path + query, in order, with the answer's status. */
  log: { url: string; status: number }[];
  close(): Promise<void>;
}

/** Routes are keyed by path (query ignored); a function body sees the query. */
export async function startFeedServer(routes: Record<string, Route> = {}): Promise<FeedServer> {
  const map = new Map(Object.entries(routes));
  const log: FeedServer["log"] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = map.get(url.pathname);
    const answer = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
      log.push({ url: `${url.pathname}${url.search}`, status });
      res.writeHead(status, headers);
      res.end(body);
    };
    if (!route) return answer(404, "not found");
    if (route.etag && req.headers["if-none-match"] === route.etag) return answer(304, "");
    if (!route.etag && route.lastModified && req.headers["if-modified-since"] === route.lastModified) return answer(304, "");
    const headers: Record<string, string> = { "content-type": route.type ?? "application/octet-stream" };
    if (route.etag) headers.etag = route.etag;
    if (route.lastModified) headers["last-modified"] = route.lastModified;
    const body = typeof route.body === "function" ? route.body(req, url) : route.body;
    answer(route.status ?? 200, body, headers);
  });
  const { base, close } = await listenLoopback(server);
  return { base, routes: map, log, close };
}

export type { TestContext } from "./source-harness.js";
export { drain, parseAll, readAll } from "./source-harness.js";

export function testContext(options: Record<string, string | undefined> = {}, now = new Date("2025-04-08T03:00:00Z")): TestContext {
  return contextWith(new HttpClient({ retries: 0, timeoutMs: 10_000 }), options, now);
}

export function rawOf(source: string, body: string, id = "test-record", mediaType: RawRecord["mediaType"] = "application/json"): RawRecord {
  return { source, id, origin: `test:${id}`, mediaType, body, fetchedAt: "2025-04-08T03:00:00.000Z" };
}

/** A parser's contract under fuzzing: records, or a SourceParseError naming the record — never another throw. */
export function parseOrParseError(source: VulnSource, raw: RawRecord): SourceRecord[] | SourceParseError {
  try {
    return source.parse(raw);
  } catch (err) {
    if (err instanceof SourceParseError) return err;
    throw new Error(`${source.meta.name}.parse threw ${(err as Error)?.name}: ${(err as Error)?.message} on ${JSON.stringify(raw.body.slice(0, 300))}`);
  }
}

/** Mutations of a real document for fuzzing: truncation, a byte flipped, a slice deleted or repeated. */
export const mutations = {
  truncate: (s: string, at: number) => s.slice(0, Math.floor(at * s.length)),
  flip: (s: string, at: number, c: string) => {
    const i = Math.floor(at * s.length);
    return s.slice(0, i) + c + s.slice(i + 1);
  },
  cut: (s: string, at: number, len: number) => {
    const i = Math.floor(at * s.length);
    return s.slice(0, i) + s.slice(i + len);
  },
  repeat: (s: string, at: number, len: number) => {
    const i = Math.floor(at * s.length);
    return s.slice(0, i) + s.slice(i, i + len) + s.slice(i);
  },
};
