/**
 * MQTT fixed header (control packet type, remaining length varint) and the topic of PUBLISH and the
 * first topic filter of SUBSCRIBE/UNSUBSCRIBE (3.1.1 and 5.0). mqtt-packet (a dependency, used by the
 * scanner) parses whole streams through an event emitter and allocates per packet; here we only need
 * two fields of the first packet in a segment, bounded by the captured bytes.
 */
import { latin1 } from "./tls.js";

const TYPES = ["RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"];

export interface MqttInfo {
  type: string;
  topic?: string;
}

/** Fixed-header flags each type must carry (PUBLISH's vary): checked when the port says nothing. */
const FIXED_FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

/**
 * MQTT on a port other than 1883: accepted only when the first byte has the flags its type requires
 * and the remaining length spans exactly the payload (one whole control packet), so that random
 * binary payloads are rarely taken for MQTT.
 */
export function looksLikeMqtt(b: Uint8Array, o: number, end: number): boolean {
  if (end - o < 2) return false;
  const t = b[o]! >> 4;
  if (t === 0 || (FIXED_FLAGS[t]! >= 0 && (b[o]! & 0x0f) !== FIXED_FLAGS[t])) return false;
  let rem = 0;
  let mul = 1;
  let p = o + 1;
  for (let i = 0; ; i++) {
    if (i === 4 || p >= end) return false;
    const c = b[p++]!;
    rem += (c & 0x7f) * mul;
    mul *= 128;
    if ((c & 0x80) === 0) break;
  }
  return p + rem === end;
}

export function mqttPacket(b: Uint8Array, o: number, end: number): MqttInfo | undefined {
  if (end - o < 2) return undefined;
  const t = b[o]! >> 4;
  if (t === 0) return undefined;
  // Remaining length: up to 4 bytes of 7-bit groups.
  let rem = 0;
  let mul = 1;
  let p = o + 1;
  for (let i = 0; ; i++) {
    if (i === 4 || p >= end) return undefined;
    const c = b[p++]!;
    rem += (c & 0x7f) * mul;
    mul *= 128;
    if ((c & 0x80) === 0) break;
  }
  const type = TYPES[t]!;
  const bodyEnd = Math.min(end, p + rem);
  if (t === 1) {
    // CONNECT must name the protocol: "MQTT" (3.1.1/5) or "MQIsdp" (3.1).
    if (bodyEnd - p < 6 || b[p] !== 0 || (b[p + 1] !== 4 && b[p + 1] !== 6) || b[p + 2] !== 0x4d || b[p + 3] !== 0x51) return undefined;
    return { type };
  }
  if (t === 3) {
    const topic = str16(b, p, bodyEnd);
    return topic === undefined ? { type } : { type, topic };
  }
  if (t === 8 || t === 10) {
    p += 2; // packet identifier
    const v3 = str16(b, p, bodyEnd);
    if (v3) return { type, topic: v3 };
    // 5.0: properties (varint length) come before the topic filters.
    let plen = 0;
    let m = 1;
    for (let i = 0; i < 4 && p < bodyEnd; i++) {
      const c = b[p++]!;
      plen += (c & 0x7f) * m;
      m *= 128;
      if ((c & 0x80) === 0) break;
    }
    const v5 = str16(b, p + plen, bodyEnd);
    return v5 ? { type, topic: v5 } : { type };
  }
  return { type };
}

function str16(b: Uint8Array, p: number, end: number): string | undefined {
  if (p + 2 > end) return undefined;
  const len = (b[p]! << 8) | b[p + 1]!;
  if (len === 0 || p + 2 + len > end) return undefined;
  return latin1(b, p + 2, p + 2 + Math.min(len, 512));
}
