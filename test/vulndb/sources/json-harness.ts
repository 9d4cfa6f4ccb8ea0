/**
 * What the nvd/cve5/euvd/osv source tests share: a real HTTP server on 127.0.0.1 (port 0) whose
 * answers the test computes per request (so it can page, answer 429 once, check headers), a
 * FetchContext around the real HttpClient with readable log lines, generator drains, temp folders,
 * zips built with yazl, and the property "parse returns records or throws SourceParseError".
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import yazl from "yazl";
import { expect } from "vitest";
import { HttpClient } from "../../../src/vulndb/sources/http.js";
import { contextWith, listenLoopback, type TestContext } from "./source-harness.js";
import { SourceParseError, type RawRecord, type VulnSource } from "../../../src/vulndb/sources/types.js";

export interface Answer {
  status?: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export interface LoopServer {
  base: string;
  requests: { path: string; query: URLSearchParams; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export async function startLoopServer(handle: (url: URL, headers: IncomingHttpHeaders) => Answer): Promise<LoopServer> {
  const requests: LoopServer["requests"] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
    let a: Answer;
    try {
      a = handle(url, req.headers);
    } catch (err) {
      a = { status: 500, body: String(err) };
    }
    res.writeHead(a.status ?? 200, { "content-type": "application/json", ...a.headers });
    res.end(a.body ?? "");
  });
  const { base, close } = await listenLoopback(server);
  return { base, requests, close };
}

export type { TestContext } from "./source-harness.js";
export { drain, parseAll, readAll } from "./source-harness.js";

export function ctxFor(options: Record<string, string | undefined> = {}, now = new Date("2025-06-01T00:00:00Z")): TestContext {
  // backoffMs 1: retries without Retry-After (NVD's 403) do not slow the tests down.
  return contextWith(new HttpClient({ retries: 2, timeoutMs: 10_000, backoffMs: 1, userAgent: "iotscope-test" }), options, now);
}

export function rawOf(source: string, body: string, id = "test-record", origin = "test.json"): RawRecord {
  return { source, id, origin, mediaType: "application/json", body, fetchedAt: "2025-06-01T00:00:00.000Z" };
}

/** parse(body) must throw a SourceParseError that names the source, the record and where it came from. */
export function expectParseError(source: VulnSource, body: string, id: string, reason: RegExp): SourceParseError {
  let caught: unknown;
  try {
    source.parse(rawOf(source.meta.name, body, id, "bad/file.json"));
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SourceParseError);
  const e = caught as SourceParseError;
  expect(e.source).toBe(source.meta.name);
  expect(e.recordId).toBe(id);
  expect(e.origin).toContain("bad/file.json");
  expect(e.message).toMatch(reason);
  return e;
}

/** The fuzz property: any body gives records or a SourceParseError, never another exception. */
export function parsesOrRejects(source: VulnSource, body: string): void {
  try {
    const out = source.parse(rawOf(source.meta.name, body));
    for (const r of out) {
      expect(r.source).toBe(source.meta.name);
      expect(Array.isArray(r.aliases)).toBe(true);
    }
  } catch (err) {
    if (!(err instanceof SourceParseError)) throw err;
  }
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "iotscope-src-test-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A zip of name → content; a Buffer content that is itself a zip nests it. */
export function makeZip(files: Record<string, string | Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

/** Mutations of a real record's text for fuzzing: cut, byte flips, and value swaps in the parsed tree. */
export function mutations(text: string, seed: number): string {
  let s = seed >>> 0;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const kind = Math.floor(rnd() * 3);
  if (kind === 0) return text.slice(0, Math.floor(rnd() * text.length));
  if (kind === 1) {
    const chars = [...text];
    for (let i = 0; i < 5; i++) chars[Math.floor(rnd() * chars.length)] = String.fromCharCode(32 + Math.floor(rnd() * 95));
    return chars.join("");
  }
  const tree = JSON.parse(text) as unknown;
  const replacements: unknown[] = [null, 0, -1, "", "x", [], {}, true, 1e308, "CVE-0-0", "9999-99-99"];
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = rnd() < 0.15 ? replacements[Math.floor(rnd() * replacements.length)] : walk(x);
      return o;
    }
    return v;
  };
  return JSON.stringify(walk(tree));
}
