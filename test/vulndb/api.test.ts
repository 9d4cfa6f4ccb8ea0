import swagger from "@fastify/swagger";
import Fastify from "fastify";
import { expect, it } from "vitest";
import { buildServer } from "../../src/server/index.js";
import { vulnsRoutes } from "../../src/server/routes/vulns.js";
import { syncSource } from "../../src/vulndb/index.js";
import { vulnEntrySchema } from "../../src/vulndb/format/schema.js";
import type { MergedEntry } from "../../src/vulndb/format/entry.js";
import { describeEachBackend } from "../helpers/db.js";
import { raw, testSource } from "./ingest-helpers.js";

const classify = (e: MergedEntry) => ({ iot: e.cpes.length > 0, score: e.cpes.length > 0 ? 0.8 : 0, reasons: [], deviceTypes: e.cpes.length > 0 ? ["router"] : [] });

describeEachBackend("REST /api/vulns", (open) => {
  it("lists with filters and cursor paging, gets by any alias, and serves only what changed since", async () => {
    const storage = await open();
    const cpe = { criteria: "cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*", vulnerable: false };
    const feed = [
      raw("nvd", { sourceId: "CVE-2023-1389", cpes: [cpe], kev: { dateAdded: "2023-05-01" }, descriptions: [{ lang: "en", text: "command injection" }] }),
      raw("nvd", { sourceId: "CVE-2024-0001" }),
      raw("nvd", { sourceId: "CVE-2024-0002" }),
    ];
    await syncSource(storage, testSource({ name: "nvd", feed }).source, { classify });
    await syncSource(storage, testSource({ name: "euvd", feed: [raw("euvd", { sourceId: "EUVD-2023-23645", aliases: ["EUVD-2023-23645", "CVE-2023-1389"] })] }).source, { classify });
    const app = await buildServer({ storage });
    try {
      const one = await app.inject({ method: "GET", url: "/api/vulns/euvd-2023-23645" });
      expect(one.statusCode).toBe(200);
      const entry = one.json() as { id: string; aliases: string[]; flags: { kev: boolean }; description: { value: { text: string } } };
      expect(entry.aliases).toEqual(["CVE-2023-1389", "EUVD-2023-23645"]);
      expect(entry.flags.kev).toBe(true);
      expect(entry.description.value.text).toBe("command injection");
      expect(vulnEntrySchema.safeParse(entry).error).toBeUndefined();
      expect((await app.inject({ method: "GET", url: `/api/vulns/${entry.id}` })).json()).toEqual(entry);
      expect((await app.inject({ method: "GET", url: "/api/vulns/CVE-1999-0001" })).statusCode).toBe(404);

      const filtered = (await app.inject({ method: "GET", url: "/api/vulns?kev=true&vendor=TP-Link&device_type=router" })).json() as { entries: Array<{ id: string }>; next: null };
      expect(filtered).toEqual({ entries: [expect.objectContaining({ id: entry.id })], next: null });

      const ids: string[] = [];
      let url = "/api/vulns?limit=2";
      for (;;) {
        const page = (await app.inject({ method: "GET", url })).json() as { entries: Array<{ id: string }>; next: string | null };
        ids.push(...page.entries.map((e) => e.id));
        if (!page.next) break;
        url = `/api/vulns?limit=2&cursor=${encodeURIComponent(page.next)}`;
      }
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(3);

      const later = new Date(Date.now() + 3_600_000);
      await syncSource(storage, testSource({ name: "nvd", feed: [raw("nvd", { sourceId: "CVE-2024-0002", title: "new" })] }).source, { classify, now: () => later });
      const since = (await app.inject({ method: "GET", url: `/api/vulns?since=${encodeURIComponent(new Date(later.getTime() - 1).toISOString())}` })).json() as { entries: Array<{ aliases: string[] }> };
      expect(since.entries.map((e) => e.aliases)).toEqual([["CVE-2024-0002"]]);

      const bad = await app.inject({ method: "GET", url: "/api/vulns?since=tomorrowish" });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({ error: expect.stringContaining("since:") });
      expect((await app.inject({ method: "GET", url: "/api/vulns?limit=0" })).statusCode).toBe(400);
      expect((await app.inject({ method: "GET", url: "/api/vulns?cursor=zzz" })).statusCode).toBe(400);

    } finally {
      await app.close();
    }
  });

  it("describes both endpoints in OpenAPI, with the published entry schema", async () => {
    const storage = await open();
    // Only this routes file, so that the document reflects it alone.
    const app = Fastify();
    await app.register(swagger, { openapi: { openapi: "3.1.0", info: { title: "t", version: "0" } } });
    await app.register(vulnsRoutes, { storage });
    try {
      await app.ready();
      const doc = app.swagger() as { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }> } }> };
      expect(Object.keys(doc.paths).sort()).toEqual(["/api/vulns", "/api/vulns/{id}"]);
      const one = doc.paths["/api/vulns/{id}"]!.get.responses["200"]!.content["application/json"]!.schema;
      expect(Object.keys(one.properties!)).toEqual(expect.arrayContaining(["id", "aliases", "cvss", "flags", "updatedAt"]));
    } finally {
      await app.close();
    }
  });
});
