/**
 * Insert-or-ignore and upsert for any table, on both backends. Both are Kysely's `onConflict`, which
 * compiles to `insert ... on conflict` on PostgreSQL and on SQLite (3.24+), so there is one code path.
 */
import type { Insertable, Kysely } from "kysely";
import type { Database } from "./schema.js";

type TableName = keyof Database & string;
type ColumnOf<T extends TableName> = keyof Database[T] & string;
type Rows<T extends TableName> = Insertable<Database[T]> | ReadonlyArray<Insertable<Database[T]>>;

// Generic table names defeat Kysely's per-table typing; the public signatures above keep callers typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Untyped = Kysely<any>;

/**
 * Inserts rows, skipping any that would violate a unique constraint (only the one on `conflictColumns`,
 * if given). Works with a transaction too. Returns how many rows were inserted.
 */
export async function insertOrIgnore<T extends TableName>(
  db: Kysely<Database>,
  table: T,
  rows: Rows<T>,
  conflictColumns?: ReadonlyArray<ColumnOf<T>>,
): Promise<number> {
  const list = toList(rows);
  if (list.length === 0) return 0;
  const result = await (db as unknown as Untyped)
    .insertInto(table as string)
    .values(list)
    .onConflict((oc) => (conflictColumns === undefined ? oc : oc.columns([...conflictColumns])).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * Inserts rows, or, where a row with the same `conflictColumns` exists, overwrites its `updateColumns`
 * (default: every column given except the conflict columns) with the new values. Returns rows written.
 */
export async function upsert<T extends TableName>(
  db: Kysely<Database>,
  table: T,
  rows: Rows<T>,
  conflictColumns: ReadonlyArray<ColumnOf<T>>,
  updateColumns?: ReadonlyArray<ColumnOf<T>>,
): Promise<number> {
  const list = toList(rows);
  if (list.length === 0) return 0;
  const conflict: readonly string[] = conflictColumns;
  const update = updateColumns ?? Object.keys(list[0] ?? {}).filter((c) => !conflict.includes(c));
  const result = await (db as unknown as Untyped)
    .insertInto(table as string)
    .values(list)
    .onConflict((oc) => {
      const target = oc.columns([...conflict]);
      if (update.length === 0) return target.doNothing();
      // `excluded` is the row that failed to insert, in both dialects.
      return target.doUpdateSet((eb) => Object.fromEntries(update.map((c) => [c, eb.ref(`excluded.${c}`)])));
    })
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

function toList<R>(rows: R | ReadonlyArray<R>): R[] {
  return Array.isArray(rows) ? [...(rows as ReadonlyArray<R>)] : [rows as R];
}
