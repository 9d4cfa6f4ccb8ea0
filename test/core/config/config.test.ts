import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveSettings } from "../../../src/core/config.js";
import { UsageError } from "../../../src/core/errors.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "iotscope-config-"));

describe("settings", () => {
  it("default to the embedded database under ./.iotscope", () => {
    const s = resolveSettings({}, {});
    expect(s.db).toBeUndefined();
    expect(s.dataDir).toBe(path.resolve(".iotscope"));
    expect(s.logLevel).toBe("warn");
  });

  it("take flags over environment over the config file", () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ db: "sqlite:from-file.sqlite", logLevel: "info" }));
    expect(resolveSettings({ dataDir: dir }, {}).db).toBe("sqlite:from-file.sqlite");
    expect(resolveSettings({ dataDir: dir }, { IOTSCOPE_DB: "postgres://env/db" }).db).toBe("postgres://env/db");
    expect(resolveSettings({ dataDir: dir, db: "postgres://flag/db" }, { IOTSCOPE_DB: "postgres://env/db" }).db).toBe(
      "postgres://flag/db",
    );
    expect(resolveSettings({ dataDir: dir }, { IOTSCOPE_LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    expect(resolveSettings({ dataDir: dir }, {}).logLevel).toBe("info");
  });

  it("reject a config file with an unknown key, naming the key", () => {
    const dir = tmp();
    const file = path.join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ dbb: "x" }));
    expect(() => resolveSettings({ config: file }, {})).toThrow(UsageError);
    expect(() => resolveSettings({ config: file }, {})).toThrow(/bad\.json: .*dbb/);
  });

  it("reject a config file that is not JSON, a wrong type, a missing explicit file and a bad log level", () => {
    const dir = tmp();
    const notJson = path.join(dir, "a.json");
    writeFileSync(notJson, "{ db: ");
    expect(() => resolveSettings({ config: notJson }, {})).toThrow(/is not valid JSON/);
    const wrongType = path.join(dir, "b.json");
    writeFileSync(wrongType, JSON.stringify({ serve: { listen: 8080 } }));
    expect(() => resolveSettings({ config: wrongType }, {})).toThrow(/serve\.listen/);
    expect(() => resolveSettings({ config: path.join(dir, "nope.json") }, {})).toThrow(/does not exist/);
    expect(() => resolveSettings({ logLevel: "loud" }, {})).toThrow(/invalid log level "loud"/);
  });
});
