/**
 * Multi-row insert statements built as SQL text once per (dialect, table, row count) and run with their
 * parameters through Kysely's `executeQuery`. Why not Kysely's builder: compiling a 1,000-row insert
 * builds and walks an 18,000-node AST, measured at ~80 ms — ten times the cost of executing it, which
 * alone caps ingest near 6,000 events/s. The text is the same on both backends except the placeholders.
 */
import { CompiledQuery, type Kysely } from "kysely";
import type { Database } from "../../core/storage/index.js";
import type { Dialect } from "../../core/storage/index.js";

const cache = new Map<string, string>();

export function bulkSql(dialect: Dialect, table: string, columns: readonly string[], rows: number, suffix: string): string {
  const key = `${dialect}\u0000${table}\u0000${rows}\u0000${suffix}`;
  let text = cache.get(key);
  if (text === undefined) {
    const width = columns.length;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const ps: string[] = [];
      for (let c = 0; c < width; c++) ps.push(dialect === "postgres" ? `$${r * width + c + 1}` : "?");
      tuples.push(`(${ps.join(",")})`);
    }
    text = `insert into ${table} (${columns.map((c) => `"${c}"`).join(",")}) values ${tuples.join(",")} ${suffix}`;
    // Chunk sizes repeat (full chunks and a few remainders): a small cache is enough.
    if (cache.size > 256) cache.clear();
    cache.set(key, text);
  }
  return text;
}

/**
 * Runs a bulk insert of `rows` rows whose values are `params`, row after row in `columns` order (flat:
 * no per-row arrays to allocate). Returns the rows the statement returned.
 */
export async function bulkInsert<R>(
  db: Kysely<Database>,
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  rows: number,
  params: unknown[],
  suffix: string,
): Promise<R[]> {
  if (rows === 0) return [];
  if (params.length !== rows * columns.length) throw new Error(`bulkInsert ${table}: ${params.length} values for ${rows} rows of ${columns.length} columns`);
  const result = await db.executeQuery<R>(CompiledQuery.raw(bulkSql(dialect, table, columns, rows, suffix), params));
  return result.rows as R[];
}
