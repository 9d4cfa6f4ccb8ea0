/**
 * The one event schema every honeypot emulator emits and every consumer (spool, shipper, collector,
 * stats, exports) reads — Cowrie's lesson, with Cowrie's names where they exist (`eventid`,
 * `timestamp`, `src_ip`, `src_port`, `dst_port`, `session`, `sensor`, `username`, `password`, `input`,
 * `url`, `duration`). Fields are flat, as in Cowrie's JSON log, so `import-cowrie` maps one-to-one.
 * docs/honeypot-events.md documents each event id; docs/schemas/honeypot-event.schema.json is
 * generated from this zod schema (a test keeps the two equal).
 */
import { z } from "zod";

export const protocols = ["telnet", "mqtt", "coap", "http", "ssdp", "upnp", "ssh"] as const;
export type HoneypotProtocol = (typeof protocols)[number];

/** Every event id an emulator may emit; `sensor.*` are the sensor's own. */
export const eventIds = [
  // any TCP emulator
  "session.connect",
  "session.closed",
  // telnet
  "telnet.client.option",
  "telnet.client.size",
  "telnet.login.success",
  "telnet.login.failed",
  "telnet.command.input",
  "telnet.command.unknown",
  "telnet.session.file_download",
  // mqtt
  "mqtt.connect",
  "mqtt.subscribe",
  "mqtt.publish",
  "mqtt.unsubscribe",
  "mqtt.malformed",
  // coap
  "coap.request",
  "coap.malformed",
  // http (device pages, UPnP description)
  "http.request",
  "http.login.attempt",
  // ssdp / upnp
  "ssdp.msearch",
  "ssdp.malformed",
  // sensor
  "sensor.limit",
  "sensor.rate_limited",
] as const;
export type EventId = (typeof eventIds)[number];

/** Bounded strings: an attacker decides their length, the schema caps them (emulators truncate first). */
const text = (max: number) => z.string().max(max);

export const honeypotEventSchema = z
  .object({
    /** Globally unique (UUID v7: sortable by time), the collector's deduplication key. */
    id: z.uuid(),
    eventid: z.enum(eventIds),
    /** ISO 8601 UTC with milliseconds. */
    timestamp: z.iso.datetime({ offset: false }),
    sensor: text(128),
    /** One per TCP connection, or per UDP source (ip, port) exchange window. */
    session: text(64),
    protocol: z.enum(protocols),
    transport: z.enum(["tcp", "udp"]),
    src_ip: z.union([z.ipv4(), z.ipv6()]),
    src_port: z.int().min(0).max(65535),
    dst_ip: z.union([z.ipv4(), z.ipv6()]).optional(),
    dst_port: z.int().min(0).max(65535),
    /** The device persona the emulator presented (personas/<name>). */
    persona: text(128).optional(),
    message: text(1024).optional(),
    // telnet / http credentials, Cowrie's names
    username: text(1024).optional(),
    password: text(1024).optional(),
    /** A command line as typed (telnet), bounded. */
    input: text(4096).optional(),
    /** A URL the attacker asked the device to fetch (wget/tftp/ftpget/curl), or an HTTP request target. */
    url: text(4096).optional(),
    /** Download tool named in the command (wget, tftp, ftpget, curl). */
    tool: text(32).optional(),
    /** Telnet option negotiation: option name and verb (e.g. NAWS, DO). */
    option: text(64).optional(),
    width: z.int().min(0).max(65535).optional(),
    height: z.int().min(0).max(65535).optional(),
    /** Seconds, on session.closed. */
    duration: z.number().min(0).optional(),
    // mqtt
    client_id: text(1024).optional(),
    protocol_version: z.int().optional(),
    topic: text(4096).optional(),
    topics: z.array(text(4096)).max(256).optional(),
    qos: z.int().min(0).max(2).optional(),
    retain: z.boolean().optional(),
    /** mqtt.connect: the clean-session (v5: clean-start) flag and the keep-alive the client asked, seconds. */
    clean: z.boolean().optional(),
    keepalive: z.int().min(0).max(65535).optional(),
    // payloads and bodies: base64 of at most the first N bytes, with the full size
    payload_b64: text(65536).optional(),
    payload_size: z.int().min(0).optional(),
    // coap / http
    method: text(32).optional(),
    path: text(4096).optional(),
    query: text(4096).optional(),
    user_agent: text(1024).optional(),
    headers: z.record(z.string(), text(4096)).optional(),
    status: z.int().optional(),
    /** Response size sent, bytes (amplification bookkeeping for UDP). */
    response_size: z.int().min(0).optional(),
    // ssdp
    st: text(1024).optional(),
    man: text(256).optional(),
    mx: text(16).optional(),
    /** sensor.limit / sensor.rate_limited: which limit refused the peer. */
    limit: text(64).optional(),
    /** Malformed input: why, and a bounded sample. */
    reason: text(1024).optional(),
  })
  .strict();

export type HoneypotEvent = z.infer<typeof honeypotEventSchema>;

/** What an emulator hands to `emit`: the sensor stamps id, timestamp and sensor. */
export type EmittedEvent = Omit<HoneypotEvent, "id" | "timestamp" | "sensor">;

/** Caps the emulators apply before emitting (the schema refuses anything longer). */
export const limits = {
  input: 4096,
  url: 4096,
  credential: 1024,
  payloadBytes: 49_152, // base64 of 48 KiB fits the 64 KiB payload_b64 cap
} as const;

/** Truncates attacker-controlled text to a schema cap. */
export function cap(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max);
}
