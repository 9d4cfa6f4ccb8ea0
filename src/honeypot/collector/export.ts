/**
 * Events in the layout of Shadowserver's honeypot event reports (the "event4_honeypot_*" CSV files), so
 * that tools which read those reports (IntelMQ's Shadowserver parser, national CERT pipelines) read ours.
 * The column lists are Shadowserver's, in their order; a column we have no value for is left empty.
 *
 * - brute-force: one row per login attempt (an event carrying a username or password).
 * - http-scan: one row per HTTP request.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../core/storage/index.js";
import type { HoneypotEvent } from "../events.js";
import { eventsSince } from "./stats.js";

const common = [
  "timestamp", "protocol", "src_ip", "src_port", "src_asn", "src_geo", "src_region", "src_city", "src_hostname", "src_naics", "src_sector",
  "device_vendor", "device_type", "device_model", "dst_ip", "dst_port", "dst_asn", "dst_geo", "dst_region", "dst_city", "dst_hostname",
  "dst_naics", "dst_sector", "public_source", "infection", "family", "tag", "application", "version", "event_id",
] as const;

export const shadowserverColumns = {
  "shadowserver-brute-force": [...common, "service", "start_time", "end_time", "client_version", "username", "password", "payload_url", "payload_md5"],
  "shadowserver-http-scan": [
    ...common, "pattern", "http_url", "http_agent", "http_request_method", "url_scheme", "session_tags", "vulnerability_enum", "vulnerability_id",
    "vulnerability_class", "vulnerability_score", "vulnerability_severity", "vulnerability_version", "threat_framework", "threat_tactic_id",
    "threat_technique_id", "target_vendor", "target_product", "target_class", "file_md5", "file_sha256", "request_raw", "body_raw",
  ],
} as const;

export type ExportFormat = keyof typeof shadowserverColumns;
export const exportFormats = Object.keys(shadowserverColumns) as ExportFormat[];

const eventIdsOf: Record<ExportFormat, string[]> = {
  "shadowserver-brute-force": ["telnet.login.failed", "telnet.login.success", "http.login.attempt", "mqtt.connect"],
  "shadowserver-http-scan": ["http.request"],
};

type Value = string | number | undefined | null;

/** Shadowserver's quoting: strings in double quotes ("" inside), numbers bare, missing values empty. */
function csvField(v: Value): string {
  if (v === undefined || v === null || v === "") return "";
  if (typeof v === "number") return String(v);
  return `"${v.replace(/"/g, '""')}"`;
}

export function csvLine(values: readonly Value[]): string {
  return `${values.map(csvField).join(",")}\n`;
}

/** "2021-03-27 00:00:00": Shadowserver's timestamp column (UTC, seconds). */
function reportTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The CSV text, header first, a line at a time. */
export async function* exportShadowserver(db: Kysely<Database>, format: ExportFormat, since: string): AsyncGenerator<string> {
  const columns = shadowserverColumns[format];
  yield csvLine(columns);
  for await (const stored of eventsSince(db, since, eventIdsOf[format])) {
    const e = stored.event;
    if (format === "shadowserver-brute-force" && e.username === undefined && e.password === undefined) continue;
    const row: Record<string, Value> = {
      timestamp: reportTime(e.timestamp),
      protocol: e.transport,
      src_ip: e.src_ip,
      src_port: e.src_port,
      src_asn: stored.enrichment.src_asn,
      src_geo: stored.enrichment.src_country,
      dst_ip: e.dst_ip,
      dst_port: e.dst_port,
      dst_asn: stored.sensor_asn,
      dst_geo: stored.sensor_country,
      application: e.protocol,
      event_id: e.id,
      ...(format === "shadowserver-brute-force" ? bruteForce(e) : httpScan(e)),
    };
    yield csvLine(columns.map((c) => row[c]));
  }
}

function bruteForce(e: HoneypotEvent): Record<string, Value> {
  return {
    infection: `${e.protocol}-brute-force`,
    service: e.protocol,
    start_time: e.timestamp,
    end_time: e.timestamp,
    username: e.username,
    password: e.password,
  };
}

function httpScan(e: HoneypotEvent): Record<string, Value> {
  const target = e.path === undefined ? e.url : e.query ? `${e.path}?${e.query}` : e.path;
  return {
    infection: "http-scan",
    http_url: target,
    http_agent: e.user_agent ?? e.headers?.["user-agent"],
    http_request_method: e.method,
    url_scheme: "http",
    body_raw: e.payload_b64,
  };
}
