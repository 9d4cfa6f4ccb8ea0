import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { backends } from "../helpers/db.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "iotscope-cli-"));

describe("iotscope CLI", () => {
  it("lists every pillar and the global options in --help", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const cmd of ["serve", "db", "scan", "tag", "share", "honeypot", "vulns", "traffic", "malware"]) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, "m"));
    }
    for (const flag of ["--db <url>", "--data-dir <dir>", "--json", "--log-level <level>"]) expect(r.stdout).toContain(flag);
  });

  it("has --help on every level", async () => {
    const r = await runCli(["db", "migrate", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: iotscope db migrate");
  });

  it("exits 2 with a one-line message for a bad --db URL", async () => {
    const r = await runCli(["--db", "mysql://localhost/x", "db", "status", "--data-dir", tmp()]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^iotscope: .*mysql/);
  });

  it("exits 2 with a one-line message for an unreachable PostgreSQL", async () => {
    const r = await runCli(["--db", "postgres://postgres@127.0.0.1:1/test", "db", "status", "--data-dir", tmp()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/PostgreSQL/);
  });

  it("exits 2 with a one-line message for a bad config file", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ logLevel: "chatty" }));
    const r = await runCli(["db", "status", "--data-dir", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/config\.json: logLevel/);
  });

  it("exits 2 for an unknown option or command", async () => {
    expect((await runCli(["--no-such-flag"])).code).toBe(2);
    expect((await runCli(["frobnicate"])).code).toBe(2);
  });

  it("migrates the embedded database once; a second run is a no-op", async () => {
    const dir = tmp();
    const first = await runCli(["--json", "--data-dir", dir, "db", "migrate"]);
    expect(first.code).toBe(0);
    // Opening the database migrates it, so `db migrate` right after finds nothing left to do.
    const firstOut = JSON.parse(first.stdout) as { db: string; location: string; applied: string[] };
    expect(firstOut.db).toBe("sqlite");
    expect(firstOut.location).toBe(path.join(dir, "iotscope.sqlite"));
    const status = JSON.parse((await runCli(["--json", "--data-dir", dir, "db", "status"])).stdout) as {
      migrations: { name: string; appliedAt: string | null }[];
    };
    expect(status.migrations.length).toBeGreaterThan(0);
    expect(status.migrations.every((m) => m.appliedAt !== null)).toBe(true);
    const second = JSON.parse((await runCli(["--json", "--data-dir", dir, "db", "migrate"])).stdout) as { applied: string[] };
    expect(second.applied).toEqual([]);
  });

  it("serves /healthz on 127.0.0.1 on the embedded database", async () => {
    const server = await startCli(["--json", "--data-dir", tmp(), "serve", "--listen", "127.0.0.1:0"], (l) =>
      l.includes('"listening"'),
    );
    try {
      const { url } = JSON.parse(server.line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ok", db: "sqlite" });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  const pg = backends.find((b) => b.name === "postgres")!;
  it.skipIf(pg.skipReason !== undefined)("serves /healthz on PostgreSQL when given --db", async () => {
    const fresh = await pg.fresh();
    const server = await startCli(["--json", "--db", fresh.url!, "--data-dir", tmp(), "serve", "--listen", "127.0.0.1:0"], (l) =>
      l.includes('"listening"'),
    );
    try {
      const { url: base } = JSON.parse(server.line) as { url: string };
      expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: "ok", db: "postgres" });
    } finally {
      await server.stop();
      await fresh.dispose();
    }
  });

  it("says plainly that a pillar is not built yet, with exit code 2", async () => {
    const r = await runCli(["malware", "analyse", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not built yet/);
  });
});
