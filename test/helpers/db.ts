/**
 * The one way tests get a database: a fresh, empty, migrated one per `open()`, on each backend.
 *
 * SQLite: a new temp directory, using the default file `<dataDir>/iotscope.sqlite`; removed on close.
 * PostgreSQL: IOTSCOPE_TEST_PG (default postgres://postgres@127.0.0.1:5432/test) with a new schema
 * `t_<random>`, dropped on close. If that server is unreachable the PostgreSQL tests FAIL, so a broken set-up
 * is never mistaken for a pass; set IOTSCOPE_TEST_PG=skip to skip them, with the reason in their title.
 *
 *     describeEachBackend("scan store", (open) => {
 *       it("saves a run", async () => {
 *         const storage = await open();
 *         try { ... } finally { await storage.close(); }
 *       });
 *     });
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe } from "vitest";
import { openStorage } from "../../src/core/storage/index.js";
import type { Storage } from "../../src/core/storage/index.js";

export const pgTestUrl = process.env.IOTSCOPE_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

/** Why the PostgreSQL tests are skipped, or undefined when they run. */
export const pgSkipReason = pgTestUrl === "skip" ? "IOTSCOPE_TEST_PG=skip" : undefined;

/** A new, empty database location, not yet opened: for tests that open it themselves (maybe twice). */
export interface FreshDatabase {
  /** For `openStorage({ url, dataDir })`; undefined means the default SQLite file under dataDir. */
  url: string | undefined;
  dataDir: string;
  /** Removes the database (temp directory or schema). Close every Storage on it first. */
  dispose(): Promise<void>;
}

export interface TestBackend {
  name: "sqlite" | "postgres";
  /** A fresh database, migrated unless `migrate: false`; closing it also removes it. */
  open(opts?: { migrate?: boolean }): Promise<Storage>;
  fresh(): Promise<FreshDatabase>;
  skipReason: string | undefined;
}

async function freshSqlite(): Promise<FreshDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "iotscope-test-"));
  return { url: undefined, dataDir, dispose: () => rm(dataDir, { recursive: true, force: true }) };
}

async function freshPostgres(): Promise<FreshDatabase> {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const url = new URL(pgTestUrl);
  url.searchParams.set("schema", schema);
  // PostgreSQL needs no directory, but openStorage's contract wants one; give it a path that is never created.
  const dataDir = path.join(os.tmpdir(), `iotscope-unused-${schema}`);
  return {
    url: url.toString(),
    dataDir,
    dispose: async () => {
      // A separate short-lived connection: the Storage that used the schema is closed by now.
      const client = new pg.Client({ connectionString: pgTestUrl, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

function backend(name: TestBackend["name"], fresh: () => Promise<FreshDatabase>, skipReason: string | undefined): TestBackend {
  return {
    name,
    fresh,
    skipReason,
    async open(opts = {}) {
      const target = await fresh();
      let storage: Storage;
      try {
        storage = await openStorage({ url: target.url, dataDir: target.dataDir, migrate: opts.migrate ?? true });
      } catch (err) {
        await target.dispose().catch(() => {});
        throw err;
      }
      let closed: Promise<void> | undefined;
      const close = () => (closed ??= storage.close().then(() => target.dispose()));
      return { ...storage, close } satisfies Storage;
    },
  };
}

export const backends: TestBackend[] = [
  backend("sqlite", freshSqlite, undefined),
  backend("postgres", freshPostgres, pgSkipReason),
];

/**
 * Declares the same `describe` block once per backend, titled `name [sqlite]` / `name [postgres]`.
 * Storages opened through `open` and not closed by the test are closed (and removed) after the block.
 */
export function describeEachBackend(
  name: string,
  fn: (open: TestBackend["open"], backend: TestBackend) => void,
): void {
  for (const b of backends) {
    const title = `${name} [${b.name}]`;
    if (b.skipReason !== undefined) {
      describe.skip(`${title} [skipped: ${b.skipReason}]`, () => fn(b.open, b));
      continue;
    }
    describe(title, () => {
      const opened: Storage[] = [];
      const open: TestBackend["open"] = async (opts) => {
        const storage = await b.open(opts);
        opened.push(storage);
        return storage;
      };
      afterAll(async () => {
        await Promise.all(opened.map((s) => s.close()));
      });
      fn(open, b);
    });
  }
}
