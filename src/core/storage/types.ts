import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** Which backend a Storage talks to. Code paths are shared; only DDL helpers look at this. */
export type Dialect = "sqlite" | "postgres";

/** An open database: the one typed query layer every pillar uses, whichever backend is behind it. */
export interface Storage {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where the data lives, safe to print: a file path, or the URL with its password redacted. */
  readonly location: string;
  /** Releases the file or the connection pool. Calling it again is a no-op. */
  close(): Promise<void>;
}
