/**
 * The honeypot collector's tables (written by src/honeypot/collector/):
 * - `honeypot_sensors`: the fleet registry. Only a SHA-256 of each sensor's bearer token is kept, so a
 *   leaked database does not let anyone ship events as a sensor.
 * - `honeypot_enrol_tokens`: one-time enrolment tokens (hashed), with expiry and the time they were used.
 * - `honeypot_events`: every event once (the event id is the primary key: that is the deduplication), the
 *   columns stats and queries filter on, the enrichment done at ingest, and in `data` the JSON of the
 *   event's other fields (src/honeypot/collector/residual.ts merges them back into the event).
 * - `honeypot_daily`: per-day counts by dimension (country, asn, net24, sensor, protocol, credential, url,
 *   command) and protocol, updated in the same transaction as the events, so stats never scan events.
 * - `honeypot_command_sequences`: the command lines behind each command-sequence fingerprint.
 */
import { sql } from "kysely";
import { columnType } from "../schema-helpers.js";
import type { StorageMigration } from "../schema-helpers.js";

export const honeypot: StorageMigration = {
  async up(db) {
    await db.schema
      .createTable("honeypot_sensors")
      .addColumn("id", "text", (col) => col.primaryKey())
      .addColumn("token_hash", "text")
      .addColumn("country", "text")
      .addColumn("asn", "bigint")
      .addColumn("net24", "text")
      .addColumn("location", "text")
      .addColumn("personas", columnType.json, (col) => col.notNull().defaultTo("[]"))
      /** `enrol` (registered by `honeypot enrol`) or `import` (named in an imported Cowrie log). */
      .addColumn("origin", "text", (col) => col.notNull())
      .addColumn("created_at", columnType.timestamp, (col) => col.notNull())
      .addColumn("enrolled_at", columnType.timestamp)
      .addColumn("last_heartbeat", columnType.timestamp)
      .addColumn("clock_skew_ms", "double precision")
      .addColumn("events_per_s", "double precision")
      .addColumn("spooled", "bigint")
      .addColumn("sessions_open", "bigint")
      .addColumn("emulators", columnType.json)
      .addColumn("last_batch_at", columnType.timestamp)
      .addColumn("events_received", "bigint", (col) => col.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable("honeypot_enrol_tokens")
      .addColumn("token_hash", "text", (col) => col.primaryKey())
      .addColumn("sensor", "text", (col) => col.notNull().references("honeypot_sensors.id").onDelete("cascade"))
      .addColumn("created_at", columnType.timestamp, (col) => col.notNull())
      .addColumn("expires_at", columnType.timestamp, (col) => col.notNull())
      .addColumn("used_at", columnType.timestamp)
      .execute();
    await db.schema.createIndex("honeypot_enrol_tokens_sensor_idx").on("honeypot_enrol_tokens").column("sensor").execute();

    await db.schema
      .createTable("honeypot_events")
      .addColumn("id", "text", (col) => col.primaryKey())
      .addColumn("eventid", "text", (col) => col.notNull())
      .addColumn("timestamp", columnType.timestamp, (col) => col.notNull())
      .addColumn("sensor", "text", (col) => col.notNull())
      .addColumn("session", "text", (col) => col.notNull())
      .addColumn("protocol", "text", (col) => col.notNull())
      .addColumn("src_ip", "text", (col) => col.notNull())
      .addColumn("src_port", "integer", (col) => col.notNull())
      .addColumn("dst_port", "integer", (col) => col.notNull())
      .addColumn("src_country", "text")
      .addColumn("src_asn", "bigint")
      .addColumn("src_net24", "text", (col) => col.notNull())
      .addColumn("username", "text")
      .addColumn("password", "text")
      .addColumn("input", "text")
      .addColumn("url", "text")
      .addColumn("data", columnType.json, (col) => col.notNull())
      .addColumn("received_at", columnType.timestamp, (col) => col.notNull())
      .execute();
    // The events query and exports walk a time window; command fingerprints read a session. No index on
    // src_ip: attacker addresses arrive in random order, and that one index cost a third of the SQLite
    // ingest rate (measured: 72,000 → 52,000 events/CPU-s); a query by source scans its time window.
    await db.schema.createIndex("honeypot_events_timestamp_idx").on("honeypot_events").column("timestamp").execute();
    // Partial: only command fingerprints read a session's events, and only its command lines, so only those
    // are indexed (5 of 11 events of a Mirai-like session, fewer elsewhere). The query must name the event
    // id as a literal, not a parameter, for either planner to prove the index applies.
    await db.schema
      .createIndex("honeypot_events_commands_idx")
      .on("honeypot_events")
      .columns(["sensor", "session"])
      .where(sql.ref("eventid"), "=", "telnet.command.input")
      .execute();

    await db.schema
      .createTable("honeypot_daily")
      .addColumn("day", "text", (col) => col.notNull())
      .addColumn("dimension", "text", (col) => col.notNull())
      .addColumn("key", "text", (col) => col.notNull())
      .addColumn("protocol", "text", (col) => col.notNull())
      .addColumn("count", "bigint", (col) => col.notNull())
      .addPrimaryKeyConstraint("honeypot_daily_pk", ["dimension", "day", "key", "protocol"])
      .execute();

    await db.schema
      .createTable("honeypot_command_sequences")
      .addColumn("fingerprint", "text", (col) => col.primaryKey())
      .addColumn("commands", columnType.json, (col) => col.notNull())
      .addColumn("first_seen", columnType.timestamp, (col) => col.notNull())
      .execute();
  },
};
