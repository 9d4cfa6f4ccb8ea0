/** The mqtt emulator's section of the sensor config, and its section of a persona (persona.mqtt). */
import { z } from "zod";
import type { Persona } from "../../persona.js";

const port = z.int().min(0).max(65535);

export const mqttConfigSchema = z
  .object({
    ports: z.array(port).min(1).default([1883]),
    /**
     * open: every CONNECT is accepted (an open broker, the default); credentials: only the pairs in
     * `accept` are, others get "not authorized"; deny: every CONNECT is refused.
     */
    auth: z.enum(["open", "credentials", "deny"]).default("open"),
    accept: z.array(z.object({ username: z.string(), password: z.string() }).strict()).max(256).default([]),
    /**
     * Largest MQTT packet accepted (bytes); a larger one is refused from its header (mqtt.malformed) and
     * the connection closed. Absent → the sensor's per-session buffer (limits.buffer_bytes).
     */
    max_packet_bytes: z.int().min(256).max(16 * 1024 * 1024).optional(),
    /** Topic filters one session may hold (more are refused with SUBACK failure). */
    max_subscriptions: z.int().min(1).max(1024).default(64),
    /** Retained messages one session may leave (kept for that session only, see docs). */
    max_session_retained: z.int().min(0).max(1024).default(32),
  })
  .strict();
export type MqttConfig = z.infer<typeof mqttConfigSchema>;

const retainedSchema = z
  .object({
    topic: z.string().min(1).max(1024),
    payload: z.string().max(16_384),
    /** utf8 (default) or base64 for binary payloads. */
    encoding: z.enum(["utf8", "base64"]).default("utf8"),
    qos: z.int().min(0).max(2).default(0),
  })
  .strict();

export const mqttPersonaSchema = z
  .object({
    /**
     * The retained messages every subscriber sees (device state, discovery configs, $SYS); absent →
     * derived from the persona's hostname, vendor and model.
     */
    retained: z.array(retainedSchema).max(256).optional(),
  })
  .strict();
export type MqttPersona = z.infer<typeof mqttPersonaSchema>;

export interface RetainedMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
}

/** Reads persona.mqtt, or derives plausible topics from the persona's hostname when it has none. */
export function mqttPersona(persona: Persona): RetainedMessage[] {
  const section = mqttPersonaSchema.parse(persona.mqtt ?? {});
  return (section.retained ?? defaultRetained(persona).map((r) => retainedSchema.parse(r))).map((r) => ({
    topic: r.topic,
    payload: Buffer.from(r.payload, r.encoding === "base64" ? "base64" : "utf8"),
    qos: r.qos as 0 | 1 | 2,
  }));
}

function defaultRetained(persona: Persona): z.input<typeof retainedSchema>[] {
  const host = persona.hostname.replace(/[^A-Za-z0-9_-]/g, "_");
  const retained = (topic: string, payload: string) => ({ topic, payload });
  return [
      retained("$SYS/broker/version", "mosquitto version 1.6.9"),
      retained(`tele/${host}/LWT`, "Online"),
      retained(`tele/${host}/STATE`, JSON.stringify({ Time: "2024-03-02T10:15:07", Uptime: "3T04:11:52", Heap: 27, POWER: "ON", Wifi: { SSId: "home", RSSI: 68 } })),
      retained(`homeassistant/switch/${host}/config`, JSON.stringify({ name: host, state_topic: `stat/${host}/POWER`, command_topic: `cmnd/${host}/POWER`, device: { manufacturer: persona.vendor, model: persona.model } })),
      retained("zigbee2mqtt/bridge/state", "online"),
  ];
}
