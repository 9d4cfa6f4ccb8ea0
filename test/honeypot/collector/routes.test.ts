/**
 * The collector's HTTP routes through fastify inject on the full `serve` app, on both backends: enrolment,
 * sensor authentication, batch dedup and acks, heartbeats, stats, the fleet view and the admin events query.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openGeo } from "../../../src/core/geo/index.js";
import type { Storage } from "../../../src/core/storage/index.js";
import { createEnrolToken, dimensions, type HoneypotEvent } from "../../../src/honeypot/index.js";
import { buildServer } from "../../../src/server/index.js";
import { describeEachBackend } from "../../helpers/db.js";
import { haveSharedFixtures } from "../../helpers/fixtures.js";
import { event, geoPaths, SE_IP, telnetSession } from "./support.js";

const ADMIN = "admin-token-0123456789abcdef";

describeEachBackend("honeypot collector routes", (open) => {
  let storage: Storage;
  let app: FastifyInstance;

  beforeAll(async () => {
    storage = await open();
    // The test databases when present; the enrichment assertions below are skipped without them.
    const geo = await openGeo(haveSharedFixtures ? geoPaths : {});
    app = await buildServer({ storage, honeypot: { geo, adminToken: ADMIN } });
  });
  afterAll(async () => {
    await app.close();
  });

  async function enrol(sensor: string): Promise<string> {
    const { enrol_token } = await createEnrolToken(storage, sensor, { country: "de", asn: 3320, net24: "198.51.100.0/24", location: "Frankfurt" });
    const res = await app.inject({ method: "POST", url: "/api/honeypot/v1/enrol", payload: { enrol_token, sensor, personas: ["hikvision-cam"] } });
    expect(res.statusCode).toBe(200);
    return res.json<{ token: string }>().token;
  }

  const post = (url: string, payload: unknown, token?: string) =>
    app.inject({ method: "POST", url: `/api/honeypot/v1/${url}`, payload: payload as object, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  const batch = (sensor: string, events: HoneypotEvent[], id = "b1") => ({ sensor, batch_id: id, events });

  it("enrols a sensor with a one-time token, and refuses the token a second time", async () => {
    const { enrol_token } = await createEnrolToken(storage, "once-1", {});
    const first = await post("enrol", { enrol_token, sensor: "once-1" });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ sensor: "once-1", token: expect.any(String) });
    const again = await post("enrol", { enrol_token, sensor: "once-1" });
    expect(again.statusCode).toBe(403);
    const stored = await storage.db.selectFrom("honeypot_sensors").select("token_hash").where("id", "=", "once-1").executeTakeFirstOrThrow();
    // Only a hash is stored, never the token.
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_hash).not.toBe(first.json<{ token: string }>().token);
  });

  it("refuses an expired enrolment token, one for another sensor, and an unknown one", async () => {
    const expired = await createEnrolToken(storage, "exp-1", {}, { ttlMs: 1, now: new Date(Date.now() - 60_000) });
    expect((await post("enrol", { enrol_token: expired.enrol_token, sensor: "exp-1" })).statusCode).toBe(403);
    const other = await createEnrolToken(storage, "exp-2", {});
    expect((await post("enrol", { enrol_token: other.enrol_token, sensor: "exp-3" })).statusCode).toBe(403);
    expect((await post("enrol", { enrol_token: "x".repeat(43), sensor: "exp-2" })).statusCode).toBe(403);
    expect((await post("enrol", { sensor: "exp-2" })).statusCode).toBe(400);
  });

  it("refuses events and heartbeats without a token, with a wrong one, and with another sensor's", async () => {
    const token = await enrol("auth-1");
    const otherToken = await enrol("auth-2");
    const body = batch("auth-1", [event({ sensor: "auth-1" })]);
    for (const t of [undefined, "wrong-token", otherToken]) {
      const res = await post("events", body, t);
      expect(res.statusCode).toBe(401);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    }
    const hb = { sensor: "auth-1", time: new Date().toISOString(), spooled_events: 0, sessions_open: 0, events_per_s: 0, emulators: [] };
    expect((await post("heartbeat", hb)).statusCode).toBe(401);
    expect((await post("heartbeat", hb, "nope")).statusCode).toBe(401);
    const count = await storage.db.selectFrom("honeypot_events").select((eb) => eb.fn.countAll().as("n")).where("sensor", "=", "auth-1").executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
    expect((await post("events", body, token)).statusCode).toBe(200);
  });

  it("an old token stops working once the sensor re-enrols", async () => {
    const old = await enrol("rot-1");
    const fresh = await enrol("rot-1");
    expect((await post("events", batch("rot-1", []), old)).statusCode).toBe(401);
    expect((await post("events", batch("rot-1", []), fresh)).statusCode).toBe(200);
  });

  it("stores a batch once: the same batch twice is acknowledged with every event a duplicate", async () => {
    const token = await enrol("dedup-1");
    const events = telnetSession({ sensor: "dedup-1", session: "d0001", commands: ["enable", "sh"], src_ip: SE_IP });
    const first = await post("events", batch("dedup-1", events), token);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ batch_id: "b1", accepted: events.length, duplicates: 0, rejected: [] });
    const second = await post("events", batch("dedup-1", events), token);
    expect(second.json()).toEqual({ batch_id: "b1", accepted: 0, duplicates: events.length, rejected: [] });
    const rows = await storage.db.selectFrom("honeypot_events").selectAll().where("sensor", "=", "dedup-1").execute();
    expect(rows).toHaveLength(events.length);
    // Counted once: the duplicates did not touch the aggregates.
    const daily = await storage.db.selectFrom("honeypot_daily").select("count").where("dimension", "=", "sensor").where("key", "=", "dedup-1").execute();
    expect(daily.map((d) => Number(d.count))).toEqual([events.length]);
    const sensor = await storage.db.selectFrom("honeypot_sensors").select("events_received").where("id", "=", "dedup-1").executeTakeFirstOrThrow();
    expect(Number(sensor.events_received)).toBe(events.length);
    if (haveSharedFixtures) {
      expect(rows[0]).toMatchObject({ src_country: "SE", src_asn: 29518, src_net24: "89.160.20.0/24" });
    }
  });

  it("stores the valid events of a batch and reports the invalid ones and those naming another sensor", async () => {
    const token = await enrol("mixed-1");
    const good = event({ sensor: "mixed-1" });
    const body = batch("mixed-1", [good, { ...event({ sensor: "mixed-1" }), src_ip: "999.1.1.1" }, event({ sensor: "someone-else" })]);
    const res = await post("events", body, token);
    expect(res.statusCode).toBe(200);
    const ack = res.json<{ accepted: number; rejected: { index: number; reason: string }[] }>();
    expect(ack.accepted).toBe(1);
    expect(ack.rejected.map((r) => r.index)).toEqual([1, 2]);
    expect(ack.rejected[0]!.reason).toMatch(/^src_ip/);
    expect(ack.rejected[1]!.reason).toMatch(/another|someone-else/);
    // A batch that names another sensor than its token's is refused whole.
    expect((await post("events", { ...body, sensor: "auth-1" }, token)).statusCode).toBe(401);
    expect((await post("events", { sensor: "mixed-1", batch_id: "x" }, token)).statusCode).toBe(400);
  });

  it("records heartbeats: clock skew, events/s, spool; the fleet view shows them", async () => {
    const token = await enrol("hb-1");
    const sensorTime = new Date(Date.now() + 5_000).toISOString();
    const res = await post("heartbeat", { sensor: "hb-1", time: sensorTime, spooled_events: 12, sessions_open: 3, events_per_s: 42.5, emulators: ["telnet", "mqtt"] }, token);
    expect(res.statusCode).toBe(200);
    const ack = res.json<{ time: string; skew_ms: number }>();
    expect(ack.skew_ms).toBeGreaterThan(3_000);
    expect(ack.skew_ms).toBeLessThanOrEqual(5_000);
    const fleet = await app.inject({ method: "GET", url: "/api/honeypot/sensors", headers: { authorization: `Bearer ${ADMIN}` } });
    expect(fleet.statusCode).toBe(200);
    const view = fleet.json<{ sensors: Array<Record<string, unknown>>; by_country: Record<string, number> }>();
    expect(view.sensors.find((s) => s.id === "hb-1")).toMatchObject({
      health: "ok",
      country: "DE",
      asn: 3320,
      net24: "198.51.100.0/24",
      location: "Frankfurt",
      personas: ["hikvision-cam"],
      emulators: ["telnet", "mqtt"],
      events_per_s: 42.5,
      spooled: 12,
      sessions_open: 3,
      clock_skew_ms: ack.skew_ms,
    });
    expect(view.by_country.DE).toBeGreaterThanOrEqual(1);
    expect((await app.inject({ method: "GET", url: "/api/honeypot/sensors" })).statusCode).toBe(401);
  });

  it("answers stats by every dimension", async () => {
    const token = await enrol("stats-1");
    const events = [
      ...telnetSession({ sensor: "stats-1", session: "st01", commands: ["enable", "system", "sh"], url: "http://198.51.100.9/x.arm", day: "2026-11-20" }),
      ...telnetSession({ sensor: "stats-1", session: "st02", commands: ["enable", "system", "sh"], url: "http://198.51.100.9/x.arm", day: "2026-11-20" }),
    ];
    expect((await post("events", batch("stats-1", events), token)).json()).toMatchObject({ accepted: events.length });
    for (const by of dimensions) {
      const res = await app.inject({ method: "GET", url: `/api/honeypot/stats?by=${by}&since=2026-11-20&limit=50`, headers: { authorization: `Bearer ${ADMIN}` } });
      expect(res.statusCode, by).toBe(200);
      const body = res.json<{ by: string; rows: Array<{ key: string; count: number; commands?: string[]; username?: string }> }>();
      expect(body.by).toBe(by);
      expect(body.rows.length, by).toBeGreaterThan(0);
    }
    const get = async (q: string) =>
      (await app.inject({ method: "GET", url: `/api/honeypot/stats?${q}`, headers: { authorization: `Bearer ${ADMIN}` } })).json<{ total: number; rows: Array<{ key: string; count: number; commands?: string[]; username?: string; password?: string }> }>();
    const cmd = await get("by=command&since=2026-11-20");
    expect(cmd.rows[0]).toMatchObject({ count: 2, commands: ["enable", "system", "sh"] });
    const url = await get("by=url&since=2026-11-20");
    expect(url.rows).toContainEqual({ key: "http://198.51.100.9/x.arm", count: 2 });
    const cred = await get("by=credential&since=2026-11-20&protocol=telnet");
    expect(cred.rows).toEqual(expect.arrayContaining([expect.objectContaining({ username: "root", password: "xc3511" }), expect.objectContaining({ username: "root", password: "admin" })]));
    const bad = await app.inject({ method: "GET", url: "/api/honeypot/stats?by=colour", headers: { authorization: `Bearer ${ADMIN}` } });
    expect(bad.statusCode).toBe(400);
    expect((await app.inject({ method: "GET", url: "/api/honeypot/stats?by=sensor&since=yesterday", headers: { authorization: `Bearer ${ADMIN}` } })).statusCode).toBe(400);
  });

  it("serves the events query to the admin token only", async () => {
    const token = await enrol("ev-1");
    const e = event({ sensor: "ev-1", src_ip: "203.0.113.77", eventid: "telnet.login.failed", username: "u", password: "p", timestamp: new Date().toISOString() });
    await post("events", batch("ev-1", [e, event({ sensor: "ev-1", timestamp: new Date().toISOString() })]), token);
    const url = "/api/honeypot/events?sensor=ev-1&src_ip=203.0.113.77&eventid=telnet.login.failed&since=1d&limit=10";
    expect((await app.inject({ method: "GET", url })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url, headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    const res = await app.inject({ method: "GET", url, headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ events: Array<{ event: HoneypotEvent }> }>();
    expect(body.events.map((x) => x.event)).toEqual([e]);
  });
});

describeEachBackend("honeypot collector in the OpenAPI document", (open) => {
  it("describes the sensor protocol and the read endpoints", async () => {
    const storage = await open();
    const app = await buildServer({ storage, honeypot: {} });
    try {
      const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json<{ paths: Record<string, unknown> }>();
      for (const p of ["/api/honeypot/v1/enrol", "/api/honeypot/v1/events", "/api/honeypot/v1/heartbeat", "/api/honeypot/stats", "/api/honeypot/sensors", "/api/honeypot/events"]) {
        expect(doc.paths, p).toHaveProperty([p]);
      }
    } finally {
      await app.close();
    }
  });
});

describeEachBackend("honeypot collector without an admin token", (open) => {
  it("leaves stats open and refuses the events query", async () => {
    const storage = await open();
    const app = await buildServer({ storage, honeypot: { adminToken: undefined } });
    try {
      expect((await app.inject({ method: "GET", url: "/api/honeypot/stats?by=country" })).statusCode).toBe(200);
      const ev = await app.inject({ method: "GET", url: "/api/honeypot/events" });
      expect(ev.statusCode).toBe(403);
      expect(ev.json<{ error: string }>().error).toMatch(/admin token/);
    } finally {
      await app.close();
    }
  });
});
