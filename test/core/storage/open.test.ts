import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../../src/core/errors.js";
import { getMeta, openStorage, setMeta } from "../../../src/core/storage/index.js";
import { pgSkipReason, pgTestUrl } from "../../helpers/db.js";

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "iotscope-open-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The UsageError that opening `url` throws; fails the test if it throws anything else or succeeds. */
async function usageErrorFor(url: string, dataDir = tmp): Promise<string> {
  const err = await openStorage({ url, dataDir }).then(
    (s) => s.close().then(() => undefined),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  const message = (err as UsageError).message;
  expect(message).not.toContain("\n");
  return message;
}

describe("openStorage with SQLite", () => {
  it("defaults to iotscope.sqlite under dataDir, creating the directory, in WAL mode with foreign keys", async () => {
    const dataDir = path.join(tmp, "fresh", "nested");
    const storage = await openStorage({ dataDir });
    try {
      const file = path.join(dataDir, "iotscope.sqlite");
      expect(storage.dialect).toBe("sqlite");
      expect(storage.location).toBe(file);
      expect(existsSync(file)).toBe(true);
      const pragma = async (name: string) => (await sql.raw(`pragma ${name}`).execute(storage.db)).rows[0];
      expect(await pragma("journal_mode")).toEqual({ journal_mode: "wal" });
      expect(await pragma("foreign_keys")).toEqual({ foreign_keys: 1 });
      expect(await pragma("busy_timeout")).toEqual({ timeout: 5000 });
    } finally {
      await storage.close();
    }
  });

  it("keeps data across close and reopen, and close is idempotent", async () => {
    const dataDir = path.join(tmp, "reopen");
    const first = await openStorage({ dataDir });
    await setMeta(first.db, "k", "v");
    await first.close();
    await first.close();
    const second = await openStorage({ dataDir });
    expect(await getMeta(second.db, "k")).toBe("v");
    await second.close();
  });

  it.each([
    ["sqlite:<abs>", (f: string) => `sqlite:${f}`],
    ["sqlite://<abs>", (f: string) => `sqlite://${f}`],
    ["file:<abs>", (f: string) => `file:${f}`],
    ["file://<abs>", (f: string) => `file://${f}`],
  ])("opens an explicit file given as %s", async (_form, toUrl) => {
    const file = path.join(tmp, `explicit-${_form.replace(/\W/g, "")}.sqlite`);
    const storage = await openStorage({ url: toUrl(file), dataDir: path.join(tmp, "unused") });
    expect(storage.location).toBe(file);
    await storage.close();
    expect(existsSync(file)).toBe(true);
    expect(existsSync(path.join(tmp, "unused"))).toBe(false);
  });

  it("resolves sqlite:relative against the working directory", async () => {
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      const storage = await openStorage({ url: "sqlite:relative.sqlite", dataDir: "unused" });
      await storage.close();
      expect(storage.location).toBe(path.join(process.cwd(), "relative.sqlite"));
      expect(existsSync(path.join(tmp, "relative.sqlite"))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it("opens sqlite::memory: and migrates it", async () => {
    const storage = await openStorage({ url: "sqlite::memory:", dataDir: tmp });
    expect(storage.location).toBe(":memory:");
    expect(await getMeta(storage.db, "install_id")).toBeDefined();
    await storage.close();
  });

  it("refuses a file that is not a database", async () => {
    const file = path.join(tmp, "not-a-db.sqlite");
    await writeFile(file, "this is plain text, not SQLite ".repeat(100));
    expect(await usageErrorFor(`sqlite:${file}`)).toBe(
      `cannot open SQLite database at ${file}: file is not a database (check --db or IOTSCOPE_DB)`,
    );
  });

  it("refuses a path that is a directory", async () => {
    expect(await usageErrorFor(`sqlite:${tmp}`)).toMatch(new RegExp(`^cannot open SQLite database at ${tmp}: .+ \\(check --db or IOTSCOPE_DB\\)$`));
  });
});

describe("openStorage with a bad URL", () => {
  it("names an unknown scheme", async () => {
    expect(await usageErrorFor("mysql://x")).toBe(
      'unsupported database URL "mysql://x": unknown scheme "mysql:"; expected postgres://user@host:port/db[?schema=NAME], sqlite:PATH, or no URL for the built-in SQLite file (check --db or IOTSCOPE_DB)',
    );
  });

  it("does not echo a password from an unknown URL", async () => {
    const message = await usageErrorFor("mysql://root:hunter2@db/x");
    expect(message).not.toContain("hunter2");
    expect(message).toContain("mysql://root:***@db/x");
  });

  it("rejects garbage", async () => {
    expect(await usageErrorFor("not a url at all")).toMatch(/^unsupported database URL "not a url at all": no scheme; expected postgres:/);
    expect(await usageErrorFor("postgres://[::1")).toMatch(/^unsupported database URL "postgres:\/\/\[::1": not a valid URL/);
    expect(await usageErrorFor("sqlite:")).toMatch(/no file path after the scheme/);
    expect(await usageErrorFor("sqlite://somehost/x.sqlite")).toMatch(/a SQLite URL cannot name a host/);
  });

  it("rejects a schema name PostgreSQL would not keep as given", async () => {
    expect(await usageErrorFor("postgres://127.0.0.1/test?schema=Bad-Name")).toMatch(/schema "Bad-Name" must be lower-case letters, digits and _/);
  });

  it("reports a closed PostgreSQL port as connection refused", async () => {
    expect(await usageErrorFor("postgres://127.0.0.1:1/test")).toBe(
      "cannot connect to PostgreSQL at postgres://127.0.0.1:1/test: connection refused (is the server running? check --db or IOTSCOPE_DB)",
    );
  });

  it("redacts the password in connection errors", async () => {
    const message = await usageErrorFor("postgresql://u:s3cret@127.0.0.1:1/test");
    expect(message).toMatch(/^cannot connect to PostgreSQL at postgresql:\/\/u:\*\*\*@127\.0\.0\.1:1\/test: connection refused/);
    expect(message).not.toContain("s3cret");
  });
});

const describePg = pgSkipReason === undefined ? describe : describe.skip;

describePg(`openStorage with PostgreSQL${pgSkipReason ? ` [skipped: ${pgSkipReason}]` : ""}`, () => {
  it("reports a database that does not exist", async () => {
    const url = new URL(pgTestUrl);
    url.pathname = "/iotscope_no_such_db";
    expect(await usageErrorFor(url.toString())).toBe(
      `cannot connect to PostgreSQL at ${url.toString()}: database "iotscope_no_such_db" does not exist (create it, e.g. \`createdb iotscope_no_such_db\`, or check --db or IOTSCOPE_DB)`,
    );
  });

  it("reports an unknown role", async () => {
    const url = new URL(pgTestUrl);
    url.username = "iotscope_no_such_role";
    expect(await usageErrorFor(url.toString())).toMatch(
      /^cannot connect to PostgreSQL at .*: authentication failed for user "iotscope_no_such_role": .*role "iotscope_no_such_role" does not exist/,
    );
  });

  it("creates the schema from ?schema=, works in it, and redacts the password in location", async () => {
    const schema = `t_open_${process.pid}`;
    const url = new URL(pgTestUrl);
    url.password = "not-needed-with-trust";
    url.searchParams.set("schema", schema);
    const storage = await openStorage({ url: url.toString(), dataDir: path.join(tmp, "pg-unused") });
    try {
      expect(storage.dialect).toBe("postgres");
      expect(storage.location).not.toContain("not-needed-with-trust");
      expect(storage.location).toContain(":***@");
      const { rows } = await sql<{ table_schema: string }>`select table_schema from information_schema.tables where table_name = 'audit_log'`.execute(storage.db);
      expect(rows.map((r) => r.table_schema)).toContain(schema);
      expect(existsSync(path.join(tmp, "pg-unused"))).toBe(false);
    } finally {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(storage.db);
      await storage.close();
    }
  });
});
