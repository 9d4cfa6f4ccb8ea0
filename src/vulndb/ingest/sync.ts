/**
 * `syncSource`: one source's records, from its online location (incremental, from the stored cursor) or
 * from a file/directory, through parse → store → correlate, in batches of `batchSize` raw records, one
 * transaction each. A checkpoint the source yields is saved with the batch that completes the records
 * before it; the cursor `fetch` returns is saved at the end. `--from-file` leaves the cursor alone (a
 * file says nothing about where the online feed stands).
 */
import { sql } from "kysely";
import type { Logger } from "pino";
import { silentLogger } from "../../core/log/index.js";
import type { Storage } from "../../core/storage/index.js";
import { fromJson } from "../../core/storage/index.js";
import type { Classifier } from "../correlate/correlate.js";
import { defaultClassifier } from "../correlate/iot.js";
import { HttpClient } from "../sources/http.js";
import type { Cursor, FetchContext, RawRecord, VulnSource } from "../sources/types.js";
import { isCheckpoint } from "../sources/types.js";
import { translatorFromEnv, type Translator } from "../translate/index.js";
import { emptyCounts, ingestBatch, type BatchCounts, type IngestError } from "./batch.js";
import { translationStep } from "./translate.js";

export interface SyncProgress extends BatchCounts {
  batches: number;
}

export interface SyncOptions {
  /** Read this file or directory (the source's `readFile`) instead of fetching. */
  fromFile?: string;
  /** Ignore the stored cursor and fetch everything (the cursor returned is still saved). */
  full?: boolean;
  /** Raw records per transaction (default 1000). */
  batchSize?: number;
  signal?: AbortSignal;
  /** Called after every committed batch with the totals so far. */
  progress?: (p: SyncProgress) => void;
  /** Called for every record that failed to parse (it is also counted and the last one stored). */
  onError?: (e: IngestError) => void;
  /** Source options (apiKey, baseUrl, …). */
  options?: Readonly<Record<string, string | undefined>>;
  http?: HttpClient;
  log?: Logger;
  /**
   * Translator for non-English text (default: IOTSCOPE_TRANSLATOR, see docs/vulndb-translation.md);
   * null: none (such text is kept and marked untranslated); false: skip the translation step entirely.
   */
  translator?: Translator | null | false;
  /** The IoT classifier (default: src/vulndb/iot's); false leaves `iot` null. */
  classify?: Classifier | false;
  reparse?: boolean;
  now?: () => Date;
}

export interface SyncReport extends SyncProgress {
  source: string;
  mode: "fetch" | "file";
  /** The first errors (all are counted in `errors`). */
  errorSamples: IngestError[];
  cursor: Cursor | null;
  durationMs: number;
}

const MAX_ERROR_SAMPLES = 100;

export async function getCursor(storage: Storage, name: string): Promise<Cursor | undefined> {
  const row = await storage.db.selectFrom("vuln_sources").select("cursor").where("name", "=", name).executeTakeFirst();
  return row?.cursor ? fromJson<Cursor>(row.cursor) : undefined;
}

export async function syncSource(storage: Storage, source: VulnSource, opts: SyncOptions = {}): Promise<SyncReport> {
  const started = Date.now();
  const name = source.meta.name;
  const now = opts.now ?? (() => new Date());
  const batchSize = Math.max(1, opts.batchSize ?? 1000);
  const signal = opts.signal ?? new AbortController().signal;
  const ctx: FetchContext = {
    http: opts.http ?? new HttpClient(),
    signal,
    log: opts.log ?? silentLogger,
    options: opts.options ?? {},
    now,
  };
  const totals: SyncProgress = { ...emptyCounts(), batches: 0 };
  const errorSamples: IngestError[] = [];
  let lastError: string | null = null;
  const onError = (e: IngestError) => {
    lastError = e.message;
    if (errorSamples.length < MAX_ERROR_SAMPLES) errorSamples.push(e);
    opts.onError?.(e);
  };

  if (storage.dialect === "sqlite") {
    // A bulk ingest touches index pages all over the alias and product indexes: a 64 MiB page cache
    // (SQLite's default is 2 MiB) keeps them in memory. Both settings are per connection.
    await sql`pragma cache_size = -65536`.execute(storage.db);
    // Checkpoint the WAL every ~40 MiB rather than every 4 MiB: index pages rewritten by every batch are
    // then copied into the database file once per checkpoint, not once per batch.
    await sql`pragma wal_autocheckpoint = 10000`.execute(storage.db);
  }
  const startedAt = now().toISOString();
  await storage.db
    .insertInto("vuln_sources")
    .values({ name, cursor: null, last_sync_at: startedAt, last_success_at: null, records: 0, errors: 0, last_error: null, updated_at: startedAt })
    .onConflict((oc) => oc.column("name").doUpdateSet({ last_sync_at: startedAt, updated_at: startedAt }))
    .execute();

  const classify = opts.classify === false ? undefined : (opts.classify ?? defaultClassifier);
  const prepare = opts.translator === false ? undefined : translationStep(opts.translator === undefined ? translatorFromEnv() : (opts.translator ?? undefined), ctx.log, signal);
  const flush = async (batch: RawRecord[], cursor?: Cursor) => {
    if (batch.length === 0 && cursor === undefined) return;
    const c = await ingestBatch(storage, source, batch, { now: now().toISOString(), classify, reparse: opts.reparse, cursor, prepare }, onError);
    for (const k of Object.keys(c) as Array<keyof BatchCounts>) totals[k] += c[k];
    totals.batches++;
    opts.progress?.({ ...totals });
  };

  let cursor: Cursor | undefined;
  try {
    let batch: RawRecord[] = [];
    if (opts.fromFile !== undefined) {
      for await (const raw of source.readFile(opts.fromFile, ctx)) {
        signal.throwIfAborted();
        batch.push(raw);
        if (batch.length >= batchSize) {
          await flush(batch);
          batch = [];
        }
      }
      await flush(batch);
    } else {
      const gen = source.fetch(opts.full ? undefined : await getCursor(storage, name), ctx);
      for (;;) {
        signal.throwIfAborted();
        const step = await gen.next();
        if (step.done) {
          cursor = step.value;
          break;
        }
        const item = step.value;
        if (isCheckpoint(item)) {
          await flush(batch, item.checkpoint);
          batch = [];
          continue;
        }
        batch.push(item);
        if (batch.length >= batchSize) {
          await flush(batch);
          batch = [];
        }
      }
      // The final cursor is saved with the last batch: both or neither.
      await flush(batch, cursor);
    }
  } catch (err) {
    await saveState(storage, name, totals.errors, (err as Error).message, null);
    throw err;
  }
  await saveState(storage, name, totals.errors, lastError, now().toISOString());
  return {
    ...totals,
    source: name,
    mode: opts.fromFile !== undefined ? "file" : "fetch",
    errorSamples,
    cursor: cursor ?? (await getCursor(storage, name)) ?? null,
    durationMs: Date.now() - started,
  };
}

async function saveState(storage: Storage, name: string, errors: number, lastError: string | null, successAt: string | null): Promise<void> {
  const records = await storage.db
    .selectFrom("vuln_source_records")
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .where("source", "=", name)
    .executeTakeFirstOrThrow();
  await storage.db
    .updateTable("vuln_sources")
    .set({
      records: Number(records.n),
      errors,
      last_error: lastError,
      updated_at: new Date().toISOString(),
      ...(successAt ? { last_success_at: successAt } : {}),
    })
    .where("name", "=", name)
    .execute();
}

