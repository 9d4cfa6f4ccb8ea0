/**
 * The MQTT module's flags, parsed once per option set (the engine passes the same `options` object for
 * every target), with the request packets encoded once alongside: per target the probe only writes a
 * ready Buffer.
 */
import { generate } from "mqtt-packet";
import type { ModuleFlag, ModuleOptions } from "../types.js";

/** Protocol level byte: 3 = MQTT 3.1 ("MQIsdp"), 4 = 3.1.1, 5 = 5.0. */
export type MqttVersion = 3 | 4 | 5;

/** ZGrab2's client id; Shadowserver does not publish theirs. Brokers log it, so it says who we are. */
export const DEFAULT_CLIENT_ID = "MQTTClient";
export const DEFAULT_TOPICS = "$SYS/#,#";
export const DEFAULT_MAX_MESSAGES = 20;
export const DEFAULT_LISTEN_MS = 2000;
/** Keep alive we announce: short, so a broker frees our session soon if a DISCONNECT is lost. */
export const MIN_KEEPALIVE_SECONDS = 10;

export const mqttFlags: readonly ModuleFlag[] = [
  { name: "mqtt-version", value: "<3.1|3.1.1|5>", description: "MQTT protocol version of the CONNECT", default: "3.1.1" },
  { name: "mqtt-client-id", value: "<id>", description: "client identifier sent in CONNECT", default: DEFAULT_CLIENT_ID },
  { name: "mqtt-tls", description: "connect over TLS (always on for port 8883)", default: false },
  {
    name: "mqtt-subscribe",
    description: "after an anonymous CONNACK, subscribe and record the messages the broker sends (reads broker data: opt-in)",
    default: false,
  },
  { name: "mqtt-topics", value: "<filters>", description: "comma-separated topic filters for --mqtt-subscribe", default: DEFAULT_TOPICS },
  { name: "mqtt-max-messages", value: "<n>", description: "stop listening after this many PUBLISH messages", default: DEFAULT_MAX_MESSAGES },
  { name: "mqtt-listen-ms", value: "<ms>", description: "stop listening after this many milliseconds", default: DEFAULT_LISTEN_MS },
];

export interface MqttConfig {
  version: MqttVersion;
  clientId: string;
  tls: boolean;
  subscribe: boolean;
  topics: string[];
  maxMessages: number;
  listenMs: number;
  keepalive: number;
  /** Pre-encoded packets. */
  connect: Buffer;
  subscribePacket: Buffer;
  disconnect: Buffer;
}

const cache = new WeakMap<ModuleOptions, MqttConfig>();

/** The parsed configuration for an option set (cached per object). Throws an Error for invalid flag values. */
export function mqttConfig(options: ModuleOptions): MqttConfig {
  let config = cache.get(options);
  if (!config) {
    config = parseMqttOptions(options);
    cache.set(options, config);
  }
  return config;
}

export function parseMqttOptions(o: ModuleOptions): MqttConfig {
  const version = parseVersion(o.mqttVersion);
  const clientId = o.mqttClientId === undefined ? DEFAULT_CLIENT_ID : String(o.mqttClientId);
  if (Buffer.byteLength(clientId) > 65535) throw new Error("--mqtt-client-id is longer than 65535 bytes");
  const topics = String(o.mqttTopics ?? DEFAULT_TOPICS)
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  if (topics.length === 0) throw new Error("--mqtt-topics names no topic filter");
  const maxMessages = parseInteger(o.mqttMaxMessages, DEFAULT_MAX_MESSAGES, 1, 100_000, "--mqtt-max-messages");
  const listenMs = parseInteger(o.mqttListenMs, DEFAULT_LISTEN_MS, 0, 600_000, "--mqtt-listen-ms");
  const subscribe = parseBoolean(o.mqttSubscribe, "--mqtt-subscribe");
  // The broker may drop a client silent for 1.5 keep-alives: stay above the listening time.
  const keepalive = subscribe ? Math.max(MIN_KEEPALIVE_SECONDS, Math.ceil(listenMs / 1000) + 5) : MIN_KEEPALIVE_SECONDS;
  const opts = { protocolVersion: version };
  return {
    version,
    clientId,
    tls: parseBoolean(o.mqttTls, "--mqtt-tls"),
    subscribe,
    topics,
    maxMessages,
    listenMs,
    keepalive,
    connect: generate({ cmd: "connect", protocolId: version === 3 ? "MQIsdp" : "MQTT", protocolVersion: version, clean: true, keepalive, clientId }),
    subscribePacket: generate({ cmd: "subscribe", messageId: 1, subscriptions: topics.map((topic) => ({ topic, qos: 0 as const })) }, opts),
    disconnect: generate({ cmd: "disconnect" }, opts),
  };
}

function parseVersion(v: unknown): MqttVersion {
  switch (String(v ?? "3.1.1").trim().toLowerCase()) {
    case "3":
    case "3.1":
    case "mqisdp":
      return 3;
    case "4":
    case "3.1.1":
      return 4;
    case "5":
    case "5.0":
      return 5;
    default:
      throw new Error(`--mqtt-version must be 3.1, 3.1.1 or 5, not ${String(v)}`);
  }
}

function parseBoolean(v: unknown, flag: string): boolean {
  if (v === undefined || v === false || v === "false" || v === "0" || v === "no" || v === 0) return false;
  if (v === true || v === "true" || v === "1" || v === "yes" || v === "" || v === 1) return true;
  throw new Error(`${flag} is a switch (true/false), not ${String(v)}`);
}

function parseInteger(v: unknown, fallback: number, min: number, max: number, flag: string): number {
  if (v === undefined || v === "") return fallback;
  const n = typeof v === "number" ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be an integer from ${min} to ${max}, not ${String(v)}`);
  return n;
}
