/**
 * Bounded statements. SQLite caps bound parameters at 32,766 and PostgreSQL at 65,535 per statement, and
 * very long IN lists plan badly: every bulk read and write of the pillar goes through these.
 */
export const IN_CHUNK = 900;
const PARAMS_PER_INSERT = 9_000;

export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Rows per insert statement for rows of `columns` columns. */
export function insertChunk(columns: number): number {
  return Math.max(1, Math.floor(PARAMS_PER_INSERT / columns));
}

/** Runs `query` on each chunk of `keys` and concatenates the rows. */
export async function selectIn<K, R>(keys: readonly K[], query: (chunk: K[]) => Promise<R[]>): Promise<R[]> {
  if (keys.length === 0) return [];
  const out: R[] = [];
  for (const c of chunks([...new Set(keys)], IN_CHUNK)) out.push(...(await query(c)));
  return out;
}

/** Runs `write` on each chunk of `keys` (deletes and updates with an IN list). */
export async function eachChunk<K>(keys: readonly K[], write: (chunk: K[]) => Promise<unknown>, size = IN_CHUNK): Promise<void> {
  for (const c of chunks([...new Set(keys)], size)) await write(c);
}
