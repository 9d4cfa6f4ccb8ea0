/**
 * The tag store on both databases: tags per (ip, port, campaign), replaced per batch when re-tagged,
 * whole batches only after a crash, queries by vendor, device type, rule, campaign and state, and hits
 * per rule in a time window.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { expect, it } from "vitest";
import { CidrSet } from "../../src/core/net/index.js";
import type { Storage } from "../../src/core/storage/index.js";
import { emptyCounters, type Checkpoint } from "../../src/scan/engine/checkpoint.js";
import { buildRecord } from "../../src/scan/engine/output.js";
import { commitBatch, insertCampaign, type NewCampaign } from "../../src/scan/engine/store.js";
import { TargetSpace } from "../../src/scan/engine/targets.js";
import {
  compileRuleSet,
  fileSource,
  loadRules,
  parseSince,
  ruleStats,
  searchTags,
  storeTagBatch,
  summarizeTags,
  tagCampaign,
  type RuleSet,
  type StoredTag,
  type Tagger,
} from "../../src/tag/index.js";
import { describeEachBackend } from "../helpers/db.js";

const rulesDir = path.join(import.meta.dirname, "fixtures/store");

/** A finished mqtt campaign with `n` results on 192.0.2.x:1883: even ones a mosquitto, odd ones another broker. */
async function campaignWithResults(storage: Storage, n: number): Promise<string> {
  const space = TargetSpace.build({ v4: CidrSet.from(["192.0.2.0/24"]), v6: [], domains: new Map() }, new CidrSet(), [1883]);
  const now = new Date().toISOString();
  const c: NewCampaign = {
    id: randomUUID(),
    module: "mqtt",
    ports: [1883],
    createdAt: now,
    startedAt: now,
    state: "running",
    operator: "tester",
    purpose: "tag store test",
    targets: { specs: ["192.0.2.0/24"], requestedAddresses: 256, blocklistedAddresses: 0, addresses: 256, size: 256, spaceSha256: space.digest() },
    blocklist: { allowLocalTargets: false, sources: [], sha256: "x" },
    rate: 1000,
    perNetRate: 100,
    concurrency: 10,
    seed: "1",
    shards: 1,
    shard: 0,
    options: { connectTimeoutMs: 1, readTimeoutMs: 1, maxReadBytes: 1, allowLocalTargets: false, blocklistFiles: [], moduleOptions: {} },
    runner: null,
  };
  await insertCampaign(storage.db, c, space);
  const records = Array.from({ length: n }, (_, i) => ({
    seq: i,
    record: buildRecord(
      { ip: `192.0.2.${i}`, v: 4, port: 1883 },
      "mqtt",
      {
        status: "success",
        result: { response_type: "CONNACK", anonymous_access: i % 3 === 0, broker_version: i % 2 === 0 ? "mosquitto version 2.0.11" : "FlashMQ version 1.9.1" },
      },
      "2026-11-25T12:00:00.000Z",
    ),
  }));
  const checkpoint: Checkpoint = {
    version: 1,
    seed: "1",
    p: 257,
    g: 3,
    shards: 1,
    shard: 0,
    w: n,
    x: 1,
    pos: n,
    above: [],
    complete: true,
    counters: { ...emptyCounters(), done: n, results: n },
    at: now,
  };
  await commitBatch(storage, c.id, records, checkpoint);
  return c.id;
}

let ruleSet: RuleSet;
const tagger = async (): Promise<Tagger> => compileRuleSet((ruleSet ??= await loadRules(rulesDir)));

/** Everything stored, all pages, both states, as comparable facts (no ids or times). */
async function allTags(storage: Storage, campaign?: string): Promise<string[]> {
  const out: StoredTag[] = [];
  let after: number | undefined;
  do {
    const page = await searchTags(storage.db, { campaign, state: "all", limit: 7, after });
    out.push(...page.tags);
    after = page.next ?? undefined;
  } while (after !== undefined);
  return out.map((t) => `${t.campaign} ${t.ip}:${t.port} ${t.rule} ${t.state} ${t.vendor ?? "-"} ${t.deviceType ?? "-"} ${t.version ?? "-"}`).sort();
}

describeEachBackend("tag store", (open) => {
  it("tags a stored campaign page by page and stores the tags per (ip, port, campaign) with provenance", async () => {
    const storage = await open();
    const id = await campaignWithResults(storage, 25);
    const report = await tagCampaign(storage, await tagger(), id.slice(0, 8), { batchSize: 10 });
    expect(report).toMatchObject({ campaign: id, module: "mqtt", results: 25, tagged: 25, malformed: 0 });
    // 13 mosquittos (version + any answer), 12 others (any answer); 9 anonymous ones (testing rule).
    expect(report.tags).toBe(13 * 2 + 12);
    expect(report.testingTags).toBe(9);
    expect(report.stored).toEqual({ targets: 25, rows: 13 * 2 + 12 + 9, batches: 3 });

    const mosquitto = await searchTags(storage.db, { vendor: "Eclipse Foundation", limit: 1000 });
    expect(mosquitto.tags).toHaveLength(13);
    expect(mosquitto.next).toBeNull();
    const first = mosquitto.tags.find((t) => t.ip === "192.0.2.0")!;
    expect(first).toMatchObject({
      campaign: id,
      campaignId: id,
      port: 1883,
      module: "mqtt",
      rule: "ST_mosquitto_version",
      ruleFile: "store.rules",
      ruleHash: ruleSet.rules.find((r) => r.name === "ST_mosquitto_version")!.hash,
      state: "active",
      product: "Mosquitto",
      deviceType: "mqtt_broker",
      version: "2.0.11",
      matched: ["broker_version"],
    });
    expect(first.tag).toMatchObject({ rule: "ST_mosquitto_version", kind: "mqtt", port: 1883, version: "2.0.11" });
    expect(Date.parse(first.taggedAt)).toBeGreaterThan(Date.now() - 60_000);

    // Columns hold what each rule said: the loser of device_type is found by its own value, with the
    // winner's precedence recorded in its tag.
    const services = await searchTags(storage.db, { deviceType: "mqtt_service", ip: "192.0.2.0" });
    expect(services.tags.map((t) => [t.rule, t.tag.overridden])).toEqual([["ST_mqtt_any_answer", { device_type: "mqtt_service" }]]);
    expect((await searchTags(storage.db, { deviceType: "mqtt_service" })).tags).toHaveLength(25);

    // Testing tags are kept apart: not found unless asked for.
    expect((await searchTags(storage.db, { rule: "ST_anonymous_broker" })).tags).toEqual([]);
    const testing = await searchTags(storage.db, { rule: "ST_anonymous_broker", state: "testing" });
    expect(testing.tags.map((t) => t.ip).sort()).toEqual(["192.0.2.0", "192.0.2.12", "192.0.2.15", "192.0.2.18", "192.0.2.21", "192.0.2.24", "192.0.2.3", "192.0.2.6", "192.0.2.9"]);
    expect((await searchTags(storage.db, { campaign: "file:other", state: "all" })).tags).toEqual([]);
  });

  it("re-tagging the same campaign with the same rules leaves the same tags (idempotent)", async () => {
    const storage = await open();
    const id = await campaignWithResults(storage, 12);
    await tagCampaign(storage, await tagger(), id, { batchSize: 5 });
    const before = await allTags(storage, id);
    expect(before).toHaveLength(6 * 2 + 6 + 4);
    await tagCampaign(storage, await tagger(), id, { batchSize: 5 });
    expect(await allTags(storage, id)).toEqual(before);
    await tagCampaign(storage, await tagger(), id, { batchSize: 100 });
    expect(await allTags(storage, id)).toEqual(before);
  });

  it("a crash in the middle leaves whole batches only, and a rerun completes", async () => {
    const storage = await open();
    const id = await campaignWithResults(storage, 25);
    let seen = 0;
    const crash = tagCampaign(storage, await tagger(), id, {
      batchSize: 10,
      onRecord: () => {
        if (++seen === 15) throw new Error("simulated crash");
      },
    });
    await expect(crash).rejects.toThrow("simulated crash");
    const partial = await allTags(storage, id);
    // The first batch (192.0.2.0–9) is in, the second (10–14 seen) is not.
    expect(new Set(partial.map((t) => t.split(" ")[1]))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `192.0.2.${i}:1883`)));
    await tagCampaign(storage, await tagger(), id, { batchSize: 10 });
    const complete = await allTags(storage, id);
    expect(new Set(complete.map((t) => t.split(" ")[1])).size).toBe(25);
    expect(complete.filter((t) => partial.includes(t))).toEqual(partial);
  });

  it("a batch replaces its targets' tags: a rule that no longer matches loses them; other targets and sources are untouched", async () => {
    const storage = await open();
    const t = await tagger();
    const from = fileSource("results.jsonl");
    const other = fileSource("file:other");
    const record = (ip: string, version: string) => ({ ip, port: 1883, module: "mqtt", data: { mqtt: { status: "success", result: { broker_version: version } } } });
    const target = (ip: string, version: string) => ({ ip, port: 1883, module: "mqtt", tags: t.tagRecord(record(ip, version)) });
    await storeTagBatch(storage, from, [target("198.51.100.1", "mosquitto version 2.0.11"), target("198.51.100.2", "mosquitto version 1.6.9")]);
    await storeTagBatch(storage, other, [target("198.51.100.1", "mosquitto version 2.0.11")]);
    expect(await allTags(storage, "file:results.jsonl")).toEqual([
      "file:results.jsonl 198.51.100.1:1883 ST_mosquitto_version active Eclipse Foundation mqtt_broker 2.0.11",
      "file:results.jsonl 198.51.100.2:1883 ST_mosquitto_version active Eclipse Foundation mqtt_broker 1.6.9",
    ]);
    // The broker on .1 was replaced by something no rule knows; .2 was upgraded, twice in one batch (the last record counts).
    const counts = await storeTagBatch(storage, from, [
      target("198.51.100.1", "unknown"),
      target("198.51.100.2", "mosquitto version 2.0.15"),
      target("198.51.100.2", "mosquitto version 2.0.18"),
    ]);
    expect(counts).toEqual({ targets: 2, rows: 1 });
    expect(await allTags(storage, "file:results.jsonl")).toEqual(["file:results.jsonl 198.51.100.2:1883 ST_mosquitto_version active Eclipse Foundation mqtt_broker 2.0.18"]);
    expect(await allTags(storage, "file:other")).toHaveLength(1);
    expect((await searchTags(storage.db, { campaign: "file:other" })).tags[0]!.campaignId).toBeNull();
  });

  it("pages through search results with limit and after", async () => {
    const storage = await open();
    const id = await campaignWithResults(storage, 30);
    await tagCampaign(storage, await tagger(), id, { batchSize: 8 });
    const seen: number[] = [];
    let page = await searchTags(storage.db, { deviceType: "mqtt_service", limit: 7 });
    for (;;) {
      expect(page.tags.length).toBeLessThanOrEqual(7);
      seen.push(...page.tags.map((t) => t.id));
      if (page.next === null) break;
      page = await searchTags(storage.db, { deviceType: "mqtt_service", limit: 7, after: page.next });
    }
    expect(seen).toHaveLength(30);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(new Set(seen).size).toBe(30);
  });

  it("summarises targets and tags by vendor and device type", async () => {
    const storage = await open();
    const id = await campaignWithResults(storage, 10);
    await tagCampaign(storage, await tagger(), id);
    expect(await summarizeTags(storage.db)).toEqual([
      { vendor: null, deviceType: "mqtt_service", targets: 10, tags: 10 },
      { vendor: "Eclipse Foundation", deviceType: "mqtt_broker", targets: 5, tags: 5 },
    ]);
    expect(await summarizeTags(storage.db, { state: "testing" })).toEqual([{ vendor: null, deviceType: "open_broker", targets: 4, tags: 4 }]);
    expect(await summarizeTags(storage.db, { campaign: "file:none" })).toEqual([]);
  });

  it("counts hits per rule in a window, active and testing apart, listing rules without hits and rules no longer loaded", async () => {
    const storage = await open();
    const id = await campaignWithResults(storage, 6);
    await tagCampaign(storage, await tagger(), id);
    // An old tag from a rule that has since been removed from the set.
    const removed = { rule: "ST_removed", state: "active" as const, group: "Old", order: 1, kind: "mqtt", fields: ["x"], file: "old.rules", line: 1, hash: "0123456789abcdef", vendor: "Old" };
    await storeTagBatch(storage, fileSource("old.jsonl"), [{ ip: "203.0.113.1", port: 1883, module: "mqtt", tags: [removed] }], "2026-01-01T00:00:00.000Z");

    const all = await ruleStats(storage.db, ruleSet.rules);
    const byRule = Object.fromEntries(all.map((s) => [s.rule, s]));
    expect(byRule.ST_mosquitto_version).toMatchObject({ state: "active", group: "Mosquitto", file: "store.rules", activeHits: 3, testingHits: 0, versions: 1, currentVersionHits: 3, inRuleSet: true });
    expect(byRule.ST_anonymous_broker).toMatchObject({ state: "testing", activeHits: 0, testingHits: 2, currentVersionHits: 2 });
    expect(byRule.ST_never).toMatchObject({ state: "active", activeHits: 0, testingHits: 0, versions: 0, lastTaggedAt: null });
    expect(byRule.ST_removed).toMatchObject({ state: null, group: null, activeHits: 1, inRuleSet: false, lastTaggedAt: "2026-01-01T00:00:00.000Z" });

    const recent = await ruleStats(storage.db, ruleSet.rules, { since: parseSince("1d") });
    expect(recent.map((s) => s.rule).sort()).toEqual(["ST_anonymous_broker", "ST_mosquitto_version", "ST_mqtt_any_answer", "ST_never"]);
    expect(recent.find((s) => s.rule === "ST_mqtt_any_answer")).toMatchObject({ activeHits: 6 });
    // A rule edited since: its old tags count, but not as the current version's.
    const edited = ruleSet.rules.map((r) => (r.name === "ST_mqtt_any_answer" ? { ...r, hash: "fedcba9876543210" } : r));
    expect((await ruleStats(storage.db, edited)).find((s) => s.rule === "ST_mqtt_any_answer")).toMatchObject({ activeHits: 6, currentVersionHits: 0 });
  });

  it("deleting a campaign deletes its tags", async () => {
    const storage = await open();
    const id = await campaignWithResults(storage, 4);
    await tagCampaign(storage, await tagger(), id);
    expect(await allTags(storage, id)).not.toEqual([]);
    await storage.db.deleteFrom("scan_results").where("campaign_id", "=", id).execute();
    await storage.db.deleteFrom("scan_campaigns").where("id", "=", id).execute();
    expect(await allTags(storage, id)).toEqual([]);
  });
});

it("parses --since as a duration back from now or an ISO date, and refuses anything else", () => {
  const now = new Date("2026-11-25T12:00:00.000Z");
  expect(parseSince("1d", now)).toBe("2026-11-24T12:00:00.000Z");
  expect(parseSince("12h", now)).toBe("2026-11-25T00:00:00.000Z");
  expect(parseSince("30m", now)).toBe("2026-11-25T11:30:00.000Z");
  expect(parseSince("2w", now)).toBe("2026-11-11T12:00:00.000Z");
  expect(parseSince("2026-11-01", now)).toBe("2026-11-01T00:00:00.000Z");
  expect(parseSince("2026-11-01T06:30:00+02:00", now)).toBe("2026-11-01T04:30:00.000Z");
  for (const bad of ["yesterday", "1y", "-1d", "2026-13-45", ""]) expect(() => parseSince(bad, now)).toThrow(/--since/);
});
