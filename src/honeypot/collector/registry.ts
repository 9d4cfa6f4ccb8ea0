/**
 * The sensor registry: enrolment tokens (one-time, hashed, expiring), enrolment, bearer-token checks,
 * heartbeats (health and clock skew) and the fleet view.
 */
import type { Kysely } from "kysely";
import { UsageError } from "../../core/errors.js";
import type { Database, Storage } from "../../core/storage/index.js";
import { fromJson, nowIso, toJson, withTransaction } from "../../core/storage/index.js";
import type { EnrolRequest, Heartbeat } from "../wire.js";
import { hashToken, newToken, tokenMatches } from "./tokens.js";

export const SENSOR_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
export const DEFAULT_ENROL_TTL_MS = 24 * 3_600_000;

export interface SensorFacts {
  country?: string;
  asn?: number;
  net24?: string;
  location?: string;
}

export interface EnrolTokenResult {
  sensor: string;
  enrol_token: string;
  expires_at: string;
}

/**
 * Registers (or updates the facts of) a sensor and issues a one-time enrolment token for it. A sensor
 * already enrolled keeps working until the new token is used; then its old bearer token stops working.
 */
export async function createEnrolToken(storage: Storage, sensor: string, facts: SensorFacts, opts: { ttlMs?: number; now?: Date } = {}): Promise<EnrolTokenResult> {
  if (!SENSOR_ID.test(sensor)) throw new UsageError(`--sensor ${JSON.stringify(sensor)}: use 1–128 letters, digits, '_', '.', '-' (starting with a letter or digit)`);
  if (facts.country !== undefined && !/^[A-Za-z]{2}$/.test(facts.country)) throw new UsageError(`--country ${JSON.stringify(facts.country)}: give an ISO 3166 two-letter code`);
  const now = opts.now ?? new Date();
  const token = newToken();
  const expires = new Date(now.getTime() + (opts.ttlMs ?? DEFAULT_ENROL_TTL_MS)).toISOString();
  await withTransaction(storage, async (trx) => {
    const set = {
      ...(facts.country !== undefined ? { country: facts.country.toUpperCase() } : {}),
      ...(facts.asn !== undefined ? { asn: facts.asn } : {}),
      ...(facts.net24 !== undefined ? { net24: facts.net24 } : {}),
      ...(facts.location !== undefined ? { location: facts.location } : {}),
    };
    await trx
      .insertInto("honeypot_sensors")
      .values({ id: sensor, personas: "[]", origin: "enrol", created_at: now.toISOString(), events_received: 0, ...set })
      .onConflict((oc) => (Object.keys(set).length === 0 ? oc.column("id").doNothing() : oc.column("id").doUpdateSet({ ...set, origin: "enrol" })))
      .execute();
    await trx.insertInto("honeypot_enrol_tokens").values({ token_hash: hashToken(token), sensor, created_at: now.toISOString(), expires_at: expires }).execute();
  });
  return { sensor, enrol_token: token, expires_at: expires };
}

export class EnrolRefused extends Error {}

/**
 * Spends an enrolment token: valid, unused, unexpired and issued for this sensor, else EnrolRefused
 * (one reason for all, so a caller cannot probe which tokens exist). Returns the new bearer token.
 */
export async function enrolSensor(storage: Storage, req: EnrolRequest, now: Date = new Date()): Promise<{ sensor: string; token: string }> {
  const token = newToken();
  await withTransaction(storage, async (trx) => {
    const row = await trx.selectFrom("honeypot_enrol_tokens").selectAll().where("token_hash", "=", hashToken(req.enrol_token)).executeTakeFirst();
    if (!row || row.used_at !== null || row.expires_at <= now.toISOString() || row.sensor !== req.sensor) throw new EnrolRefused("enrolment token invalid, used, expired or issued for another sensor");
    // `used_at is null` in the update too: two racing enrolments cannot both spend the token.
    const spent = await trx.updateTable("honeypot_enrol_tokens").set({ used_at: now.toISOString() }).where("token_hash", "=", row.token_hash).where("used_at", "is", null).executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) throw new EnrolRefused("enrolment token already used");
    const current = await trx.selectFrom("honeypot_sensors").selectAll().where("id", "=", req.sensor).executeTakeFirstOrThrow();
    // Facts given by the operator at `enrol` win over what the sensor says about itself.
    await trx
      .updateTable("honeypot_sensors")
      .set({
        token_hash: hashToken(token),
        enrolled_at: now.toISOString(),
        country: current.country ?? req.country?.toUpperCase() ?? null,
        asn: current.asn ?? req.asn ?? null,
        net24: current.net24 ?? req.net24 ?? null,
        location: current.location ?? req.location ?? null,
        personas: toJson(req.personas),
      })
      .where("id", "=", req.sensor)
      .execute();
  });
  return { sensor: req.sensor, token };
}

/** Whether `token` is the current bearer token of `sensor` (constant-time compare of hashes). */
export async function authenticateSensor(db: Kysely<Database>, sensor: string, token: string): Promise<boolean> {
  const row = await db.selectFrom("honeypot_sensors").select("token_hash").where("id", "=", sensor).executeTakeFirst();
  // Hash anyway when the sensor is unknown, so the answer takes the same time either way.
  return tokenMatches(token, row?.token_hash ?? "0".repeat(64)) && row !== undefined;
}

/** Records a heartbeat; returns the collector's time and the sensor's clock skew (sensor − collector). */
export async function recordHeartbeat(db: Kysely<Database>, hb: Heartbeat, now: Date = new Date()): Promise<{ time: string; skew_ms: number }> {
  const skew = Date.parse(hb.time) - now.getTime();
  await db
    .updateTable("honeypot_sensors")
    .set({
      last_heartbeat: now.toISOString(),
      clock_skew_ms: skew,
      events_per_s: hb.events_per_s,
      spooled: hb.spooled_events,
      sessions_open: hb.sessions_open,
      emulators: toJson(hb.emulators),
    })
    .where("id", "=", hb.sensor)
    .execute();
  return { time: now.toISOString(), skew_ms: skew };
}

/** Registers a sensor named by an imported log, so the fleet view lists it (no token: it cannot ship). */
export async function ensureImportedSensor(db: Kysely<Database>, sensor: string): Promise<void> {
  await db
    .insertInto("honeypot_sensors")
    .values({ id: sensor, personas: "[]", origin: "import", created_at: nowIso(), events_received: 0 })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

export interface SensorView {
  id: string;
  origin: "enrol" | "import";
  enrolled: boolean;
  country: string | null;
  asn: number | null;
  net24: string | null;
  location: string | null;
  personas: string[];
  emulators: string[];
  enrolled_at: string | null;
  last_heartbeat: string | null;
  /** Seconds since the last heartbeat; null if never. */
  heartbeat_age_s: number | null;
  clock_skew_ms: number | null;
  events_per_s: number | null;
  spooled: number | null;
  sessions_open: number | null;
  events_received: number;
  last_batch_at: string | null;
  /** `ok` (heartbeat within `staleAfterS`), `stale`, `silent` (never), `imported`. */
  health: "ok" | "stale" | "silent" | "imported";
}

export interface FleetView {
  sensors: SensorView[];
  by_country: Record<string, number>;
  by_asn: Record<string, number>;
  by_net24: Record<string, number>;
  totals: { sensors: number; ok: number; stale: number; silent: number; imported: number };
}

/** Heartbeats older than this make a sensor `stale`. */
export const STALE_AFTER_S = 300;

export async function fleetView(db: Kysely<Database>, now: Date = new Date()): Promise<FleetView> {
  const rows = await db.selectFrom("honeypot_sensors").selectAll().orderBy("id").execute();
  const sensors = rows.map((r): SensorView => {
    const age = r.last_heartbeat === null ? null : Math.max(0, (now.getTime() - Date.parse(r.last_heartbeat)) / 1000);
    const health = r.origin === "import" ? "imported" : age === null ? "silent" : age <= STALE_AFTER_S ? "ok" : "stale";
    return {
      id: r.id,
      origin: r.origin,
      enrolled: r.token_hash !== null,
      country: r.country,
      asn: r.asn === null ? null : Number(r.asn),
      net24: r.net24,
      location: r.location,
      personas: fromJson<string[]>(r.personas),
      emulators: r.emulators === null ? [] : fromJson<string[]>(r.emulators),
      enrolled_at: r.enrolled_at,
      last_heartbeat: r.last_heartbeat,
      heartbeat_age_s: age === null ? null : Math.round(age),
      clock_skew_ms: r.clock_skew_ms === null ? null : Number(r.clock_skew_ms),
      events_per_s: r.events_per_s === null ? null : Number(r.events_per_s),
      spooled: r.spooled === null ? null : Number(r.spooled),
      sessions_open: r.sessions_open === null ? null : Number(r.sessions_open),
      events_received: Number(r.events_received),
      last_batch_at: r.last_batch_at,
      health,
    };
  });
  const tally = (pick: (s: SensorView) => string | number | null) => {
    const out: Record<string, number> = {};
    for (const s of sensors) {
      const k = pick(s);
      const key = k === null ? "unknown" : String(k);
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  };
  const count = (h: SensorView["health"]) => sensors.filter((s) => s.health === h).length;
  return {
    sensors,
    by_country: tally((s) => s.country),
    by_asn: tally((s) => s.asn),
    by_net24: tally((s) => s.net24),
    totals: { sensors: sensors.length, ok: count("ok"), stale: count("stale"), silent: count("silent"), imported: count("imported") },
  };
}
