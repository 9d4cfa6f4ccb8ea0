import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDatabaseUrl, redactUrl } from "../../../src/core/storage/url.js";

describe("parseDatabaseUrl", () => {
  it("treats no URL, or an empty one, as the default SQLite file", () => {
    const expected = { kind: "sqlite", file: "/data/iotscope.sqlite", location: "/data/iotscope.sqlite" };
    expect(parseDatabaseUrl(undefined, "/data")).toEqual(expected);
    expect(parseDatabaseUrl("  ", "/data")).toEqual(expected);
  });

  it("takes sqlite: paths literally and resolves relative ones against the working directory", () => {
    expect(parseDatabaseUrl("sqlite:/a b/x%20y.sqlite", "/d")).toMatchObject({ file: "/a b/x%20y.sqlite" });
    expect(parseDatabaseUrl("sqlite:rel/x.sqlite", "/d")).toMatchObject({ file: path.resolve("rel/x.sqlite") });
    expect(parseDatabaseUrl("SQLITE::memory:", "/d")).toMatchObject({ file: ":memory:" });
  });

  it("strips schema from the URL given to pg, keeps every other parameter, and redacts the location", () => {
    expect(parseDatabaseUrl("postgresql://u:pw@h:5433/db?schema=s_1&sslmode=require", "/d")).toEqual({
      kind: "postgres",
      connectionString: "postgresql://u:pw@h:5433/db?sslmode=require",
      schema: "s_1",
      location: "postgresql://u:***@h:5433/db?schema=s_1&sslmode=require",
    });
    expect(parseDatabaseUrl("postgres://h/db", "/d")).toMatchObject({ schema: undefined, connectionString: "postgres://h/db" });
  });
});

describe("redactUrl", () => {
  it("hides passwords, also in URLs that do not parse", () => {
    expect(redactUrl("postgres://u:secret@h/db")).toBe("postgres://u:***@h/db");
    expect(redactUrl("postgres://u@h/db")).toBe("postgres://u@h/db");
    expect(redactUrl("postgres://u:secret@[bad/db")).toBe("postgres://u:***@[bad/db");
  });
});
