/**
 * HttpClient against a real HTTP server on 127.0.0.1 (port 0) whose answers the test scripts request
 * by request. Assertions are on what the server saw (requests, their order and headers) and on what
 * the client returned or threw — never on how long anything took.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { HttpClient, HttpError } from "../../../src/vulndb/sources/http.js";
import { listenLoopback } from "./source-harness.js";

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

interface Loop {
  url: string;
  host: string;
  seen: { path: string; headers: IncomingMessage["headers"] }[];
  close(): Promise<void>;
}

let server: Loop | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Answers the n-th request (from 0) with `answers[n]` (the last one repeats). */
async function serve(...answers: Handler[]): Promise<Loop> {
  const seen: Loop["seen"] = [];
  const http: Server = createServer((req, res) => {
    const n = seen.length;
    seen.push({ path: req.url ?? "", headers: req.headers });
    answers[Math.min(n, answers.length - 1)]!(req, res, n);
  });
  const { base, host, close } = await listenLoopback(http);
  server = { url: `${base}/doc`, host, seen, close };
  return server;
}

const status =
  (code: number, headers: Record<string, string> = {}, body = ""): Handler =>
  (_req, res) => {
    res.writeHead(code, headers);
    res.end(body);
  };
const ok = (body: string, headers: Record<string, string> = {}) => status(200, headers, body);
/** Never answers (the socket stays open until the test's server closes). */
const hang: Handler = () => {};

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the request to fail");
}

describe("HttpClient", () => {
  it("retries a 429 after Retry-After seconds, then returns the answer that came", async () => {
    const s = await serve(status(429, { "retry-after": "0" }, "slow down"), status(429, { "retry-after": "0" }), ok("third"));
    const res = await new HttpClient({ retries: 3 }).get(s.url);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe("third");
    expect(s.seen).toHaveLength(3);
  });

  it("honours a Retry-After given as an HTTP date (one in the past means: now)", async () => {
    const s = await serve(status(503, { "retry-after": new Date(Date.now() - 60_000).toUTCString() }), ok("after the date"));
    const res = await new HttpClient({ retries: 1 }).get(s.url);
    expect(res.body.toString()).toBe("after the date");
    expect(s.seen).toHaveLength(2);
  });

  it("gives up after `retries` retries with the last status", async () => {
    const s = await serve(status(429, { "retry-after": "0" }));
    const err = await failure(new HttpClient({ retries: 2 }).get(s.url));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(429);
    expect(s.seen).toHaveLength(3);
  });

  it("does not retry other statuses; a request can add its own (NVD's 403) and its own retry count", async () => {
    const notFound = await serve(status(404, {}, "no"));
    const err = await failure(new HttpClient({ retries: 3, backoffMs: 1 }).get(notFound.url));
    expect((err as HttpError).status).toBe(404);
    expect(err.message).toBe(`GET ${notFound.url}: HTTP 404 Not Found`);
    expect(notFound.seen).toHaveLength(1);
    await notFound.close();

    const forbidden = await serve(status(403), status(403), ok("let in"));
    const client = new HttpClient({ retries: 0, backoffMs: 1 });
    expect(((await failure(client.get(forbidden.url))) as HttpError).status).toBe(403);
    expect(forbidden.seen).toHaveLength(1);
    const res = await client.get(forbidden.url, { retryStatuses: [403, 429], retries: 2 });
    expect(res.body.toString()).toBe("let in");
    expect(forbidden.seen).toHaveLength(3);
  });

  it("the client's retry statuses replace the default set", async () => {
    const s = await serve(status(429, { "retry-after": "0" }), ok("unreached"));
    const err = await failure(new HttpClient({ retries: 3, retryStatuses: [503] }).get(s.url));
    expect((err as HttpError).status).toBe(429);
    expect(s.seen).toHaveLength(1);
  });

  it("sends ETag and Last-Modified back and reports a 304 as notModified with an empty body", async () => {
    const s = await serve(
      ok("v1", { etag: '"v1"', "last-modified": "Tue, 01 Apr 2025 10:00:00 GMT" }),
      (req, res) => {
        res.writeHead(req.headers["if-none-match"] === '"v1"' ? 304 : 200, { etag: '"v1"' });
        res.end();
      },
    );
    const client = new HttpClient();
    const first = await client.get(s.url);
    expect([first.notModified, first.etag, first.lastModified]).toEqual([false, '"v1"', "Tue, 01 Apr 2025 10:00:00 GMT"]);
    const second = await client.get(s.url, { etag: first.etag!, lastModified: first.lastModified! });
    expect(second.status).toBe(304);
    expect(second.notModified).toBe(true);
    expect(second.body.length).toBe(0);
    expect(second.etag).toBe('"v1"');
    expect(s.seen[0]!.headers["if-none-match"]).toBeUndefined();
    expect(s.seen[1]!.headers["if-none-match"]).toBe('"v1"');
    expect(s.seen[1]!.headers["if-modified-since"]).toBe("Tue, 01 Apr 2025 10:00:00 GMT");
  });

  it("refuses a body larger than maxBytes, and takes one exactly that large", async () => {
    const s = await serve(ok("x".repeat(10)), ok("x".repeat(100_000)));
    const client = new HttpClient({ maxBytes: 10, retries: 0 });
    expect((await client.get(s.url)).body.length).toBe(10);
    const err = await failure(client.get(s.url));
    expect(err).toBeInstanceOf(HttpError);
    expect(err.message).toMatch(/response larger than 10 bytes/);
  });

  it("times out a server that never answers, retrying as often as configured", async () => {
    const s = await serve(hang);
    const err = await failure(new HttpClient({ timeoutMs: 500, retries: 1, backoffMs: 1 }).get(s.url));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(0);
    expect(s.seen).toHaveLength(2);
  });

  it("a per-request timeout overrides the client's", async () => {
    const s = await serve(hang);
    const err = await failure(new HttpClient({ timeoutMs: 600_000, retries: 0 }).get(s.url, { timeoutMs: 500 }));
    expect((err as HttpError).status).toBe(0);
    expect(s.seen).toHaveLength(1);
  });

  it("stops at once when the caller aborts: no retry of the aborted request", async () => {
    const abort = new AbortController();
    const s = await serve(() => abort.abort(new Error("user pressed ^C")));
    const err = await failure(new HttpClient({ retries: 3, backoffMs: 1 }).get(s.url, { signal: abort.signal }));
    expect(err).toBeInstanceOf(HttpError);
    expect(s.seen).toHaveLength(1);
  });

  it("an abort during a Retry-After wait ends the wait without another request", async () => {
    const abort = new AbortController();
    const s = await serve((_req, res) => {
      res.writeHead(429, { "retry-after": "3600" });
      res.end(() => setImmediate(() => abort.abort(new Error("user pressed ^C"))));
    });
    const err = await failure(new HttpClient({ retries: 3 }).get(s.url, { signal: abort.signal }));
    expect(err.message).toMatch(/user pressed \^C/);
    expect(s.seen).toHaveLength(1);
  });

  it("spaces requests to a host as setHostInterval asks: the next one waits its turn (here: until aborted)", async () => {
    const s = await serve(ok("a"));
    const client = new HttpClient();
    client.setHostInterval(s.host, 3_600_000);
    expect((await client.get(s.url)).body.toString()).toBe("a");
    const abort = new AbortController();
    const second = failure(client.get(s.url, { signal: abort.signal }));
    // Another host is not held up by this one's interval.
    const other = await serve(ok("b"));
    expect((await client.get(other.url)).body.toString()).toBe("b");
    abort.abort(new Error("gave up waiting"));
    expect((await second).message).toMatch(/gave up waiting/);
    expect(s.seen).toHaveLength(1);
    await s.close();
    expect(() => client.setHostInterval(s.host, -1)).toThrow(RangeError);
  });

  it("sends the configured user agent, a default one otherwise, and the request's headers", async () => {
    const s = await serve(ok("ua"));
    await new HttpClient({ userAgent: "iotscope/9.9 (+test)" }).get(s.url, { headers: { apiKey: "k-1" } });
    await new HttpClient().get(s.url);
    expect(s.seen[0]!.headers["user-agent"]).toBe("iotscope/9.9 (+test)");
    expect(s.seen[0]!.headers.apikey).toBe("k-1");
    expect(s.seen[1]!.headers["user-agent"]).toMatch(/^iotscope/);
  });

  it("getJson parses the body and names the URL when it is not JSON", async () => {
    const s = await serve(ok('{"a":1}'), ok("<html>"));
    const client = new HttpClient();
    expect((await client.getJson(s.url)).json).toEqual({ a: 1 });
    expect((await failure(client.getJson(s.url))).message).toMatch(new RegExp(`^GET ${s.url}: not JSON: `));
  });
});
