/**
 * A tiny in-test vulnerability source (a fixture, not a mock of a peer): raw bodies are JSON objects with
 * the SourceRecord fields a test cares about; `parse` fills the rest with emptyRecord and throws
 * SourceParseError on bodies that are not JSON or lack an id, as a real parser would.
 */
import { readFile } from "node:fs/promises";
import { emptyRecord, type SourceRecord } from "../../src/vulndb/record.js";
import type { Checkpoint, Cursor, RawRecord, VulnSource } from "../../src/vulndb/sources/types.js";
import { SourceParseError } from "../../src/vulndb/sources/types.js";

export type Partial = Omit<Partial_<SourceRecord>, "source">;
type Partial_<T> = { [K in keyof T]?: T[K] };

export function raw(source: string, rec: Partial | string, id?: string): RawRecord {
  const body = typeof rec === "string" ? rec : JSON.stringify(rec);
  const rid = id ?? (typeof rec === "string" ? "?" : (rec.sourceId ?? "?"));
  return { source, id: rid, origin: `test:${rid}`, mediaType: "application/json", body, fetchedAt: "2025-01-01T00:00:00.000Z" };
}

export interface TestSourceOptions {
  name?: string;
  /** What fetch yields, in order; a Checkpoint between records, an Error to fail there. */
  feed?: Array<RawRecord | Checkpoint | Error>;
  /** Returned by fetch when it completes. */
  finalCursor?: Cursor;
}

export function testSource(opts: TestSourceOptions = {}) {
  const name = opts.name ?? "test";
  const seenCursors: Array<Cursor | undefined> = [];
  const source: VulnSource = {
    meta: { name, title: "test source", kind: "vulnerability-db", language: "en", licence: "n/a", cadence: "never", url: "test:", fileFormats: "JSON lines" },
    async *fetch(cursor) {
      seenCursors.push(cursor);
      for (const item of opts.feed ?? []) {
        if (item instanceof Error) throw item;
        yield item;
      }
      return opts.finalCursor ?? { done: 1 };
    },
    async *readFile(path) {
      const lines = (await readFile(path, "utf8")).split("\n");
      for (let i = 0; i < lines.length; i++) {
        if (lines[i]!.trim() === "") continue;
        yield { ...raw(name, lines[i]!, `line ${i + 1}`), origin: `${path}:${i + 1}` };
      }
    },
    parse(r) {
      let v: Partial;
      try {
        v = JSON.parse(r.body) as Partial;
      } catch (err) {
        throw new SourceParseError(name, r.id, r.origin, `not JSON: ${(err as Error).message}`);
      }
      if (typeof v.sourceId !== "string") throw new SourceParseError(name, r.id, r.origin, "no sourceId");
      if (v.kind === ("boom" as never)) throw new TypeError("parser bug");
      return [{ ...emptyRecord(name, v.sourceId, v.kind ?? "vulnerability"), aliases: [v.sourceId], ...v, source: name }];
    },
  };
  return { source, seenCursors };
}
