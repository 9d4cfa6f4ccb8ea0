/**
 * Names of MQTT return and reason codes, as the specifications word them. The v3 names are Shadowserver's
 * `code` column verbatim ("Connection Refused, not authorized"), so reports need no mapping table.
 * Hand-written: mqtt-packet ships no CONNACK tables (only MQTT 5 SUBACK/DISCONNECT ones, untyped).
 */

/** MQTT 3.1 / 3.1.1 CONNACK return codes (3.1.1 section 3.2.2.3). */
const v3Connack: Record<number, string> = {
  0x00: "Connection Accepted",
  0x01: "Connection Refused, unacceptable protocol version",
  0x02: "Connection Refused, identifier rejected",
  0x03: "Connection Refused, server unavailable",
  0x04: "Connection Refused, bad user name or password",
  0x05: "Connection Refused, not authorized",
};

/** MQTT 5 reason codes shared by CONNACK, SUBACK and DISCONNECT (5.0 section 2.4). */
const v5Reasons: Record<number, string> = {
  0x00: "Success",
  0x01: "Granted QoS 1",
  0x02: "Granted QoS 2",
  0x04: "Disconnect with Will Message",
  0x80: "Unspecified error",
  0x81: "Malformed Packet",
  0x82: "Protocol Error",
  0x83: "Implementation specific error",
  0x84: "Unsupported Protocol Version",
  0x85: "Client Identifier not valid",
  0x86: "Bad User Name or Password",
  0x87: "Not authorized",
  0x88: "Server unavailable",
  0x89: "Server busy",
  0x8a: "Banned",
  0x8b: "Server shutting down",
  0x8c: "Bad authentication method",
  0x8d: "Keep Alive timeout",
  0x8e: "Session taken over",
  0x8f: "Topic Filter invalid",
  0x90: "Topic Name invalid",
  0x91: "Packet Identifier in use",
  0x93: "Receive Maximum exceeded",
  0x94: "Topic Alias invalid",
  0x95: "Packet too large",
  0x96: "Message rate too high",
  0x97: "Quota exceeded",
  0x98: "Administrative action",
  0x99: "Payload format invalid",
  0x9a: "Retain not supported",
  0x9b: "QoS not supported",
  0x9c: "Use another server",
  0x9d: "Server moved",
  0x9e: "Shared Subscriptions not supported",
  0x9f: "Connection rate exceeded",
  0xa0: "Maximum connect time",
  0xa1: "Subscription Identifiers not supported",
  0xa2: "Wildcard Subscriptions not supported",
};

/** Name of a CONNACK code; `v5` selects the MQTT 5 reason-code table. Unknown codes get a neutral name. */
export function connackCodeName(code: number, v5: boolean): string {
  const name = v5 ? (code === 0 ? "Success" : v5Reasons[code]) : v3Connack[code];
  return name ?? `Unknown code 0x${hexByte(code)}`;
}

/** Name of a v5 DISCONNECT reason code (0 is "Normal disconnection" there, not "Success"). */
export function disconnectReasonName(code: number): string {
  if (code === 0) return "Normal disconnection";
  return v5Reasons[code] ?? `Unknown code 0x${hexByte(code)}`;
}

/** Name of a SUBACK code: a granted QoS, or a failure (0x80 in v3; any code >= 0x80 in v5). */
export function subackCodeName(code: number, v5: boolean): string {
  if (code <= 2) return `Granted QoS ${code}`;
  if (!v5) return code === 0x80 ? "Failure" : `Unknown code 0x${hexByte(code)}`;
  return v5Reasons[code] ?? `Unknown code 0x${hexByte(code)}`;
}

/** Two lower-case hex digits (Shadowserver's `hex_code` column: "05"). */
export function hexByte(n: number): string {
  return (n < 16 ? "0" : "") + n.toString(16);
}
