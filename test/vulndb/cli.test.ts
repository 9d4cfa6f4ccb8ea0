/** `iotscope vulns …` run as a user would: child processes, the real source modules, the real samples. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { vulnEntrySchema } from "../../src/vulndb/format/schema.js";
import { runCli } from "../helpers/cli.js";
import { backends, type FreshDatabase } from "../helpers/db.js";
import { describeWithShared, sharedFixture } from "../helpers/fixtures.js";

const dbArgs = (db: FreshDatabase) => [...(db.url ? ["--db", db.url] : []), "--data-dir", db.dataDir];

describeWithShared("iotscope vulns", () => {
  // Generous timeouts: each CLI call is a process start through tsx (seconds each on a loaded machine).
  // SQLite only: each CLI call costs a process start; the same pillar calls run on both backends in
  // store/ingest/api tests, and --db postgres://… is the storage layer's own tested path.
  {
    const backend = backends[0]!;
    it("syncs from files, shows, searches, explains, exports and lists the sources", { timeout: 900_000 }, async () => {
      const db = await backend.fresh();
      const dir = await mkdtemp(path.join(os.tmpdir(), "vulns-cli-"));
      try {
        const cli = (...args: string[]) => runCli([...dbArgs(db), ...args]);
        const kev = await cli("--json", "vulns", "sync", "--source", "kev", "--from-file", sharedFixture("vulndb/kev_catalog_slice.json"));
        expect(kev.stderr).toContain('"progress":"vulns sync kev"');
        expect(kev.code).toBe(0);
        expect(JSON.parse(kev.stdout)).toMatchObject({ source: "kev", mode: "file", read: 11, changed: 11, errors: 0 });
        expect((await cli("vulns", "sync", "--source", "exploitdb", "--from-file", sharedFixture("vulndb/exploitdb_files_exploits_slice.csv"))).code).toBe(0);
        expect((await cli("vulns", "sync", "--source", "nvd", "--from-file", sharedFixture("vulndb/nvd2_CVE-2023-1389.json"))).code).toBe(0);

        const show = await cli("--json", "vulns", "show", "cve-2023-1389");
        expect(show.code).toBe(0);
        const entry = JSON.parse(show.stdout) as { id: string; records: Array<{ source: string }>; flags: { kev: boolean } };
        expect(entry.records.map((r) => r.source)).toEqual(["kev", "nvd"]);
        expect(entry.flags.kev).toBe(true);
        const human = await cli("vulns", "show", entry.id);
        expect(human.stdout).toContain("CVE-2023-1389");
        expect(human.stdout).toContain("CISA KEV: added 2023-05-01");

        const search = await cli("--json", "vulns", "search", "--has-exploit", "--kev");
        const found = JSON.parse(search.stdout) as { entries: Array<{ aliases: string[] }>; next: string | null };
        expect(found.entries.map((e) => e.aliases[0]).sort()).toEqual(["CVE-2019-20085", "CVE-2020-5722"]);
        const byProduct = JSON.parse((await cli("--json", "vulns", "search", "--vendor", "tp-link", "--product", "archer ax21")).stdout) as { entries: Array<{ id: string }> };
        expect(byProduct.entries.map((e) => e.id)).toEqual([entry.id]);

        const explain = await cli("--json", "vulns", "classify", "--explain", "CVE-2023-1389");
        const verdict = JSON.parse(explain.stdout) as { iot: boolean; score: number; reasons: string[] };
        expect(verdict.iot).toBe(true);
        expect(verdict.score).toBeGreaterThan(0.5);
        expect(verdict.reasons.length).toBeGreaterThan(0);

        const out = path.join(dir, "all.jsonl");
        const exp = await cli("vulns", "export", "--format", "jsonl", "--output", out);
        expect(exp.code).toBe(0);
        const exported = (await readFile(out, "utf8")).trim().split("\n").map((l) => JSON.parse(l) as unknown);
        expect(exported.length).toBe(11 + 55);
        for (const e of exported) expect(vulnEntrySchema.safeParse(e).error).toBeUndefined();
        const osv = await cli("vulns", "export", "--format", "osv", "--kev");
        const records = osv.stdout.trim().split("\n").map((l) => JSON.parse(l) as { schema_version: string; aliases: string[] });
        expect(records).toHaveLength(11);
        expect(records.every((r) => r.schema_version === "1.6.0")).toBe(true);

        const list = JSON.parse((await cli("--json", "vulns", "sources")).stdout) as { sources: Array<{ name: string; state: { records: number } | null }>; entries: { entries: number } };
        expect(list.sources.find((s) => s.name === "kev")!.state!.records).toBe(11);
        expect(list.sources.find((s) => s.name === "cve5")!.state).toBeNull();
        expect(list.entries.entries).toBe(66);
      } finally {
        await rm(dir, { recursive: true, force: true });
        await db.dispose();
      }
    });
  }

  it("exits 1 naming the bad record when some records fail, after storing the others; 2 on usage mistakes", { timeout: 600_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "vulns-cli-"));
    try {
      const cli = (...args: string[]) => runCli(["--data-dir", dir, ...args]);
      const catalogue = JSON.parse(await readFile(sharedFixture("vulndb/kev_catalog_slice.json"), "utf8")) as { vulnerabilities: Array<Record<string, unknown>> };
      catalogue.vulnerabilities[2] = { ...catalogue.vulnerabilities[2], dateAdded: 12 };
      const bad = path.join(dir, "kev.json");
      await writeFile(bad, JSON.stringify(catalogue));
      const r = await cli("vulns", "sync", "--source", "kev", "--from-file", bad);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/kev: CVE-[\d-]+ \(.*kev\.json.*\): /);
      expect(r.stderr).toContain("1 record could not be parsed");
      expect(r.stdout).toContain("10 changed");

      const unknown = await cli("vulns", "sync", "--source", "nope");
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('unknown source "nope"');
      expect((await cli("vulns", "show", "CVE-1999-0001")).code).toBe(2);
      expect((await cli("vulns", "export", "--format", "csv")).code).toBe(2);
      expect((await cli("vulns", "search", "--since", "soon")).code).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
