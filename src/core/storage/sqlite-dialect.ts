/**
 * Kysely's SQLite dialect with two changes that make several connections to one file safe.
 *
 * 1. Transactions start with `begin immediate`, taking the write lock up front. A plain (deferred) `begin`
 *    reads first and upgrades later; in WAL mode that upgrade fails at once with SQLITE_BUSY if another
 *    connection wrote in between, and no busy timeout helps. Taking the lock first makes the busy timeout
 *    apply. The adapter also declares transactional DDL (which SQLite has), so Kysely's Migrator runs each
 *    migration run in one such transaction: that is what serialises concurrent migrators on SQLite.
 *
 * 2. Connections to the same file from one process take turns. better-sqlite3 is synchronous, so if one
 *    Storage holds the write lock across an `await` and another Storage in the same process then waits on
 *    it, the busy wait blocks the event loop and the holder can never finish: a deadlock until the timeout.
 *    Other processes are not affected; they simply wait out the busy timeout.
 */
import { CompiledQuery, SqliteAdapter, SqliteDialect } from "kysely";
import type { DatabaseConnection, DialectAdapter, Driver, QueryCompiler, SqliteDialectConfig, TransactionSettings } from "kysely";

export class SharedFileSqliteDialect extends SqliteDialect {
  readonly #fileKey: string | undefined;

  /** `fileKey` identifies the file (its real path); undefined for `:memory:`, which is never shared. */
  constructor(config: SqliteDialectConfig, fileKey: string | undefined) {
    super(config);
    this.#fileKey = fileKey;
  }

  override createDriver(): Driver {
    return new SharedFileSqliteDriver(super.createDriver(), this.#fileKey);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class SharedFileSqliteDriver implements Driver {
  readonly #inner: Driver;
  readonly #fileKey: string | undefined;
  #unlock: (() => void) | undefined;

  constructor(inner: Driver, fileKey: string | undefined) {
    this.#inner = inner;
    this.#fileKey = fileKey;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // The inner driver has one connection and hands it out to one caller at a time, so at most one
    // acquisition per driver is outstanding and a single #unlock slot suffices.
    const unlock = this.#fileKey === undefined ? undefined : await lockFile(this.#fileKey);
    try {
      const connection = await this.#inner.acquireConnection();
      this.#unlock = unlock;
      return connection;
    } catch (err) {
      unlock?.();
      throw err;
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const unlock = this.#unlock;
    this.#unlock = undefined;
    try {
      await this.#inner.releaseConnection(connection);
    } finally {
      unlock?.();
    }
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]): Promise<void> {
    await this.#inner.savepoint?.(connection, name, compile);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]): Promise<void> {
    await this.#inner.rollbackToSavepoint?.(connection, name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]): Promise<void> {
    await this.#inner.releaseSavepoint?.(connection, name, compile);
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/** Per-file FIFO lock for this process: each waiter chains onto the previous holder's promise. */
const fileQueues = new Map<string, Promise<void>>();

async function lockFile(key: string): Promise<() => void> {
  const previous = fileQueues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  fileQueues.set(key, tail);
  await previous;
  return () => {
    release();
    // Forget the queue once nobody is waiting, so the map does not grow with every file ever opened.
    if (fileQueues.get(key) === tail) fileQueues.delete(key);
  };
}
