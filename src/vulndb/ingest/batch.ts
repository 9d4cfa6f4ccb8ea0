/**
 * One batch of raw records → storage, in one transaction: raw records, source records, alias edges and
 * the correlation of the entries they touch (and, when given, the source's cursor, so that a saved
 * cursor never runs ahead of what is committed). Parsing happens before the transaction so the write
 * lock is held only for the writes. A record that fails to parse is reported and left out; the rest of
 * the batch is stored.
 */
import { createHash } from "node:crypto";
import type { Storage } from "../../core/storage/index.js";
import { toJson, withTransaction } from "../../core/storage/index.js";
import { correlate, type Classifier, type CorrelateInput } from "../correlate/correlate.js";
import { recordKeys } from "../correlate/alias.js";
import type { SourceRecord } from "../record.js";
import type { Cursor, RawRecord, VulnSource } from "../sources/types.js";
import { SourceParseError } from "../sources/types.js";
import { chunks, eachChunk, insertChunk, selectIn } from "../store/chunk.js";

export interface BatchCounts {
  /** Raw records read. */
  read: number;
  /** Raw records whose exact bytes were already stored: skipped without parsing. */
  unchangedRaw: number;
  /** Source records parsed from the new raw records. */
  parsed: number;
  /** Source records written (new, or different from the stored version). */
  changed: number;
  errors: number;
  entriesCreated: number;
  entriesUpdated: number;
  entriesMerged: number;
}

export interface IngestError {
  recordId: string;
  origin: string;
  message: string;
}

export interface BatchOptions {
  now: string;
  classify?: Classifier;
  /** Parse even raw records whose bytes are already stored (after a parser change). */
  reparse?: boolean;
  /** Saved with the batch: the source's position once this batch is committed. */
  cursor?: Cursor;
  /** Runs on the parsed records before they are hashed and stored (translation: see ./translate.ts). */
  prepare?: (records: SourceRecord[]) => Promise<SourceRecord[]>;
}

export function emptyCounts(): BatchCounts {
  return { read: 0, unchangedRaw: 0, parsed: 0, changed: 0, errors: 0, entriesCreated: 0, entriesUpdated: 0, entriesMerged: 0 };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const KINDS = new Set(["vulnerability", "exploit", "article"]);

/** What the pipeline relies on; a parser that breaks it gets the record reported, not stored. */
function checkRecord(source: string, raw: RawRecord, r: SourceRecord): void {
  const bad = (why: string) => new SourceParseError(source, raw.id, raw.origin, `parser output: ${why}`);
  if (r.source !== source) throw bad(`source ${JSON.stringify(r.source)} is not ${JSON.stringify(source)}`);
  if (typeof r.sourceId !== "string" || r.sourceId === "") throw bad("empty sourceId");
  if (!KINDS.has(r.kind)) throw bad(`unknown kind ${JSON.stringify(r.kind)}`);
  for (const k of ["aliases", "related", "descriptions", "cvss", "cwes", "cpes", "affected", "references"] as const) {
    if (!Array.isArray(r[k])) throw bad(`${k} is not an array`);
  }
}

export async function ingestBatch(
  storage: Storage,
  source: VulnSource,
  raws: RawRecord[],
  opts: BatchOptions,
  onError: (e: IngestError) => void,
): Promise<BatchCounts> {
  const name = source.meta.name;
  const counts = emptyCounts();
  counts.read = raws.length;

  // Cheap skip: bytes already stored (checked outside the transaction; the insert below ignores races).
  const hashed = raws.map((raw) => ({ raw, sha: sha256(raw.body) }));
  const known = opts.reparse
    ? new Set<string>()
    : new Set(
        (
          await selectIn(
            hashed.map((h) => h.sha),
            (c) => storage.db.selectFrom("vuln_raw_records").select("sha256").where("source", "=", name).where("sha256", "in", c).execute(),
          )
        ).map((r) => r.sha256),
      );

  const seenSha = new Set<string>();
  const newRaws: Array<{ raw: RawRecord; sha: string }> = [];
  const fresh: Array<{ record: SourceRecord; rawSha: string }> = [];
  for (const h of hashed) {
    if (known.has(h.sha) || seenSha.has(h.sha)) {
      counts.unchangedRaw++;
      continue;
    }
    seenSha.add(h.sha);
    let records: SourceRecord[];
    try {
      records = source.parse(h.raw);
      for (const r of records) checkRecord(name, h.raw, r);
    } catch (err) {
      if (!(err instanceof SourceParseError)) {
        // A parser bug, not bad input: stop loudly, naming the record (batches before are committed).
        throw new Error(`${name}: ${h.raw.id} (${h.raw.origin}): parser failed: ${(err as Error).message}`, { cause: err });
      }
      counts.errors++;
      onError({ recordId: err.recordId || h.raw.id, origin: err.origin || h.raw.origin, message: err.message });
      continue;
    }
    newRaws.push(h);
    for (const record of records) fresh.push({ record, rawSha: h.sha });
  }
  if (opts.prepare && fresh.length > 0) {
    const prepared = await opts.prepare(fresh.map((f) => f.record));
    prepared.forEach((r, i) => (fresh[i]!.record = r));
  }
  const parsed = new Map<string, { record: SourceRecord; rawSha: string; norm: string; normSha: string }>();
  for (const { record, rawSha } of fresh) {
    // Plain JSON.stringify: a parser builds its records in a fixed key order, so equal records give equal text.
    const norm = JSON.stringify(record);
    // The same record twice in a batch (a feed listing an update twice): the later one wins.
    parsed.set(record.sourceId, { record, rawSha, norm, normSha: sha256(norm) });
  }
  counts.parsed = parsed.size;
  if (newRaws.length === 0 && opts.cursor === undefined) return counts;

  await withTransaction(storage, async (trx) => {
    const ids = [...parsed.keys()];
    const stored = new Map(
      (
        await selectIn(ids, (c) =>
          trx.selectFrom("vuln_source_records").select(["source_id", "norm_sha256", "entry_id"]).where("source", "=", name).where("source_id", "in", c).execute(),
        )
      ).map((r) => [r.source_id, r]),
    );
    const changed = [...parsed.values()].filter((p) => stored.get(p.record.sourceId)?.norm_sha256 !== p.normSha);
    counts.changed = changed.length;

    for (const c of chunks(newRaws, insertChunk(8))) {
      await trx
        .insertInto("vuln_raw_records")
        .values(
          c.map(({ raw, sha }) => ({
            source: name,
            record_id: raw.id,
            origin: raw.origin,
            media_type: raw.mediaType,
            sha256: sha,
            body: raw.body,
            modified: raw.modified ?? null,
            fetched_at: raw.fetchedAt,
          })),
        )
        .onConflict((oc) => oc.columns(["source", "sha256"]).doNothing())
        .execute();
    }

    if (changed.length > 0) {
      const inputs: CorrelateInput[] = changed.map((p) => {
        const prev = stored.get(p.record.sourceId)?.entry_id;
        return prev === undefined ? { record: p.record } : { record: p.record, previousEntryId: prev };
      });
      const result = await correlate(trx, inputs, { now: opts.now, classify: opts.classify });
      counts.entriesCreated = result.created;
      counts.entriesUpdated = result.updated;
      counts.entriesMerged = result.merged;

      const rows = changed.map((p) => ({
        source: name,
        source_id: p.record.sourceId,
        raw_sha256: p.rawSha,
        norm_sha256: p.normSha,
        kind: p.record.kind,
        data: p.norm,
        modified: p.record.modified ?? null,
        entry_id: result.entryOf.get(`${name}\u0000${p.record.sourceId}`)!,
        ingested_at: opts.now,
      }));
      for (const c of chunks(rows, insertChunk(9))) {
        await trx
          .insertInto("vuln_source_records")
          .values(c)
          .onConflict((oc) =>
            oc.columns(["source", "source_id"]).doUpdateSet((eb) => ({
              raw_sha256: eb.ref("excluded.raw_sha256"),
              norm_sha256: eb.ref("excluded.norm_sha256"),
              kind: eb.ref("excluded.kind"),
              data: eb.ref("excluded.data"),
              modified: eb.ref("excluded.modified"),
              entry_id: eb.ref("excluded.entry_id"),
              ingested_at: eb.ref("excluded.ingested_at"),
            })),
          )
          .execute();
      }

      const updatedIds = changed.filter((p) => stored.has(p.record.sourceId)).map((p) => p.record.sourceId);
      await eachChunk(updatedIds, (c) => trx.deleteFrom("vuln_alias_edges").where("source", "=", name).where("source_id", "in", c).execute());
      const edges = changed.flatMap((p) => recordKeys(p.record).map((alias) => ({ source: name, source_id: p.record.sourceId, alias })));
      for (const c of chunks(edges, insertChunk(3))) await trx.insertInto("vuln_alias_edges").values(c).onConflict((oc) => oc.doNothing()).execute();
    }

    if (opts.cursor !== undefined) {
      await trx.updateTable("vuln_sources").set({ cursor: toJson(opts.cursor), updated_at: opts.now }).where("name", "=", name).execute();
    }
  });
  return counts;
}
