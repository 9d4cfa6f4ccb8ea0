/**
 * Every schema migration, by name. Names sort in application order (`NNNN_pillar_what`); a database records
 * which names it has applied, so a name must never change once released, and a new migration always gets
 * the next number. Listed in code rather than globbed from disk so it works the same from dist/ and tsx.
 */
import type { StorageMigration } from "../schema-helpers.js";
import { foundation } from "./0001_foundation.js";
import { scan } from "./0002_scan.js";
import { tag } from "./0003_tag.js";
import { tagStore } from "./0004_tag_store.js";
import { vulndb } from "./0005_vulndb.js";
import { honeypot } from "./0006_honeypot.js";

export const migrations: Readonly<Record<string, StorageMigration>> = {
  "0001_foundation": foundation,
  "0002_scan": scan,
  "0003_tag": tag,
  "0004_tag_store": tagStore,
  "0005_vulndb": vulndb,
  "0006_honeypot": honeypot,
};
