/**
 * The sensor's config file (JSON, validated with zod). Every mistake is reported as a UsageError
 * naming the file, the path inside it and why, e.g. `sensor.json: limits.max_sessions: Too small…`.
 * Relative paths (spool dir, CA file, personas dir) are resolved against the config file's folder, so
 * a sensor directory can be moved as a whole.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { describeError, UsageError } from "../../core/errors.js";
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS } from "../wire.js";

const sensorId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "letters, digits, '_', '.', '-' (at most 128)");

export const limitsSchema = z
  .object({
    /** Open sessions over all emulators (TCP connections plus live UDP exchanges). */
    max_sessions: z.int().min(1).max(1_000_000).default(20_000),
    /** Open sessions from one source IP. */
    per_source_sessions: z.int().min(1).max(100_000).default(64),
    idle_timeout_s: z.number().positive().max(86_400).default(120),
    session_timeout_s: z.number().positive().max(86_400).default(600),
    /** Per-session input buffer (a line longer than this is cut and the rest of it discarded). */
    buffer_bytes: z.int().min(256).max(1 << 20).default(8192),
    /** UDP replies per source: a token bucket of bytes (no amplification beyond this). */
    udp_reply_bytes_per_s: z.int().min(0).default(2048),
    udp_reply_burst_bytes: z.int().min(0).default(8192),
    /** sensor.limit / sensor.rate_limited events per second (the rest are counted, then summarised). */
    limit_events_per_s: z.number().positive().default(5),
  })
  .strict();
export type LimitsConfig = z.infer<typeof limitsSchema>;

export const spoolConfigSchema = z
  .object({
    dir: z.string().min(1),
    /** Total bytes of all segments; when full, new events are dropped and counted. */
    max_bytes: z.int().min(64 * 1024).default(1 << 30),
    /** A segment ships as one batch: it must stay under the collector's body limit (one line may overshoot). */
    segment_bytes: z.int().min(4096).max(MAX_BATCH_BYTES / 2).default(1 << 20),
    /** At most this many events per segment (one segment ships as one batch). */
    segment_events: z.int().min(1).max(MAX_BATCH_EVENTS).default(1000),
    /** A segment with events is closed after this long even when small, so events ship promptly. */
    segment_age_ms: z.int().min(10).default(2000),
    /** fsync of the open segment on this timer (and always on rotation): the power-loss window. */
    fsync_ms: z.int().min(10).default(1000),
  })
  .strict();
export type SpoolConfig = z.infer<typeof spoolConfigSchema>;

export const collectorConfigSchema = z
  .object({
    url: z.url({ protocol: /^https$/, error: "must be an https:// URL" }),
    /** PEM file of the CA that signed the collector's certificate (omit to use the system CAs). */
    ca_file: z.string().optional(),
    /** The sensor's bearer token; or an enrol_token, exchanged once for a token stored in the spool dir. */
    token: z.string().min(1).optional(),
    enrol_token: z.string().min(16).optional(),
    heartbeat_s: z.number().positive().default(60),
    /** Back-off while the collector is unreachable. */
    retry_min_ms: z.int().min(1).default(500),
    retry_max_ms: z.int().min(1).default(30_000),
    /** Request deadline. */
    timeout_ms: z.int().min(100).default(15_000),
    /** Enrolment details reported to the collector. */
    country: z.string().length(2).optional(),
    asn: z.int().min(0).optional(),
    net24: z.string().max(64).optional(),
    location: z.string().max(256).optional(),
  })
  .strict();
export type CollectorConfig = z.infer<typeof collectorConfigSchema>;

/** An emulator's section: `enabled`, an optional persona override, and the emulator's own keys. */
const emulatorSection = z.looseObject({ enabled: z.boolean().default(true), persona: z.string().optional() });

export const sensorConfigSchema = z
  .object({
    sensor: sensorId,
    host: z.string().default("0.0.0.0"),
    persona: z.string().min(1),
    personas_dir: z.string().optional(),
    collector: collectorConfigSchema.optional(),
    spool: spoolConfigSchema,
    limits: limitsSchema.default(limitsSchema.parse({})),
    emulators: z.record(z.string(), emulatorSection).default({}),
    /** Log a stats line and (with a collector) send a heartbeat this often. */
    stats_s: z.number().positive().default(60),
  })
  .strict();
export type SensorConfig = z.infer<typeof sensorConfigSchema>;

/** One line per zod issue: `path: message`. */
export function formatIssues(where: string, error: z.ZodError): string {
  return error.issues.map((i) => `${where}: ${i.path.length ? i.path.join(".") : "(top level)"}: ${i.message}`).join("; ");
}

/** Parses and validates a config object; relative paths are resolved against `baseDir`. */
export function parseSensorConfig(raw: unknown, where: string, baseDir: string): SensorConfig {
  const parsed = sensorConfigSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(formatIssues(where, parsed.error));
  const config = parsed.data;
  if (config.collector && !config.collector.token && !config.collector.enrol_token) {
    throw new UsageError(`${where}: collector: needs "token" or "enrol_token"`);
  }
  const abs = (p: string) => path.resolve(baseDir, p);
  config.spool.dir = abs(config.spool.dir);
  if (config.personas_dir) config.personas_dir = abs(config.personas_dir);
  if (config.collector?.ca_file) config.collector.ca_file = abs(config.collector.ca_file);
  return config;
}

export function loadSensorConfig(file: string): SensorConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read sensor config ${file}: ${describeError(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON: ${describeError(err)}`);
  }
  return parseSensorConfig(raw, file, path.dirname(path.resolve(file)));
}
