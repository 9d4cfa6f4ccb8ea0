/**
 * Stored tags through the CLI, as a user would: a real scan of a real mosquitto makes a campaign,
 * `iotscope tag <campaign>` tags it from the database, `iotscope tags search|summary` and
 * `iotscope rules stats` read the tags back; JSON-lines input is stored with --store.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startMosquitto, type MosquittoPeer } from "../peers/mosquitto.js";

const rules = path.join(import.meta.dirname, "fixtures/store");
/** Each test runs several CLI processes through tsx, a few seconds each on a busy machine. */
const CLI_TIMEOUT = 180_000;
const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");
/** The summary line on stderr (progress lines and the final error line are around it). */
const summaryOf = (stderr: string): Record<string, unknown> =>
  lines(stderr)
    .filter((l) => l.startsWith('{"summary"'))
    .map((l) => (JSON.parse(l) as { summary: Record<string, unknown> }).summary)
    .at(-1)!;

interface StoredTagJson {
  id: number;
  campaign: string;
  campaignId: string | null;
  ip: string;
  port: number;
  rule: string;
  state: string;
  vendor: string | null;
  deviceType: string | null;
  version: string | null;
  tag: Record<string, unknown>;
}

describe("iotscope tag <campaign>, tags search|summary, rules stats", () => {
  let broker: MosquittoPeer;
  let dir: string;
  let campaign: string;
  const cli = (...args: string[]) => runCli(["--data-dir", dir, ...args]);

  beforeAll(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(path.join(tmpdir(), "iotscope-tag-store-"));
    const scan = await cli("scan", "mqtt", "127.0.0.1", "--allow-local-targets", "--port", String(broker.port), "--mqtt-subscribe", "--json");
    expect(scan.code, scan.stderr).toBe(0);
    const campaigns = JSON.parse((await cli("scan", "campaigns", "--json")).stdout) as Array<{ id: string }>;
    expect(campaigns).toHaveLength(1);
    campaign = campaigns[0]!.id;
  }, CLI_TIMEOUT);

  afterAll(async () => {
    await broker?.stop();
  });

  it("tags a stored campaign from the database and stores the tags; a rerun changes nothing", async () => {
    const r = await cli("tag", campaign.slice(0, 8), "--rules", rules, "--json");
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      campaign,
      module: "mqtt",
      results: 1,
      tagged: 1,
      tags: 2,
      testing_tags: 1,
      malformed: 0,
      stored: { targets: 1, rows: 3, batches: 1 },
      rules: 4,
      testing_rule_hits: { ST_anonymous_broker: 1 },
    });
    // Progress for long runs goes to stderr as JSON lines (not a TTY here), ending with the final count.
    expect(lines(r.stderr).map((l) => JSON.parse(l) as Record<string, unknown>).at(-1)).toMatchObject({ progress: "tag", done: 1, total: 1 });

    const search = async (...args: string[]) => {
      const s = await cli("tags", "search", ...args, "--json");
      expect(s.code, s.stderr).toBe(0);
      return JSON.parse(s.stdout) as { tags: StoredTagJson[]; next: number | null };
    };
    const mosquitto = await search("--vendor", "Eclipse Foundation", "--campaign", campaign);
    expect(mosquitto.tags).toHaveLength(1);
    expect(mosquitto.tags[0]).toMatchObject({ campaign, campaignId: campaign, ip: "127.0.0.1", port: broker.port, rule: "ST_mosquitto_version", state: "active", deviceType: "mqtt_broker" });
    // The version the real broker reports, captured by the rule's regex.
    expect(mosquitto.tags[0]!.version).toBe(broker.version.match(/^\d+\.\d+(?:\.\d+)?/)![0]);
    expect((await search("--device-type", "open_broker")).tags).toEqual([]);
    expect((await search("--device-type", "open_broker", "--state", "testing")).tags.map((t) => t.rule)).toEqual(["ST_anonymous_broker"]);
    expect((await search("--rule", "ST_mqtt_any_answer")).tags.map((t) => t.tag.overridden)).toEqual([{ device_type: "mqtt_service" }]);
    const facts = (page: { tags: StoredTagJson[] }) => page.tags.map((t) => [t.ip, t.port, t.rule, t.state, t.vendor, t.deviceType, t.version]).sort();
    const before = facts(await search("--state", "all"));
    expect(before).toHaveLength(3);

    const again = await cli("tag", campaign, "--rules", rules, "--json");
    expect(again.code, again.stderr).toBe(0);
    expect(facts(await search("--state", "all"))).toEqual(before);

    const text = await cli("tags", "search", "--vendor", "Eclipse Foundation");
    expect(text.stdout).toContain(`127.0.0.1:${broker.port}  mqtt  ST_mosquitto_version  vendor="Eclipse Foundation" product="Mosquitto" device_type="mqtt_broker"`);
    expect(text.stdout).toMatch(/1 tag; no more$/m);

    const summaryRows = JSON.parse((await cli("tags", "summary", "--json")).stdout) as unknown[];
    expect(summaryRows).toEqual([
      { vendor: "Eclipse Foundation", deviceType: "mqtt_broker", targets: 1, tags: 1 },
      { vendor: null, deviceType: "mqtt_service", targets: 1, tags: 1 },
    ]);
  }, CLI_TIMEOUT);

  it("writes the tagged records as JSON lines with --output", async () => {
    const out = path.join(dir, "tagged.jsonl");
    const r = await cli("tag", "--campaign", campaign, "--rules", rules, "--output", out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^campaign [0-9a-f-]+ \(mqtt\): tagged 1 of 1 results \(2 tags, 1 from testing rules\) with 4 rules; stored 3 tags of 1 targets in 1 batches$/m);
    const records = lines(readFileSync(out, "utf8")).map((l) => JSON.parse(l) as { ip: string; tags: Array<{ rule: string }> });
    expect(records.map((x) => [x.ip, x.tags.map((t) => t.rule)])).toEqual([["127.0.0.1", ["ST_mosquitto_version", "ST_mqtt_any_answer", "ST_anonymous_broker"]]]);
  }, CLI_TIMEOUT);

  it("shows hits per rule, active and testing apart, with the rules that never hit", async () => {
    const r = await cli("rules", "stats", "--rules", rules, "--since", "1d", "--json");
    expect(r.code, r.stderr).toBe(0);
    const stats = JSON.parse(r.stdout) as { since: string; rules: Array<Record<string, unknown>> };
    expect(Date.parse(stats.since)).toBeLessThan(Date.now() - 23 * 3_600_000);
    expect(stats.rules.map((s) => [s.rule, s.state, s.activeHits, s.testingHits])).toEqual([
      ["ST_anonymous_broker", "testing", 0, 1],
      ["ST_mosquitto_version", "active", 1, 0],
      ["ST_mqtt_any_answer", "active", 1, 0],
      ["ST_never", "active", 0, 0],
    ]);
    const text = await cli("rules", "stats", "--rules", rules);
    expect(text.stdout).toMatch(/^ST_never\s+active\s+0\s+0\s+0\s+-$/m);
    expect(text.stdout).toContain("4 rules: 1 without hits; 1 of 1 testing rules hit");
    const future = await cli("rules", "stats", "--rules", rules, "--since", "2999-01-01", "--json");
    expect((JSON.parse(future.stdout) as { rules: Array<{ activeHits: number; testingHits: number }> }).rules.every((s) => s.activeHits + s.testingHits === 0)).toBe(true);
    const bad = await cli("rules", "stats", "--since", "last tuesday");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--since");
  }, CLI_TIMEOUT);

  it("stores a JSON-lines file's tags with --store under file:<name>, or under a stored campaign with --campaign", async () => {
    const file = path.join(dir, "external.jsonl");
    const record = (ip: string, version: string) =>
      JSON.stringify({ ip, port: 1883, module: "mqtt", status: "success", data: { mqtt: { status: "success", protocol: "mqtt", result: { broker_version: version } } } });
    writeFileSync(file, [record("192.0.2.1", "mosquitto version 1.6.9"), JSON.stringify({ parsed: { subject: { common_name: ["x"] } } }), record("192.0.2.2", "other")].join("\n") + "\n");
    const r = await cli("tag", file, "--rules", rules, "--store", "--json");
    // The bare certificate has no ip and port: tagged and written back, reported, not stored (exit 1).
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toHaveLength(3);
    expect(r.stderr).toContain(`${file}:2: not stored: the record has no \`ip\``);
    const summary = summaryOf(r.stderr);
    expect(summary).toMatchObject({ records: 3, unstored: 1, stored: { source: "file:external.jsonl", campaign: null, targets: 2, rows: 1, batches: 1 } });
    const stored = JSON.parse((await cli("tags", "search", "--campaign", "file:external.jsonl", "--json")).stdout) as { tags: StoredTagJson[] };
    expect(stored.tags.map((t) => [t.ip, t.version, t.campaignId])).toEqual([["192.0.2.1", "1.6.9", null]]);

    // Under the stored campaign: the file's targets join the campaign's tags.
    const under = await cli("tag", file, "--rules", rules, "--campaign", campaign.slice(0, 8), "--output", path.join(dir, "ignored.jsonl"));
    expect(under.code).toBe(1);
    const inCampaign = JSON.parse((await cli("tags", "search", "--campaign", campaign, "--vendor", "Eclipse Foundation", "--json")).stdout) as { tags: StoredTagJson[] };
    expect(inCampaign.tags.map((t) => t.ip).sort()).toEqual(["127.0.0.1", "192.0.2.1"]);

    const stdin = await runCli(["--data-dir", dir, "tag", "-", "--rules", rules, "--store"], { input: record("192.0.2.3", "x") });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain("--store on stdin needs --campaign ID");
  }, CLI_TIMEOUT);

  it("says what is wrong with an argument that is neither a file nor a campaign", async () => {
    const r = await cli("tag", "0123abcd", "--rules", rules);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("0123abcd is neither a readable file nor a stored scan campaign");
    // What cannot be a campaign id is a file, and a missing one is reported as such.
    const missing = await cli("tag", "no-such-file.jsonl", "--rules", rules);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read no-such-file.jsonl");
    const unknown = await cli("tag", "--campaign", "deadbeef", "--rules", rules);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no scan campaign deadbeef");
  }, CLI_TIMEOUT);
});
