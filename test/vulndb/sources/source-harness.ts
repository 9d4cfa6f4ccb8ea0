/**
 * What both source-test harnesses (feed-harness.ts, json-harness.ts) and http.test.ts share: a
 * FetchContext around a real HttpClient whose log lines the test can read, a node:http server
 * listening on 127.0.0.1 at a free port, and draining a source's generators and parsing their output
 * the way the ingest pipeline does.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import type { SourceRecord } from "../../../src/vulndb/record.js";
import { HttpClient } from "../../../src/vulndb/sources/http.js";
import { isCheckpoint, SourceParseError, type Checkpoint, type Cursor, type FetchContext, type RawRecord, type VulnSource } from "../../../src/vulndb/sources/types.js";

export interface TestContext extends FetchContext {
  /** Log lines written so far (pino JSON, parsed). */
  lines: { level: number; msg: string; [k: string]: unknown }[];
}

export function contextWith(http: HttpClient, options: Record<string, string | undefined>, now: Date): TestContext {
  const lines: TestContext["lines"] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { http, signal: new AbortController().signal, log, options, now: () => now, lines };
}

/** Starts `server` on 127.0.0.1, port 0; `close` also ends answers a test left hanging. */
export async function listenLoopback(server: Server): Promise<{ base: string; host: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Everything a source's fetch yields: records, checkpoints (their cursors), both in order, and the cursor it returns. */
export async function drain(source: VulnSource, cursor: Cursor | undefined, ctx: FetchContext): Promise<{ records: RawRecord[]; checkpoints: Cursor[]; order: (string | Checkpoint)[]; cursor: Cursor }> {
  const gen = source.fetch(cursor, ctx);
  const records: RawRecord[] = [];
  const checkpoints: Cursor[] = [];
  const order: (string | Checkpoint)[] = [];
  for (;;) {
    const step = await gen.next();
    if (step.done) return { records, checkpoints, order, cursor: step.value };
    if (isCheckpoint(step.value)) {
      checkpoints.push(step.value.checkpoint);
      order.push(step.value);
    } else {
      records.push(step.value);
      order.push(step.value.id);
    }
  }
}

/** Everything a source's readFile yields for `target`. */
export async function readAll(source: VulnSource, target: string, ctx: FetchContext = contextWith(new HttpClient(), {}, new Date())): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const raw of source.readFile(target, ctx)) out.push(raw);
  return out;
}

/** Parses every raw record; bad ones are collected as errors, as the ingest pipeline does. Any other throw is a bug: it fails the test. */
export function parseAll(source: VulnSource, raws: RawRecord[]): { records: SourceRecord[]; errors: SourceParseError[] } {
  const records: SourceRecord[] = [];
  const errors: SourceParseError[] = [];
  for (const raw of raws) {
    try {
      records.push(...source.parse(raw));
    } catch (err) {
      if (err instanceof SourceParseError) errors.push(err);
      else throw err;
    }
  }
  return { records, errors };
}
