/**
 * Turning `--db` / IOTSCOPE_DB into a backend and a location. Pure: nothing here touches the disk or network.
 *
 *   (unset or empty)                     SQLite file <dataDir>/iotscope.sqlite
 *   sqlite:/abs/x.sqlite  sqlite:x.sqlite SQLite file (relative paths are relative to the working directory,
 *   sqlite:///abs/x.sqlite                 like any other path given on the command line)
 *   file:/abs/x.sqlite  file:x.sqlite    same
 *   sqlite::memory:                      SQLite in memory (gone on close)
 *   postgres://user:pw@host:port/db?schema=NAME   PostgreSQL (also postgresql://); `schema` is optional
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.js";

export const DEFAULT_SQLITE_FILE = "iotscope.sqlite";

export type DatabaseTarget =
  | { kind: "sqlite"; /** absolute path, or ":memory:" */ file: string; location: string }
  | {
      kind: "postgres";
      /** The URL for pg, without our own `schema` parameter. */
      connectionString: string;
      /** Schema to create if missing and put on search_path, if the URL named one. */
      schema: string | undefined;
      location: string;
    };

const HINT = "check --db or IOTSCOPE_DB";
const EXPECTED = "expected postgres://user@host:port/db[?schema=NAME], sqlite:PATH, or no URL for the built-in SQLite file";
// Lower case only: PostgreSQL folds unquoted names to lower case, and the name goes unquoted into search_path.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function parseDatabaseUrl(url: string | undefined, dataDir: string): DatabaseTarget {
  const raw = url?.trim() ?? "";
  if (raw === "") {
    const file = path.resolve(dataDir, DEFAULT_SQLITE_FILE);
    return { kind: "sqlite", file, location: file };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  switch (scheme) {
    case "sqlite":
      return sqliteTarget(raw, raw.slice("sqlite:".length));
    case "file":
      return sqliteTarget(raw, raw.slice("file:".length));
    case "postgres":
    case "postgresql":
      return postgresTarget(raw);
    case undefined:
      throw new UsageError(`unsupported database URL "${redactUrl(raw)}": no scheme; ${EXPECTED} (${HINT})`);
    default:
      throw new UsageError(`unsupported database URL "${redactUrl(raw)}": unknown scheme "${scheme}:"; ${EXPECTED} (${HINT})`);
  }
}

function sqliteTarget(raw: string, rest: string): DatabaseTarget {
  if (rest === ":memory:") return { kind: "sqlite", file: ":memory:", location: ":memory:" };
  let file: string;
  if (rest.startsWith("//")) {
    // URL form: only an empty host makes sense for a local file (sqlite:///abs/path).
    try {
      file = fileURLToPath(`file:${rest}`);
    } catch {
      throw new UsageError(`unsupported database URL "${raw}": a SQLite URL cannot name a host; use sqlite:/absolute/path or sqlite:relative/path (${HINT})`);
    }
  } else {
    // A plain path, taken literally (no %-decoding), as a user typing a path expects.
    file = rest;
  }
  if (file === "") throw new UsageError(`unsupported database URL "${raw}": no file path after the scheme (${HINT})`);
  file = path.resolve(file);
  return { kind: "sqlite", file, location: file };
}

function postgresTarget(raw: string): DatabaseTarget {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`unsupported database URL "${redactUrl(raw)}": not a valid URL; ${EXPECTED} (${HINT})`);
  }
  const schema = parsed.searchParams.get("schema") ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new UsageError(
      `unsupported database URL "${redactUrl(raw)}": schema "${schema}" must be lower-case letters, digits and _ (at most 63, not starting with a digit) (${HINT})`,
    );
  }
  const location = redactUrl(raw);
  parsed.searchParams.delete("schema");
  return { kind: "postgres", connectionString: parsed.toString(), schema, location };
}

/** The URL with any password replaced by `***`, for messages and `Storage.location`. */
export function redactUrl(raw: string): string {
  try {
    const parsed = new URL(raw);
    if (parsed.password === "") return raw;
    parsed.password = "***";
    return parsed.toString();
  } catch {
    // Not parseable as a URL: blank out anything that looks like `user:password@`.
    return raw.replace(/(\/\/[^/:@]*:)[^/@]*@/, "$1***@");
  }
}
