/**
 * Fuzzing the MQTT parsers with fast-check: random bytes and mutations of real broker replies may only
 * return a JSON-safe value or throw ProbeError("protocol-error"). Plus a differential check: any valid
 * CONNACK/PUBLISH/SUBACK that mqtt-packet encodes is read back with the same values.
 */
import fc from "fast-check";
import { generate } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import {
  frameFirstReply,
  packetSize,
  parseConnack,
  parseDisconnect,
  parseMqttPacket,
  parsePublish,
  parseSuback,
  readFixedHeader,
  recordFirstReply,
  type MqttResult,
} from "../../../../src/scan/modules/mqtt/index.js";
import { ProbeError } from "../../../../src/scan/modules/types.js";

const runs = { numRuns: 3000 };

/** Real replies: mosquitto's CONNACKs (PEERS.md), SUBACKs, DISCONNECTs, and PUBLISH/CONNACK encoded by mqtt-packet. */
const seeds = [
  ...["20020000", "20020005", "200900000622000a210014", "2003008700", "e0028700", "e000", "900400010000", "d000"].map((s) => Buffer.from(s, "hex")),
  generate({ cmd: "publish", topic: "$SYS/broker/version", payload: "mosquitto version 2.0.11", qos: 0, retain: true, dup: false }),
  generate({ cmd: "publish", topic: "dev/1/state", payload: Buffer.from([0, 1, 0xff]), qos: 1, messageId: 9, retain: false, dup: false, properties: { contentType: "x", userProperties: { a: "b" } } }, { protocolVersion: 5 }),
  generate({ cmd: "connack", sessionPresent: false, reasonCode: 0, properties: { reasonString: "hello", assignedClientIdentifier: "auto-1", maximumQoS: 0, retainAvailable: true, userProperties: { ven: "acme" } } }, { protocolVersion: 5 }),
  generate({ cmd: "suback", messageId: 1, granted: [0, 0x87] }, { protocolVersion: 5 }),
];

const parsers: Array<[string, (b: Buffer) => unknown]> = [
  ["parseConnack v3", (b) => parseConnack(b, false)],
  ["parseConnack v5", (b) => parseConnack(b, true)],
  ["parsePublish v3", (b) => parsePublish(b, false)],
  ["parsePublish v5", (b) => parsePublish(b, true, 16)],
  ["parseSuback v5", (b) => parseSuback(b, true)],
  ["parseDisconnect", (b) => parseDisconnect(b)],
  ["parseMqttPacket v3", (b) => parseMqttPacket(b, false)],
  ["parseMqttPacket v5", (b) => parseMqttPacket(b, true)],
  ["readFixedHeader", (b) => readFixedHeader(b)],
  ["packetSize", (b) => (b.length > 0 ? packetSize(b, 4096) : undefined)],
  ["frameFirstReply", (b) => (b.length > 0 ? frameFirstReply(b) : undefined)],
  [
    "recordFirstReply",
    (b) => {
      const r: MqttResult = { protocol_version: 5, client_id: "x" };
      try {
        recordFirstReply(r, b, true);
      } finally {
        // Even when it throws, what it filled in must stay JSON-safe.
        expect(JSON.parse(JSON.stringify(r))).toEqual(r);
      }
      return r;
    },
  ],
];

/** Returns normally with a JSON-safe value, or throws a ProbeError with status protocol-error. */
function onlyReturnsOrProtocolError(parse: (b: Buffer) => unknown, bytes: Buffer): void {
  let value: unknown;
  try {
    value = parse(bytes);
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    expect(err.status).toBe("protocol-error");
    expect(err.message).not.toContain("\n");
    return;
  }
  if (value !== undefined) expect(JSON.parse(JSON.stringify(value))).toEqual(value);
}

/** Bit flips, byte overwrites, truncation, insertion and appending on a real reply. */
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("flip", "set", "cut", "insert", "append")), { minLength: 1, maxLength: 4 }),
  )
  .map(([seed, edits]) => {
    let b = Buffer.from(seed);
    for (const [pos, value, op] of edits) {
      const i = b.length === 0 ? 0 : pos % b.length;
      if (op === "flip" && b.length > 0) b[i] = b[i]! ^ (1 << (value % 8));
      else if (op === "set" && b.length > 0) b[i] = value;
      else if (op === "cut") b = b.subarray(0, i);
      else if (op === "insert") b = Buffer.concat([b.subarray(0, i), Buffer.of(value), b.subarray(i)]);
      else b = Buffer.concat([b, Buffer.of(value)]);
    }
    return b;
  });

const randomBytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
/** Random bytes behind a plausible fixed header, so the body parsers get exercised, not just framing. */
const framedRandom = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 80 }))
  .map(([first, body]) => Buffer.concat([Buffer.of(first, body.length), Buffer.from(body)]));

describe("MQTT parser fuzzing", () => {
  for (const [name, parse] of parsers) {
    it(`${name}: random bytes only return or throw protocol-error`, () => {
      fc.assert(fc.property(fc.oneof(randomBytes, framedRandom), (b) => onlyReturnsOrProtocolError(parse, b)), runs);
    });

    it(`${name}: mutated real replies only return or throw protocol-error`, () => {
      fc.assert(fc.property(mutated, (b) => onlyReturnsOrProtocolError(parse, b)), runs);
    });
  }

  it("the seeds themselves parse", () => {
    // Each seed is valid in the version it was sent in (v3 PUBLISH bodies differ from v5 ones).
    const parsesInSomeVersion = (s: Buffer) => {
      try {
        return parseMqttPacket(s, true);
      } catch {
        return parseMqttPacket(s, false);
      }
    };
    for (const s of seeds) expect(() => parsesInSomeVersion(s)).not.toThrow();
  });
});

describe("MQTT parsers agree with mqtt-packet's encoder", () => {
  const text = fc.string({ maxLength: 40 });
  const u16 = fc.integer({ min: 0, max: 0xffff });

  it("CONNACK v3", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 255 }), (sessionPresent, returnCode) => {
        const packet = generate({ cmd: "connack", sessionPresent, returnCode });
        expect(parseConnack(packet, false)).toEqual({ type: "CONNACK", session_present: sessionPresent, return_code: returnCode, v5: false });
      }),
      { numRuns: 300 },
    );
  });

  it("CONNACK v5 with properties", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 255 }),
        fc.record(
          {
            receiveMaximum: fc.integer({ min: 1, max: 0xffff }),
            topicAliasMaximum: u16,
            serverKeepAlive: u16,
            sessionExpiryInterval: fc.nat(),
            assignedClientIdentifier: text,
            reasonString: text,
            maximumQoS: fc.constantFrom(0, 1),
            retainAvailable: fc.boolean(),
            // mqtt-packet encodes an empty userProperties object as nothing at all: give it at least one.
            userProperties: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), text, { minKeys: 1, maxKeys: 4 }),
          },
          { requiredKeys: [] },
        ),
        (sessionPresent, reasonCode, properties) => {
          const packet = generate({ cmd: "connack", sessionPresent, reasonCode, properties }, { protocolVersion: 5 });
          const parsed = parseConnack(packet, true);
          expect(parsed.return_code).toBe(reasonCode);
          expect(parsed.session_present).toBe(sessionPresent);
          const p = parsed.properties ?? {};
          expect(p.receive_maximum).toBe(properties.receiveMaximum);
          expect(p.topic_alias_maximum).toBe(properties.topicAliasMaximum);
          expect(p.server_keep_alive).toBe(properties.serverKeepAlive);
          expect(p.session_expiry_interval).toBe(properties.sessionExpiryInterval);
          expect(p.assigned_client_identifier).toBe(properties.assignedClientIdentifier);
          expect(p.reason_string).toBe(properties.reasonString);
          expect(p.maximum_qos).toBe(properties.maximumQoS);
          expect(p.retain_available).toBe(properties.retainAvailable);
          const pairs = Object.entries(properties.userProperties ?? {});
          expect(p.user_property ?? []).toEqual(pairs);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("PUBLISH v3 and v5", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60 }).filter((t) => !t.includes("\0")),
        fc.uint8Array({ maxLength: 600 }),
        fc.constantFrom<0 | 1 | 2>(0, 1, 2),
        fc.boolean(),
        fc.integer({ min: 1, max: 0xffff }),
        fc.constantFrom<4 | 5>(4, 5),
        (topic, payload, qos, retain, messageId, version) => {
          const packet = generate({ cmd: "publish", topic, payload: Buffer.from(payload), qos, retain, dup: false, messageId }, { protocolVersion: version });
          const p = parsePublish(packet, version === 5, 256);
          expect(p.topic).toBe(topic.length > 256 ? topic.slice(0, 256) : topic);
          expect(p.qos).toBe(qos);
          expect(p.retain).toBe(retain);
          expect(p.packet_id).toBe(qos > 0 ? messageId : undefined);
          expect(p.payload_length).toBe(payload.length);
          expect(p.payload_truncated).toBe(payload.length > 256);
          const head = Buffer.from(payload).subarray(0, 256);
          if (p.payload_encoding === "base64") expect(p.payload).toBe(head.toString("base64"));
          else expect(head.toString("utf8").startsWith(p.payload)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("SUBACK v3 and v5", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffff }),
        fc.array(fc.constantFrom(0, 1, 2, 0x80), { minLength: 1, maxLength: 10 }),
        fc.constantFrom<4 | 5>(4, 5),
        (messageId, granted, version) => {
          const packet = generate({ cmd: "suback", messageId, granted }, { protocolVersion: version });
          expect(parseSuback(packet, version === 5)).toEqual({ type: "SUBACK", packet_id: messageId, codes: granted });
        },
      ),
      { numRuns: 300 },
    );
  });
});
