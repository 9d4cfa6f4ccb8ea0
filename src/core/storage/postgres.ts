/** Opening the PostgreSQL backend through a pg connection pool. */
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { UsageError } from "../errors.js";
import { describePgConnectError } from "./pg-errors.js";
import type { Database } from "./schema.js";
import type { Storage } from "./types.js";

export const PG_CONNECT_TIMEOUT_MS = 5_000;

export interface PostgresTarget {
  connectionString: string;
  schema: string | undefined;
  location: string;
}

/**
 * pg returns bigint (int8) as a string, because it can exceed 2^53. Our ids and counts never get near that,
 * and SQLite returns numbers, so parse them as numbers for one code path; refuse silently lossy values.
 * Set per pool, not with pg.types.setTypeParser, so other pg users in the process are not affected.
 */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 && format !== "binary"
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} does not fit a JS number`);
  return value;
}

export async function openPostgres(target: PostgresTarget): Promise<Storage> {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    application_name: "iotscope",
    types: typeParsers,
    // Set at connection start-up, so every pooled connection (including ones opened later) sees the schema.
    // The name was validated in url.ts, so it needs no quoting.
    options: target.schema === undefined ? undefined : `-c search_path=${target.schema}`,
  });
  // An idle pooled connection that dies (server restart) emits 'error' on the pool; unhandled, that would
  // crash the process. The pool drops the connection, and the next query reports any lasting problem.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

  const params = new URL(target.connectionString);
  const database = decodeURIComponent(params.pathname.slice(1)) || decodeURIComponent(params.username) || "postgres";
  const user = decodeURIComponent(params.username) || process.env.PGUSER || process.env.USER || "postgres";
  try {
    await sql`select 1`.execute(db);
    if (target.schema !== undefined) await ensureSchema(db, target.schema);
  } catch (err) {
    await db.destroy();
    throw new UsageError(`cannot connect to PostgreSQL at ${target.location}: ${describePgConnectError(err, database, user)}`, {
      cause: err,
    });
  }

  let closed: Promise<void> | undefined;
  return {
    db,
    dialect: "postgres",
    location: target.location,
    close: () => (closed ??= db.destroy()),
  };
}

async function ensureSchema(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (err) {
    // Two sessions creating the same schema at once can both pass "if not exists" and one then fails on
    // the catalog's unique index; that one is fine as long as the schema now exists.
    const { rows } = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(db);
    if (rows.length === 0) throw err;
  }
}
