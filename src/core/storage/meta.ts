/** Reading and writing the `meta` key/value table. */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";
import { upsert } from "./upsert.js";

/** Well-known keys, written by the foundation migration. */
export const META_INSTALL_ID = "install_id";
export const META_CREATED_AT = "created_at";

export async function getMeta(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom("meta").select("value").where("key", "=", key).executeTakeFirst();
  return row?.value;
}

export async function setMeta(db: Kysely<Database>, key: string, value: string): Promise<void> {
  await upsert(db, "meta", { key, value }, ["key"]);
}
