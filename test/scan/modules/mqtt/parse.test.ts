/**
 * The pure MQTT parsers and the option parsing, on known bytes: the CONNACKs mosquitto sends here
 * (PEERS.md), packets encoded by mqtt-packet, and hand-made edge cases.
 */
import { generate } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import {
  connackCodeName,
  disconnectReasonName,
  frameFirstReply,
  mqttConfig,
  packetSize,
  parseConnack,
  parseDisconnect,
  parseMqttOptions,
  parseMqttPacket,
  parsePublish,
  parseSuback,
  payloadText,
  subackCodeName,
} from "../../../../src/scan/modules/mqtt/index.js";
import { ProbeError } from "../../../../src/scan/modules/types.js";

const hex = (s: string) => Buffer.from(s, "hex");

function protocolError(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ProbeError);
  expect((caught as ProbeError).status).toBe("protocol-error");
  expect((caught as ProbeError).message).toMatch(message);
}

describe("parseConnack", () => {
  it("reads mosquitto's v3.1.1 CONNACKs", () => {
    expect(parseConnack(hex("20020000"), false)).toEqual({ type: "CONNACK", session_present: false, return_code: 0, v5: false });
    expect(parseConnack(hex("20020005"), false)).toEqual({ type: "CONNACK", session_present: false, return_code: 5, v5: false });
    expect(parseConnack(hex("20020100"), false).session_present).toBe(true);
  });

  it("reads mosquitto's v5 CONNACKs with properties", () => {
    expect(parseConnack(hex("200900000622000a210014"), true)).toEqual({
      type: "CONNACK",
      session_present: false,
      return_code: 0,
      v5: true,
      properties: { topic_alias_maximum: 10, receive_maximum: 20 },
    });
    expect(parseConnack(hex("2003008700"), true)).toEqual({ type: "CONNACK", session_present: false, return_code: 0x87, v5: true });
  });

  it("decodes every CONNACK property mqtt-packet can encode", () => {
    const packet = generate(
      {
        cmd: "connack",
        sessionPresent: true,
        reasonCode: 0,
        properties: {
          sessionExpiryInterval: 3600,
          receiveMaximum: 100,
          maximumQoS: 1,
          retainAvailable: false,
          maximumPacketSize: 1 << 20,
          assignedClientIdentifier: "auto-1234",
          topicAliasMaximum: 7,
          reasonString: "welcome",
          userProperties: { vendor: "acme", region: ["eu", "us"] },
          wildcardSubscriptionAvailable: true,
          subscriptionIdentifiersAvailable: false,
          sharedSubscriptionAvailable: true,
          serverKeepAlive: 30,
          responseInformation: "resp/",
          serverReference: "other.example:1883",
          authenticationMethod: "SCRAM-SHA-1",
          authenticationData: Buffer.from([1, 2, 3]),
        },
      },
      { protocolVersion: 5 },
    );
    expect(parseConnack(packet, true)).toEqual({
      type: "CONNACK",
      session_present: true,
      return_code: 0,
      v5: true,
      properties: {
        session_expiry_interval: 3600,
        receive_maximum: 100,
        maximum_qos: 1,
        retain_available: false,
        maximum_packet_size: 1 << 20,
        assigned_client_identifier: "auto-1234",
        topic_alias_maximum: 7,
        reason_string: "welcome",
        user_property: [
          ["vendor", "acme"],
          ["region", "eu"],
          ["region", "us"],
        ],
        wildcard_subscription_available: true,
        subscription_identifier_available: false,
        shared_subscription_available: true,
        server_keep_alive: 30,
        response_information: "resp/",
        server_reference: "other.example:1883",
        authentication_method: "SCRAM-SHA-1",
        authentication_data: "010203",
      },
    });
  });

  it("treats a 2-byte body under MQTT 5 as a v3 broker's answer", () => {
    expect(parseConnack(hex("20020001"), true)).toEqual({ type: "CONNACK", session_present: false, return_code: 1, v5: false });
  });

  it("ignores bytes after a v3 body, like a v3 client does", () => {
    expect(parseConnack(hex("2003000000"), false).return_code).toBe(0);
  });

  it("refuses malformed CONNACKs", () => {
    protocolError(() => parseConnack(hex("2001"), false), /CONNACK truncated: 2 of 3 bytes/);
    protocolError(() => parseConnack(hex("200100"), true), /needs at least 2/);
    protocolError(() => parseConnack(hex("2000"), false), /needs at least 2/);
    protocolError(() => parseConnack(hex("20020000ff"), false), /1 bytes after the CONNACK/);
    protocolError(() => parseConnack(hex("20020400"), false), /reserved bits/);
    protocolError(() => parseConnack(hex("21020000"), false), /reserved flags/);
    protocolError(() => parseConnack(hex("30020000"), false), /expected CONNACK, got PUBLISH/);
    protocolError(() => parseConnack(hex("20050000021f00"), true), /reason_string truncated/);
    protocolError(() => parseConnack(hex("200700000422000a21"), true), /receive_maximum truncated/);
    // The value runs past the property block even though the packet has the bytes: still truncated.
    protocolError(() => parseConnack(hex("200900000422000121" + "0014"), true), /receive_maximum truncated/);
    protocolError(() => parseConnack(hex("2009000006220001220002"), true), /topic_alias_maximum repeated/);
    protocolError(() => parseConnack(hex("2004000000ff"), true), /1 bytes after the CONNACK properties/);
    protocolError(() => parseConnack(hex("200700000480808080"), true), /varint longer than 4 bytes/);
    protocolError(() => parseConnack(Buffer.alloc(0), false), /empty packet/);
  });
});

describe("parsePublish", () => {
  it("reads a v3 PUBLISH with QoS 1, retain and dup", () => {
    const packet = generate({ cmd: "publish", topic: "a/b", payload: "hi", qos: 1, messageId: 7, retain: true, dup: true });
    expect(parsePublish(packet, false)).toEqual({
      type: "PUBLISH",
      topic: "a/b",
      qos: 1,
      retain: true,
      dup: true,
      packet_id: 7,
      payload: "hi",
      payload_encoding: "utf8",
      payload_length: 2,
      payload_truncated: false,
    });
  });

  it("reads a v5 PUBLISH with properties before the payload", () => {
    const packet = generate(
      { cmd: "publish", topic: "t", payload: Buffer.from([0, 1, 2]), qos: 0, retain: false, dup: false, properties: { contentType: "application/octet-stream", messageExpiryInterval: 60 } },
      { protocolVersion: 5 },
    );
    expect(parsePublish(packet, true)).toMatchObject({
      topic: "t",
      payload: "AAEC",
      payload_encoding: "base64",
      payload_length: 3,
      properties: { content_type: "application/octet-stream", message_expiry_interval: 60 },
    });
  });

  it("cuts payloads at the cap and says so", () => {
    const packet = generate({ cmd: "publish", topic: "t", payload: "x".repeat(300), qos: 0, retain: false, dup: false });
    const p = parsePublish(packet, false, 256);
    expect(p.payload).toBe("x".repeat(256));
    expect(p.payload_truncated).toBe(true);
    expect(p.payload_length).toBe(300);
  });

  it("refuses QoS 3 and topics longer than the packet", () => {
    protocolError(() => parsePublish(hex("36050001610000"), false), /QoS 3/);
    protocolError(() => parsePublish(hex("30030009ff"), false), /PUBLISH topic truncated/);
    protocolError(() => parsePublish(hex("320400016100"), false), /PUBLISH packet id truncated/);
  });
});

describe("parseSuback, parseDisconnect, parseMqttPacket", () => {
  it("reads SUBACKs in v3 and v5", () => {
    expect(parseSuback(hex("900400010080"), false)).toEqual({ type: "SUBACK", packet_id: 1, codes: [0, 0x80] });
    expect(parseSuback(generate({ cmd: "suback", messageId: 1, granted: [0, 0x87] }, { protocolVersion: 5 }), true)).toEqual({
      type: "SUBACK",
      packet_id: 1,
      codes: [0, 0x87],
    });
    protocolError(() => parseSuback(hex("90020001"), false), /without return codes/);
  });

  it("reads DISCONNECTs with and without a reason", () => {
    expect(parseDisconnect(hex("e000"))).toEqual({ type: "DISCONNECT", reason_code: 0 });
    expect(parseDisconnect(hex("e0018e"))).toEqual({ type: "DISCONNECT", reason_code: 0x8e });
    expect(parseDisconnect(generate({ cmd: "disconnect", reasonCode: 0x9c, properties: { serverReference: "b:1883" } }, { protocolVersion: 5 }))).toEqual({
      type: "DISCONNECT",
      reason_code: 0x9c,
      properties: { server_reference: "b:1883" },
    });
  });

  it("reports other packets by type and size", () => {
    expect(parseMqttPacket(hex("d000"), false)).toEqual({ type: "PINGRESP", flags: 0, remaining_length: 0 });
    expect(parseMqttPacket(hex("40020001"), false)).toEqual({ type: "PUBACK", flags: 0, remaining_length: 2 });
    protocolError(() => parseMqttPacket(hex("0000"), false), /reserved packet type 0/);
    protocolError(() => parseMqttPacket(hex("d0"), false), /truncated fixed header/);
  });
});

describe("framing", () => {
  it("waits for the whole packet and then returns its size", () => {
    expect(packetSize(hex("20"), 100)).toBeUndefined();
    expect(packetSize(hex("2002"), 100)).toBeUndefined();
    expect(packetSize(hex("200200"), 100)).toBeUndefined();
    expect(packetSize(hex("20020000"), 100)).toBe(4);
    expect(packetSize(hex("20020000d000"), 100)).toBe(4);
    expect(packetSize(hex("30ff"), 100)).toBeUndefined();
  });

  it("refuses declared sizes over the cap before the body arrives", () => {
    protocolError(() => packetSize(hex("30ff01"), 100), /PUBLISH declares 255 bytes, more than the 100-byte limit/);
  });

  it("accepts only CONNACK or DISCONNECT as the first reply", () => {
    expect(frameFirstReply(hex("20020000"))).toBe(4);
    expect(frameFirstReply(hex("e000"))).toBe(2);
    protocolError(() => frameFirstReply(hex("d000")), /expected CONNACK, got PINGRESP \(first byte 0xd0\)/);
    protocolError(() => frameFirstReply(hex("00")), /reserved type 0/);
  });
});

describe("code names", () => {
  it("uses Shadowserver's wording for v3 and the spec's for v5", () => {
    expect(connackCodeName(0, false)).toBe("Connection Accepted");
    expect(connackCodeName(5, false)).toBe("Connection Refused, not authorized");
    expect(connackCodeName(4, false)).toBe("Connection Refused, bad user name or password");
    expect(connackCodeName(0x87, true)).toBe("Not authorized");
    expect(connackCodeName(0x86, true)).toBe("Bad User Name or Password");
    expect(connackCodeName(0, true)).toBe("Success");
    expect(connackCodeName(9, false)).toBe("Unknown code 0x09");
    expect(disconnectReasonName(0)).toBe("Normal disconnection");
    expect(disconnectReasonName(0x8e)).toBe("Session taken over");
    expect(subackCodeName(1, false)).toBe("Granted QoS 1");
    expect(subackCodeName(0x80, false)).toBe("Failure");
    expect(subackCodeName(0xa2, true)).toBe("Wildcard Subscriptions not supported");
  });
});

describe("payloadText", () => {
  it("keeps printable UTF-8 as text and everything else as base64", () => {
    expect(payloadText(Buffer.from("22.5 °C\n"), 256)).toEqual({ payload: "22.5 °C\n", payload_encoding: "utf8" });
    expect(payloadText(Buffer.from([0x41, 0x00, 0x42]), 256)).toEqual({ payload: "QQBC", payload_encoding: "base64" });
    expect(payloadText(Buffer.from([0xc3, 0x28]), 256).payload_encoding).toBe("base64");
  });

  it("backs off a character cut by the cap instead of falling back to base64", () => {
    expect(payloadText(Buffer.from("aaé"), 3)).toEqual({ payload: "aa", payload_encoding: "utf8" });
  });
});

describe("options", () => {
  it("defaults to v3.1.1, ZGrab2's client id, no TLS, no subscription", () => {
    const c = parseMqttOptions({});
    expect(c).toMatchObject({ version: 4, clientId: "MQTTClient", tls: false, subscribe: false, topics: ["$SYS/#", "#"], maxMessages: 20, listenMs: 2000, keepalive: 10 });
    expect(c.connect.toString("hex")).toBe("101600044d5154540402000a000a4d515454436c69656e74");
    expect(c.subscribePacket.toString("hex")).toBe("820f00010006245359532f230000012300");
    expect(c.disconnect.toString("hex")).toBe("e000");
  });

  it("encodes v3.1 and v5 CONNECTs", () => {
    expect(parseMqttOptions({ mqttVersion: "3.1" }).connect.toString("hex")).toBe("101800064d51497364700302000a000a4d515454436c69656e74");
    const v5 = parseMqttOptions({ mqttVersion: 5 });
    expect(v5.connect.toString("hex")).toBe("101700044d5154540502000a00000a4d515454436c69656e74");
    expect(v5.disconnect.toString("hex")).toBe("e0020000");
  });

  it("parses CLI strings and keeps the keep-alive above the listening time", () => {
    const c = parseMqttOptions({ mqttSubscribe: "true", mqttTls: "1", mqttTopics: " a/#, ,b ", mqttMaxMessages: "5", mqttListenMs: "30000", mqttClientId: "x" });
    expect(c).toMatchObject({ subscribe: true, tls: true, topics: ["a/#", "b"], maxMessages: 5, listenMs: 30000, keepalive: 35, clientId: "x" });
    expect(parseMqttOptions({ mqttListenMs: "30000" }).keepalive).toBe(10);
  });

  it("throws a plain Error naming the flag for invalid values", () => {
    expect(() => parseMqttOptions({ mqttVersion: "6" })).toThrow(/--mqtt-version/);
    expect(() => parseMqttOptions({ mqttMaxMessages: "0" })).toThrow(/--mqtt-max-messages/);
    expect(() => parseMqttOptions({ mqttListenMs: "soon" })).toThrow(/--mqtt-listen-ms/);
    expect(() => parseMqttOptions({ mqttSubscribe: "maybe" })).toThrow(/--mqtt-subscribe/);
    expect(() => parseMqttOptions({ mqttTopics: " , " })).toThrow(/--mqtt-topics/);
  });

  it("parses each option set once", () => {
    const options = { mqttVersion: "5" };
    expect(mqttConfig(options)).toBe(mqttConfig(options));
  });
});
