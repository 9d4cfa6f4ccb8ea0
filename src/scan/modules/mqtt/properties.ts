/**
 * MQTT 5 properties (5.0 section 2.2.2): a varint byte count, then (identifier, value) pairs whose value
 * type the identifier fixes. Decoded into snake_case fields named as the specification names them.
 * Hand-written rather than taken from mqtt-packet's parser, which bounds property reads by the whole
 * input instead of the packet (it reads into the next packet) and reports errors through events.
 */
import { ProbeError } from "../types.js";
import type { Cursor } from "./cursor.js";

export interface MqttProperties {
  payload_format_indicator?: number;
  message_expiry_interval?: number;
  content_type?: string;
  response_topic?: string;
  /** Hex. */
  correlation_data?: string;
  subscription_identifier?: number[];
  session_expiry_interval?: number;
  assigned_client_identifier?: string;
  server_keep_alive?: number;
  authentication_method?: string;
  /** Hex. */
  authentication_data?: string;
  request_problem_information?: number;
  will_delay_interval?: number;
  request_response_information?: number;
  response_information?: string;
  server_reference?: string;
  reason_string?: string;
  receive_maximum?: number;
  topic_alias_maximum?: number;
  topic_alias?: number;
  maximum_qos?: number;
  retain_available?: boolean;
  /** [name, value] pairs in the order sent (at most MAX_USER_PROPERTIES kept). */
  user_property?: Array<[string, string]>;
  maximum_packet_size?: number;
  wildcard_subscription_available?: boolean;
  subscription_identifier_available?: boolean;
  shared_subscription_available?: boolean;
}

type Kind = "byte" | "bool" | "u16" | "u32" | "varint" | "string" | "binary" | "pair";

/** Identifier → [field name, value type]. */
const table: Record<number, readonly [keyof MqttProperties, Kind]> = {
  0x01: ["payload_format_indicator", "byte"],
  0x02: ["message_expiry_interval", "u32"],
  0x03: ["content_type", "string"],
  0x08: ["response_topic", "string"],
  0x09: ["correlation_data", "binary"],
  0x0b: ["subscription_identifier", "varint"],
  0x11: ["session_expiry_interval", "u32"],
  0x12: ["assigned_client_identifier", "string"],
  0x13: ["server_keep_alive", "u16"],
  0x15: ["authentication_method", "string"],
  0x16: ["authentication_data", "binary"],
  0x17: ["request_problem_information", "byte"],
  0x18: ["will_delay_interval", "u32"],
  0x19: ["request_response_information", "byte"],
  0x1a: ["response_information", "string"],
  0x1c: ["server_reference", "string"],
  0x1f: ["reason_string", "string"],
  0x21: ["receive_maximum", "u16"],
  0x22: ["topic_alias_maximum", "u16"],
  0x23: ["topic_alias", "u16"],
  0x24: ["maximum_qos", "byte"],
  0x25: ["retain_available", "bool"],
  0x26: ["user_property", "pair"],
  0x27: ["maximum_packet_size", "u32"],
  0x28: ["wildcard_subscription_available", "bool"],
  0x29: ["subscription_identifier_available", "bool"],
  0x2a: ["shared_subscription_available", "bool"],
};

export const MAX_USER_PROPERTIES = 32;
const MAX_BINARY_BYTES = 128;

/**
 * Reads a property block at the cursor (length varint + properties) and leaves the cursor after it.
 * Unknown identifiers and repeated single-valued properties are protocol errors, as the spec says; they are
 * also what garbage looks like.
 */
export function readProperties(c: Cursor): MqttProperties {
  const length = c.varint("property length");
  c.need(length, "properties");
  const end = c.pos + length;
  const outerEnd = c.end;
  c.end = end; // property values may not run past the block
  const props: MqttProperties = {};
  const out = props as Record<string, unknown>;
  while (c.pos < end) {
    const id = c.varint("property identifier");
    const entry = table[id];
    if (!entry) throw new ProbeError("protocol-error", `unknown property identifier 0x${id.toString(16)}`);
    const [name, kind] = entry;
    if (kind === "pair") {
      const key = c.text(name);
      const value = c.text(name);
      const list = (props.user_property ??= []);
      if (list.length < MAX_USER_PROPERTIES) list.push([key, value]);
      continue;
    }
    if (kind === "varint") {
      const v = c.varint(name);
      const list = (props.subscription_identifier ??= []);
      if (list.length < MAX_USER_PROPERTIES) list.push(v);
      continue;
    }
    if (out[name] !== undefined) throw new ProbeError("protocol-error", `property ${name} repeated`);
    out[name] = readValue(c, kind, name);
  }
  c.end = outerEnd;
  return props;
}

function readValue(c: Cursor, kind: Kind, name: string): number | boolean | string {
  switch (kind) {
    case "byte":
      return c.u8(name);
    case "bool":
      return c.u8(name) !== 0;
    case "u16":
      return c.u16(name);
    case "u32":
      return c.u32(name);
    case "string":
      return c.text(name);
    default: {
      const b = c.bytes(name);
      return b.subarray(0, MAX_BINARY_BYTES).toString("hex");
    }
  }
}

/** True when no property was sent (results then omit the `properties` field). */
export function isEmpty(props: MqttProperties): boolean {
  for (const _ in props) return false;
  return true;
}
