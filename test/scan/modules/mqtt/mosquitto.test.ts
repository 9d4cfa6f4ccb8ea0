/**
 * The MQTT module against a real mosquitto (PEERS.md): one broker with an anonymous listener, a password
 * listener and an anonymous TLS listener; every result field checked against what the broker really sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mqttModule, type MqttResult } from "../../../../src/scan/modules/mqtt/index.js";
import type { ModuleOptions, ScanOutcome, Target } from "../../../../src/scan/modules/types.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { freePort, waitFor } from "../../../helpers/wait.js";
import { MOSQUITTO_CA_CN, MOSQUITTO_LEAF_CN, startMosquitto, type MosquittoPeer } from "../../../peers/mosquitto.js";

let broker: MosquittoPeer;
let anonPort: number;
let passwordPort: number;
let tlsPort: number;

beforeAll(async () => {
  broker = await startMosquitto({
    listeners: [{}, { password: { username: "scanner-test", password: "s3cret" } }, { tls: true }],
    sysInterval: 1,
  });
  [anonPort, passwordPort, tlsPort] = broker.ports as [number, number, number];
  await broker.publish("iotscope/test/retained", "hello from the test", { retain: true });
});

afterAll(async () => {
  await broker?.stop();
});

async function scan(target: Target, options: ModuleOptions = {}, timeouts: { readTimeoutMs?: number } = {}): Promise<ScanOutcome<MqttResult>> {
  const ctx = testScanContext({ options, ...timeouts });
  try {
    return await mqttModule.scan(target, ctx);
  } finally {
    ctx.close();
  }
}

describe("mqtt module against mosquitto", () => {
  it("declares itself as a TCP module on 1883 with its flags", () => {
    expect(mqttModule.name).toBe("mqtt");
    expect(mqttModule.transport).toBe("tcp");
    expect(mqttModule.defaultPort).toBe(1883);
    expect(mqttModule.flags.map((f) => f.name)).toEqual([
      "mqtt-version",
      "mqtt-client-id",
      "mqtt-tls",
      "mqtt-subscribe",
      "mqtt-topics",
      "mqtt-max-messages",
      "mqtt-listen-ms",
    ]);
  });

  it("records anonymous access on an open v3.1.1 broker (CONNACK 20020000) and disconnects politely", async () => {
    const out = await scan(loopbackTarget(anonPort), { mqttClientId: "iotscope-anon-311" });
    expect(out).toEqual({
      status: "success",
      result: {
        protocol_version: 4,
        client_id: "iotscope-anon-311",
        response_type: "CONNACK",
        raw_response: "20020000",
        connect_return_code: 0,
        hex_code: "00",
        code: "Connection Accepted",
        session_present: false,
        anonymous_access: true,
      },
    });
    // The broker saw our clean-session, short keep-alive CONNECT and then a DISCONNECT, not a dropped socket.
    await waitFor(() => broker.log().includes("Client iotscope-anon-311 disconnected."), "mosquitto to log our DISCONNECT", 5000);
    expect(broker.log()).toMatch(/as iotscope-anon-311 \(p2, c1, k10\)/);
    expect(broker.log()).toContain("Received DISCONNECT from iotscope-anon-311");
  });

  it("sends ZGrab2's client id MQTTClient by default", async () => {
    const out = await scan(loopbackTarget(anonPort));
    expect(out.result?.client_id).toBe("MQTTClient");
    await waitFor(() => /as MQTTClient \(p2, c1, k10\)/.test(broker.log()), "mosquitto to log client MQTTClient", 5000);
  });

  it("records return code 5 'not authorized' (never 4) on a password broker", async () => {
    const out = await scan(loopbackTarget(passwordPort));
    expect(out).toEqual({
      status: "success",
      result: {
        protocol_version: 4,
        client_id: "MQTTClient",
        response_type: "CONNACK",
        raw_response: "20020005",
        connect_return_code: 5,
        hex_code: "05",
        code: "Connection Refused, not authorized",
        session_present: false,
        anonymous_access: false,
      },
    });
  });

  it("decodes an MQTT 5 CONNACK with its properties on an open broker", async () => {
    const out = await scan(loopbackTarget(anonPort), { mqttVersion: "5" });
    expect(out).toEqual({
      status: "success",
      result: {
        protocol_version: 5,
        client_id: "MQTTClient",
        response_type: "CONNACK",
        raw_response: "200900000622000a210014",
        connect_return_code: 0,
        hex_code: "00",
        code: "Success",
        session_present: false,
        anonymous_access: true,
        properties: { topic_alias_maximum: 10, receive_maximum: 20 },
      },
    });
  });

  it("records MQTT 5 reason 0x87 'Not authorized' on a password broker", async () => {
    const out = await scan(loopbackTarget(passwordPort), { mqttVersion: 5 });
    expect(out.status).toBe("success");
    expect(out.result).toMatchObject({
      protocol_version: 5,
      raw_response: "2003008700",
      connect_return_code: 0x87,
      hex_code: "87",
      code: "Not authorized",
      anonymous_access: false,
    });
    expect(out.result?.properties).toBeUndefined();
  });

  it("gets the broker to assign a client id under MQTT 5 when the id is empty", async () => {
    const out = await scan(loopbackTarget(anonPort), { mqttVersion: "5.0", mqttClientId: "" });
    expect(out.result?.anonymous_access).toBe(true);
    expect(out.result?.properties?.assigned_client_identifier).toMatch(/^auto-/);
  });

  it("speaks MQTT 3.1 (MQIsdp) when asked", async () => {
    const out = await scan(loopbackTarget(anonPort), { mqttVersion: "3.1", mqttClientId: "iotscope-v31" });
    expect(out.result).toMatchObject({ protocol_version: 3, raw_response: "20020000", anonymous_access: true });
    await waitFor(() => /as iotscope-v31 \(p1, c1, k10\)/.test(broker.log()), "mosquitto to log a protocol level 3 client", 5000);
  });

  it("connects over TLS with --mqtt-tls and records the TLS version, cipher and certificate facts", async () => {
    const out = await scan(loopbackTarget(tlsPort), { mqttTls: "true" });
    expect(out.status).toBe("success");
    expect(out.result).toMatchObject({ raw_response: "20020000", anonymous_access: true, code: "Connection Accepted" });
    expect(out.result?.tls).toEqual({
      version: "TLSv1.3",
      cipher: expect.stringMatching(/^TLS_[A-Z0-9_]+$/),
      cert_sha256: broker.certificate!.sha256,
      subject_cn: MOSQUITTO_LEAF_CN,
      issuer_cn: MOSQUITTO_CA_CN,
    });
  });

  it("uses TLS on port 8883 without being asked", async (t) => {
    // 8883 on a loopback address of its own, so a broker already on 8883 elsewhere does not collide.
    let peer: MosquittoPeer;
    try {
      peer = await startMosquitto({ listeners: [{ tls: true, port: 8883, host: "127.0.0.83" }] });
    } catch (err) {
      t.skip(`cannot bind 127.0.0.83:8883 here: ${String(err).slice(0, 120)}`);
      return;
    }
    try {
      const out = await scan({ ip: "127.0.0.83", v: 4, port: 8883 });
      expect(out.status).toBe("success");
      expect(out.result?.tls?.cert_sha256).toBe(peer.certificate!.sha256);
      expect(out.result?.anonymous_access).toBe(true);
    } finally {
      await peer.stop();
    }
  });

  it("reports a plaintext CONNECT to a TLS listener as an error status, not a crash", async () => {
    const out = await scan(loopbackTarget(tlsPort), {}, { readTimeoutMs: 1000 });
    expect(["connection-closed", "protocol-error", "io-timeout"]).toContain(out.status);
    expect(out.error).toBeTruthy();
  });

  it("reads $SYS and retained topics with --mqtt-subscribe, surfacing the broker version", async () => {
    const out = await scan(loopbackTarget(anonPort), { mqttSubscribe: true, mqttMaxMessages: "1000", mqttListenMs: "1500" });
    expect(out.status).toBe("success");
    const r = out.result!;
    expect(r.anonymous_access).toBe(true);
    expect(r.broker_version).toBe(`mosquitto version ${broker.version}`);
    expect(r.subscribe?.topics).toEqual(["$SYS/#", "#"]);
    expect(r.subscribe?.suback_codes).toEqual([0, 0]);
    expect(r.subscribe?.end).toBe("listen-time");
    expect(r.subscribe?.messages).toContainEqual({
      topic: "$SYS/broker/version",
      qos: 0,
      retain: true,
      payload: `mosquitto version ${broker.version}`,
      payload_encoding: "utf8",
      payload_length: `mosquitto version ${broker.version}`.length,
      payload_truncated: false,
    });
    expect(r.subscribe?.messages).toContainEqual({
      topic: "iotscope/test/retained",
      qos: 0,
      retain: true,
      payload: "hello from the test",
      payload_encoding: "utf8",
      payload_length: 19,
      payload_truncated: false,
    });
  });

  it("stops listening at --mqtt-max-messages (default 20)", async () => {
    const started = Date.now();
    const out = await scan(loopbackTarget(anonPort), { mqttSubscribe: true });
    expect(out.result?.subscribe?.messages).toHaveLength(20);
    expect(out.result?.subscribe?.end).toBe("max-messages");
    // mosquitto sends $SYS/broker/version first among its retained $SYS topics.
    expect(out.result?.broker_version).toBe(`mosquitto version ${broker.version}`);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("subscribes to the given --mqtt-topics under MQTT 5 too", async () => {
    const out = await scan(loopbackTarget(anonPort), { mqttSubscribe: "true", mqttVersion: "5", mqttTopics: "iotscope/#", mqttListenMs: 400 });
    expect(out.result?.subscribe).toEqual({
      topics: ["iotscope/#"],
      suback_codes: [0],
      end: "listen-time",
      messages: [
        {
          topic: "iotscope/test/retained",
          qos: 0,
          retain: true,
          payload: "hello from the test",
          payload_encoding: "utf8",
          payload_length: 19,
          payload_truncated: false,
        },
      ],
    });
    expect(out.result?.broker_version).toBeUndefined();
  });

  it("never subscribes when the broker refused the anonymous CONNECT", async () => {
    const out = await scan(loopbackTarget(passwordPort), { mqttSubscribe: true });
    expect(out.status).toBe("success");
    expect(out.result?.anonymous_access).toBe(false);
    expect(out.result?.subscribe).toBeUndefined();
  });

  it("reports connection-refused for a closed port, with no result", async () => {
    const out = await scan(loopbackTarget(await freePort()));
    expect(out.status).toBe("connection-refused");
    expect(out.error).toMatch(/ECONNREFUSED/);
    expect(out.result).toBeUndefined();
  });

  it("is refused by the probe gate for a non-loopback target before any packet is sent", async () => {
    const ctx = testScanContext();
    const out = await mqttModule.scan({ ip: "192.0.2.1", v: 4, port: 1883 }, ctx);
    ctx.close();
    expect(out.status).toBe("blocklisted-target");
    expect(ctx.sent).toHaveLength(0);
  });
});
