/** `GET /api/tags` on both databases: the tag pillar's search, through fastify's inject. */
import path from "node:path";
import { expect, it } from "vitest";
import { buildServer } from "../../src/server/index.js";
import { compileRuleSet, fileSource, loadRules, storeTagBatch } from "../../src/tag/index.js";
import { describeEachBackend } from "../helpers/db.js";

const rules = path.join(import.meta.dirname, "../tag/fixtures/store");

interface Page {
  tags: Array<{ id: number; campaign: string; ip: string; rule: string; state: string; vendor: string | null; deviceType: string | null; version: string | null; tag: Record<string, unknown> }>;
  next: number | null;
}

describeEachBackend("GET /api/tags", (open) => {
  it("finds stored tags by vendor, device type, rule, campaign and state, a page at a time", async () => {
    const storage = await open();
    const tagger = compileRuleSet(await loadRules(rules));
    const record = (ip: string, version: string) => ({
      ip,
      port: 1883,
      module: "mqtt",
      data: { mqtt: { status: "success", result: { response_type: "CONNACK", anonymous_access: true, broker_version: version } } },
    });
    const targets = ["198.51.100.1", "198.51.100.2", "198.51.100.3"].map((ip, i) => ({ ip, port: 1883, module: "mqtt", tags: tagger.tagRecord(record(ip, i < 2 ? `mosquitto version 2.0.${i}` : "x")) }));
    await storeTagBatch(storage, fileSource("api.jsonl"), targets);
    const app = await buildServer({ storage });
    try {
      const get = async (query: string) => {
        const res = await app.inject({ method: "GET", url: `/api/tags${query}` });
        expect(res.statusCode, res.body).toBe(200);
        return res.json() as Page;
      };
      const mosquitto = await get("?vendor=Eclipse%20Foundation&device_type=mqtt_broker&campaign=file:api.jsonl");
      expect(mosquitto.tags.map((t) => [t.ip, t.rule, t.version, t.campaign])).toEqual([
        ["198.51.100.1", "ST_mosquitto_version", "2.0.0", "file:api.jsonl"],
        ["198.51.100.2", "ST_mosquitto_version", "2.0.1", "file:api.jsonl"],
      ]);
      expect(mosquitto.next).toBeNull();
      expect(mosquitto.tags[0]!.tag).toMatchObject({ rule: "ST_mosquitto_version", kind: "mqtt", fields: ["broker_version"], port: 1883 });

      expect((await get("?rule=ST_anonymous_broker")).tags).toEqual([]);
      expect((await get("?rule=ST_anonymous_broker&state=testing")).tags).toHaveLength(3);
      expect((await get("?state=all")).tags).toHaveLength(2 + 3 + 3);
      expect((await get("?campaign=some-other-campaign")).tags).toEqual([]);

      // Pages: limit and after walk every active tag once, in id order.
      const ids: number[] = [];
      let page = await get("?limit=2");
      for (;;) {
        expect(page.tags.length).toBeLessThanOrEqual(2);
        ids.push(...page.tags.map((t) => t.id));
        if (page.next === null) break;
        page = await get(`?limit=2&after=${page.next}`);
      }
      expect(ids).toHaveLength(5);
      expect(new Set(ids).size).toBe(5);

      for (const bad of ["?state=published", "?limit=0", "?limit=100001", "?after=-1", "?after=x"]) {
        const res = await app.inject({ method: "GET", url: `/api/tags${bad}` });
        expect(res.statusCode, bad).toBe(400);
      }

      const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json() as { paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }> };
      expect(doc.paths["/api/tags"]!.get!.parameters!.map((p) => p.name).sort()).toEqual(["after", "campaign", "device_type", "ip", "limit", "product", "rule", "state", "vendor"]);
    } finally {
      await app.close();
      await storage.close();
    }
  });
});
