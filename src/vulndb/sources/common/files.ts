/**
 * Reading what sources ship offline (every source's `readFile`): one file, a directory tree walked in
 * name order one directory at a time (a cvelistV5 checkout has ~300,000 files: the walk never lists the
 * whole tree at once), `.gz` files, and zip archives read entry by entry with yauzl (maintained,
 * streaming, validates entry names and sizes; a release zip of cvelistV5 holds a nested `cves.zip`,
 * which is spooled to a temporary file and walked the same way).
 *
 * One rule for bad input, whatever the source: a file that cannot be read at all (a corrupt zip or
 * .gz) fails the call when named directly and is logged and passed over inside a directory; a file
 * that reads but is not what the source expects is yielded whole, so that `parse` reports it as a
 * record error naming the file (the pipeline counts those) and the rest still goes in.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, opendir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { gunzipSync } from "node:zlib";
import yauzl from "yauzl";
import { SourceParseError, type FetchContext, type MediaType, type RawRecord } from "../types.js";

/** One file's text with where it came from (a path, or `archive.zip!entry/name.json`). */
export interface FileText {
  origin: string;
  /** The file name without folders (record ids are often the file name). */
  name: string;
  text: string;
}

/** Largest zip entry read into memory (a yearly NVD feed is a few hundred MB; V8 strings stop near 512 MiB). */
const MAX_ENTRY_BYTES = 480 * 1024 * 1024;

export type NameFilter = (name: string) => boolean;

/** `.json` and `.json.gz` files. */
export const isJsonName: NameFilter = (name) => /\.json(\.gz)?$/i.test(name);

/** Called for a file inside a directory that cannot be read at all (a corrupt zip or .gz); the walk goes on. */
export type UnreadableFile = (origin: string, err: Error) => void;

/** The usual UnreadableFile: an error line naming the source and the file. */
export function unreadable(ctx: { log: { error: (obj: object, msg: string) => void } }, source: string): UnreadableFile {
  return (origin, err) => ctx.log.error({ source, origin, err: err.message }, `${source}: ${origin}: unreadable, skipped: ${err.message}`);
}

/**
 * Every accepted file under `target` (a file, a directory or a `.zip`), in a stable order. A file
 * named directly that cannot be read fails the call; inside a directory it is reported through
 * `onUnreadable` and the walk goes on (text that is merely not JSON is yielded: parse names it).
 */
export async function* readTree(target: string, accept: NameFilter = isJsonName, onUnreadable?: UnreadableFile): AsyncGenerator<FileText, void, void> {
  const info = await stat(target);
  if (!info.isDirectory()) {
    yield* readOne(target, accept, true);
    return;
  }
  for await (const file of walkFiles(target, accept)) {
    try {
      yield* readOne(file, accept);
    } catch (err) {
      if (!onUnreadable) throw err;
      onUnreadable(file, err as Error);
    }
  }
}

async function* readOne(file: string, accept: NameFilter, explicit = false): AsyncGenerator<FileText, void, void> {
  if (/\.zip$/i.test(file)) {
    yield* zipEntries(file, accept);
    return;
  }
  if (!explicit && !accept(path.basename(file))) return;
  yield { origin: file, name: path.basename(file), text: decode(file, await readFile(file)) };
}

/** Files under `dir` whose name is accepted (or ends in .zip), depth first, names sorted per directory. */
export async function* walkFiles(dir: string, accept: NameFilter): AsyncGenerator<string, void, void> {
  const names: { name: string; dir: boolean }[] = [];
  for await (const entry of await opendir(dir)) {
    if (entry.name.startsWith(".")) continue; // .git and friends
    if (entry.isDirectory()) names.push({ name: entry.name, dir: true });
    else if (entry.isFile() && (accept(entry.name) || /\.zip$/i.test(entry.name))) names.push({ name: entry.name, dir: false });
  }
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const n of names) {
    const full = path.join(dir, n.name);
    if (n.dir) yield* walkFiles(full, accept);
    else yield full;
  }
}

/** Accepted entries of a zip file, streamed one at a time; nested `.zip` entries are walked too. */
export async function* zipEntries(file: string, accept: NameFilter, label = file): AsyncGenerator<FileText, void, void> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: true });
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (name.endsWith("/")) continue;
      const base = path.posix.basename(name);
      if (/\.zip$/i.test(base)) {
        const tmp = await mkdtemp(path.join(os.tmpdir(), "iotscope-zip-"));
        try {
          const inner = path.join(tmp, "inner.zip");
          await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(inner));
          yield* zipEntries(inner, accept, `${label}!${name}`);
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
        continue;
      }
      if (!accept(base)) continue;
      // yauzl checks the declared size against the inflated bytes; this refuses a bomb up front.
      if (entry.uncompressedSize > MAX_ENTRY_BYTES) throw new Error(`${label}!${name}: entry of ${entry.uncompressedSize} bytes is larger than ${MAX_ENTRY_BYTES}`);
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      yield { origin: `${label}!${name}`, name: base, text: decode(base, Buffer.concat(chunks)) };
    }
  } finally {
    zip.close();
  }
}

function decode(name: string, bytes: Buffer): string {
  return (/\.gz$/i.test(name) ? gunzipSync(bytes) : bytes).toString("utf8");
}

/** A zip file (e.g. downloaded) given as bytes: spooled to a temporary file so yauzl can seek in it. */
export async function* zipBufferEntries(bytes: Buffer, label: string, accept: NameFilter = isJsonName): AsyncGenerator<FileText, void, void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "iotscope-zip-"));
  try {
    const file = path.join(tmp, "download.zip");
    await pipeline(async function* () {
      yield bytes;
    }, createWriteStream(file));
    yield* zipEntries(file, accept, label);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** A record id from a file name when the content gives none: the name without its data extension. */
export function fileId(name: string): string {
  return name.replace(/\.(json|csv|xml|rss|atom)(\.gz)?$/i, "");
}

export interface SplitOptions {
  source: string;
  /** Which files in a directory or zip are read (a file named directly always is). */
  accept: NameFilter;
  /** The media type of a file yielded whole. */
  mediaType: MediaType;
  /**
   * A file's records. Throwing a SourceParseError before returning (not JSON, not the container the
   * source expects) yields the file whole for parse to reject; any other error fails the read.
   */
  split(file: FileText, fetchedAt: string): Iterable<RawRecord> | Promise<Iterable<RawRecord>>;
}

/** Every record under `target` (see readTree), file by file, with the bad-input rule above. */
export async function* readRecords(target: string, ctx: FetchContext, opts: SplitOptions): AsyncGenerator<RawRecord, void, void> {
  for await (const file of readTree(target, opts.accept, unreadable(ctx, opts.source))) {
    const fetchedAt = ctx.now().toISOString();
    let records: Iterable<RawRecord>;
    try {
      records = await opts.split(file, fetchedAt);
    } catch (err) {
      if (!(err instanceof SourceParseError)) throw err;
      yield { source: opts.source, id: fileId(file.name), origin: file.origin, mediaType: opts.mediaType, body: file.text, fetchedAt };
      continue;
    }
    yield* records;
  }
}
