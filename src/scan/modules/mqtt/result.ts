/**
 * What the MQTT module records per target (`data.mqtt.result`). Field names follow ZGrab2's mqtt module
 * where it has one (`session_present`, `connect_return_code`) and Shadowserver's Open-MQTT columns where
 * it does not (`anonymous_access`, `raw_response`, `hex_code`, `code`).
 */
import type { MqttVersion } from "./options.js";
import type { MqttProperties } from "./properties.js";
import type { MqttTlsInfo } from "./tls.js";

export interface MqttMessage {
  topic: string;
  qos: number;
  retain: boolean;
  payload: string;
  payload_encoding: "utf8" | "base64";
  payload_length: number;
  payload_truncated: boolean;
}

export interface MqttSubscribeResult {
  /** Topic filters subscribed to (QoS 0 each). */
  topics: string[];
  /** SUBACK codes, one per filter: granted QoS 0–2, or >= 0x80 for a refusal. */
  suback_codes?: number[];
  /** PUBLISH messages in arrival order, at most --mqtt-max-messages. */
  messages: MqttMessage[];
  /** Why listening stopped. */
  end: "max-messages" | "listen-time" | "closed" | "disconnect";
  /** v5 reason code when the broker ended with a DISCONNECT. */
  disconnect_reason_code?: number;
}

export interface MqttResult {
  /** Protocol level of our CONNECT: 3 (3.1, "MQIsdp"), 4 (3.1.1) or 5. */
  protocol_version: MqttVersion;
  client_id: string;
  /** Present when the connection used TLS. */
  tls?: MqttTlsInfo;
  /** Type of the broker's first packet: CONNACK, or (MQTT 5 refusals by some brokers) DISCONNECT. */
  response_type?: "CONNACK" | "DISCONNECT";
  /** Hex of the broker's first packet, at most 256 bytes (partial bytes when the reply was malformed). */
  raw_response?: string;
  raw_response_truncated?: boolean;
  /** CONNACK return code (v3) / reason code (v5), or the DISCONNECT reason code. */
  connect_return_code?: number;
  /** That code as two hex digits, e.g. "05". */
  hex_code?: string;
  /** That code's name, e.g. "Connection Refused, not authorized" or "Not authorized". */
  code?: string;
  session_present?: boolean;
  /** The broker accepted a CONNECT without credentials (code 0). */
  anonymous_access?: boolean;
  /** MQTT 5 properties of the first packet (assigned_client_identifier, maximum_qos, ...). */
  properties?: MqttProperties;
  /** Only with --mqtt-subscribe, after anonymous access. */
  subscribe?: MqttSubscribeResult;
  /** Payload of $SYS/broker/version (mosquitto) or $SYS/brokers/<node>/version (EMQX), when seen. */
  broker_version?: string;
}
