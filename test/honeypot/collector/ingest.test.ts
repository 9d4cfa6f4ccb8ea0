/** Ingest on both backends: exact aggregate counts, dedup, command fingerprints across batches, enrichment. */
import { expect, it } from "vitest";
import { openGeo } from "../../../src/core/geo/index.js";
import type { Storage } from "../../../src/core/storage/index.js";
import { commandFingerprint, credentialKey, eventIds, honeypotEventSchema, honeypotStats, ingestEvents, net24Of, queryEvents } from "../../../src/honeypot/index.js";
import { eventsSince } from "../../../src/honeypot/collector/stats.js";
import { describeEachBackend } from "../../helpers/db.js";
import { describeWithShared } from "../../helpers/fixtures.js";
import { AU_IP, event, GB_IP, geoPaths, SE_IP, telnetSession } from "./support.js";

async function daily(storage: Storage, dimension: string): Promise<Record<string, number>> {
  const rows = await storage.db.selectFrom("honeypot_daily").select(["key", "count"]).where("dimension", "=", dimension).execute();
  const out: Record<string, number> = {};
  for (const r of rows) out[r.key] = (out[r.key] ?? 0) + Number(r.count);
  return out;
}

describeEachBackend("honeypot ingest", (open) => {
  it("counts each event once per dimension, per day and protocol", async () => {
    const storage = await open();
    const events = [
      event({ sensor: "a", protocol: "telnet", eventid: "telnet.login.failed", username: "root", password: "vizxv", src_ip: "198.51.100.20" }),
      event({ sensor: "a", protocol: "telnet", eventid: "telnet.login.failed", username: "root", password: "vizxv", src_ip: "198.51.100.21" }),
      event({ sensor: "b", protocol: "mqtt", transport: "tcp", eventid: "mqtt.connect", username: "admin", src_ip: "203.0.113.9", dst_port: 1883, timestamp: "2026-11-25T01:00:00.000Z" }),
      event({ sensor: "b", protocol: "http", eventid: "http.request", url: "/cgi-bin/luci", src_ip: "2001:db8:1:2::5", dst_port: 80 }),
    ];
    const r = await ingestEvents(storage, [...events, events[0]!]);
    expect(r).toEqual({ accepted: 4, duplicates: 1 });
    expect(await daily(storage, "sensor")).toEqual({ a: 2, b: 2 });
    expect(await daily(storage, "protocol")).toEqual({ telnet: 2, mqtt: 1, http: 1 });
    expect(await daily(storage, "net24")).toEqual({ "198.51.100.0/24": 2, "203.0.113.0/24": 1, "2001:db8:1::/48": 1 });
    expect(await daily(storage, "country")).toEqual({ unknown: 4 });
    expect(await daily(storage, "credential")).toEqual({ [credentialKey("root", "vizxv")]: 2, [credentialKey("admin", undefined)]: 1 });
    // An HTTP request target is not a download.
    expect(await daily(storage, "url")).toEqual({});
    const days = await storage.db.selectFrom("honeypot_daily").select(["day", "protocol", "count"]).where("dimension", "=", "sensor").where("key", "=", "b").orderBy("day").execute();
    expect(days.map((d) => [d.day, d.protocol, Number(d.count)])).toEqual([
      ["2026-11-24", "http", 1],
      ["2026-11-25", "mqtt", 1],
    ]);
    // Re-ingesting changes nothing.
    expect(await ingestEvents(storage, events)).toEqual({ accepted: 0, duplicates: 4 });
    expect(await daily(storage, "sensor")).toEqual({ a: 2, b: 2 });
  });

  it("fingerprints a session's commands when it closes, even when they came in earlier batches", async () => {
    const storage = await open();
    const s1 = telnetSession({ session: "fp01", commands: ["enable", "system", "shell", "sh", "/bin/busybox MIRAI"], url: "http://198.51.100.7/m.arm7" });
    const s2 = telnetSession({ session: "fp02", commands: ["enable", "system", "shell", "sh", "/bin/busybox MIRAI"], src_ip: "192.0.2.99" });
    const s3 = telnetSession({ session: "fp03", commands: ["uname -a"] });
    const open3 = telnetSession({ session: "fp04", commands: ["never closed"] }).filter((e) => e.eventid !== "session.closed");
    // s1 split across two batches: its close arrives after its commands were stored.
    await ingestEvents(storage, s1.slice(0, 4));
    await ingestEvents(storage, [...s1.slice(4), ...s2, ...s3, ...open3]);
    const fp = commandFingerprint(["enable", "system", "shell", "sh", "/bin/busybox MIRAI"]);
    expect(await daily(storage, "command")).toEqual({ [fp]: 2, [commandFingerprint(["uname -a"])]: 1 });
    expect(await daily(storage, "url")).toEqual({ "http://198.51.100.7/m.arm7": 1 });
    const stats = await honeypotStats(storage.db, { by: "command", since: "2026-11-24T00:00:00.000Z" });
    expect(stats.rows[0]).toEqual({ key: fp, count: 2, commands: ["enable", "system", "shell", "sh", "/bin/busybox MIRAI"] });
    expect(stats.total).toBe(3);
  });

  it("bounds very long aggregate keys but keeps distinct values distinct", async () => {
    const storage = await open();
    const long = (c: string) => `http://198.51.100.1/${c.repeat(3000)}`;
    await ingestEvents(storage, [
      event({ eventid: "telnet.session.file_download", url: long("a") }),
      event({ eventid: "telnet.session.file_download", url: long("a") }),
      event({ eventid: "telnet.session.file_download", url: long("b") }),
    ]);
    const urls = await daily(storage, "url");
    expect(Object.values(urls).sort()).toEqual([1, 2]);
    for (const k of Object.keys(urls)) expect(k.length).toBeLessThanOrEqual(512);
  });

  it("gives back every event of a batch exactly as sent, through the events query and the export reader", async () => {
    const storage = await open();
    const sent = [
      event({ eventid: "mqtt.publish", protocol: "mqtt", topic: "home/+/cmd", payload_b64: "AAEC", payload_size: 3, qos: 1, retain: false, client_id: "" }),
      event({ eventid: "mqtt.subscribe", protocol: "mqtt", topics: ["a/#", "b/\u0000/c"], username: "", password: "" }),
      event({ eventid: "http.request", protocol: "http", method: "GET", url: "/cgi-bin/luci?x=ü", headers: { host: "192.0.2.1", "x-odd": "a\"b" }, status: 404, user_agent: "Mozila/5.0" }),
      event({ eventid: "telnet.command.input", input: "  echo -e '\\x41'\n", persona: "dvr-xm" }),
      event({ eventid: "telnet.session.file_download", url: "http://198.51.100.1/x86", tool: "wget" }),
      event({ eventid: "session.closed", duration: 0, src_ip: "2001:db8::1", dst_ip: "2001:db8::2", src_port: 0, dst_port: 65535 }),
      event({ eventid: "coap.request", protocol: "coap", transport: "udp", method: "GET", path: "/.well-known/core", response_size: 12 }),
      event({ eventid: "telnet.login.success", username: "root", password: "xc3511", message: "ok" }),
    ].map((e) => honeypotEventSchema.parse(e));
    expect(await ingestEvents(storage, sent)).toEqual({ accepted: sent.length, duplicates: 0 });
    const byId = new Map(sent.map((e) => [e.id, e]));
    const queried = await queryEvents(storage.db, { limit: 100 });
    expect(queried).toHaveLength(sent.length);
    for (const { event: got } of queried) {
      expect(got).toEqual(byId.get(got.id));
      // Same keys in the same order as the parsed event, so JSON output is unchanged too.
      expect(JSON.stringify(got)).toBe(JSON.stringify(byId.get(got.id)));
    }
    const exported = [];
    for await (const r of eventsSince(storage.db, "2026-01-01T00:00:00.000Z", eventIds)) exported.push(r.event);
    expect(exported).toHaveLength(sent.length);
    for (const got of exported) expect(got).toStrictEqual(byId.get(got.id));
  });
});

describeWithShared("honeypot ingest with GeoIP enrichment", () => {
  describeEachBackend("enrichment", (open) => {
    it("stores country and AS from the test databases and counts them", async () => {
      const storage = await open();
      const geo = await openGeo(geoPaths);
      await ingestEvents(storage, [event({ src_ip: SE_IP }), event({ src_ip: SE_IP }), event({ src_ip: GB_IP }), event({ src_ip: AU_IP })], { geo });
      expect(await daily(storage, "country")).toEqual({ SE: 2, GB: 1, unknown: 1 });
      expect(await daily(storage, "asn")).toEqual({ "29518": 2, "1221": 1, unknown: 1 });
      const row = await storage.db.selectFrom("honeypot_events").select(["src_country", "src_asn", "src_net24"]).where("src_ip", "=", AU_IP).executeTakeFirstOrThrow();
      expect(row).toEqual({ src_country: null, src_asn: 1221, src_net24: "1.128.0.0/24" });
    });
  });
});

it("net24Of gives the /24 of IPv4 and the /48 of IPv6", () => {
  expect(net24Of("192.0.2.200")).toBe("192.0.2.0/24");
  expect(net24Of("2001:db8:abcd:12::1")).toBe("2001:db8:abcd::/48");
});
