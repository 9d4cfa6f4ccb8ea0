/**
 * The MQTT module against a broker that lies: garbage, oversized or truncated CONNACKs, wrong first packets,
 * bytes dripped slower than the read timeout, silence, resets. Each must end in a status with a one-line
 * error and the bytes received kept as evidence — never a throw or a hang.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mqttModule, type MqttResult } from "../../../../src/scan/modules/mqtt/index.js";
import type { ModuleOptions, ScanOutcome } from "../../../../src/scan/modules/types.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { hex, startHostileBroker, type HostileBroker, type HostileConnection } from "./hostile-broker.js";

let broker: HostileBroker | undefined;

afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

async function against(
  script: (c: HostileConnection) => void,
  options: ModuleOptions = {},
  limits: { readTimeoutMs?: number; maxReadBytes?: number } = {},
): Promise<ScanOutcome<MqttResult> & { ms: number }> {
  broker = await startHostileBroker(script);
  const ctx = testScanContext({ options, readTimeoutMs: limits.readTimeoutMs ?? 1000, ...(limits.maxReadBytes ? { maxReadBytes: limits.maxReadBytes } : {}) });
  const started = Date.now();
  try {
    const out = await mqttModule.scan(loopbackTarget(broker.port), ctx);
    return { ...out, ms: Date.now() - started };
  } finally {
    ctx.close();
  }
}

const send = (bytes: string | Buffer) => (c: HostileConnection) => c.socket.write(typeof bytes === "string" ? hex(bytes) : bytes);
const sendAndClose = (bytes: string) => (c: HostileConnection) => c.socket.end(hex(bytes));

/** A one-line error: what a status line in the output needs. */
function expectOneLine(out: { error?: string }): void {
  expect(out.error).toBeTruthy();
  expect(out.error).not.toContain("\n");
}

describe("mqtt module against a hostile responder", () => {
  it("sends the documented 24-byte v3.1.1 CONNECT and a DISCONNECT after an accepting CONNACK", async () => {
    const out = await against(send("20020000"));
    expect(out.status).toBe("success");
    expect(broker!.connections[0]!.request.toString("hex")).toBe("101600044d5154540402000a000a4d515454436c69656e74");
    await new Promise<void>((resolve) => broker!.connections[0]!.socket.once("close", resolve));
    expect(Buffer.concat(broker!.connections[0]!.received).toString("hex")).toBe("e000");
  });

  it("sends no DISCONNECT after a refusing CONNACK (the broker closes anyway)", async () => {
    const out = await against(send("20020005"));
    expect(out.result?.anonymous_access).toBe(false);
    await new Promise<void>((resolve) => broker!.connections[0]!.socket.once("close", resolve));
    expect(broker!.connections[0]!.received).toHaveLength(0);
  });

  it("calls an HTTP answer garbage at its first byte: protocol-error, bytes kept", async () => {
    const out = await against(send(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n")));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/expected CONNACK, got PUBACK \(first byte 0x48\)/);
    expect(out.result?.raw_response).toBe(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n").toString("hex"));
    expect(out.result?.anonymous_access).toBeUndefined();
    expect(out.ms).toBeLessThan(900);
    expectOneLine(out);
  });

  it("refuses a CONNACK declaring a huge remaining length without waiting for the body", async () => {
    const out = await against(send("20ffffff7f"));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/CONNACK declares 268435455 bytes, more than the 16384-byte limit/);
    expect(out.result?.raw_response).toBe("20ffffff7f");
    expect(out.ms).toBeLessThan(900);
  });

  it("refuses a remaining-length varint longer than 4 bytes", async () => {
    const out = await against(send("20ffffffff01"));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/varint longer than 4 bytes/);
  });

  it("reports a CONNACK cut by a close as connection-closed, keeping the bytes", async () => {
    const out = await against(sendAndClose("200200"));
    expect(out.status).toBe("connection-closed");
    expect(out.error).toMatch(/mid-message/);
    expect(out.result?.raw_response).toBe("200200");
    expect(out.result?.anonymous_access).toBeUndefined();
  });

  it("reports a CONNACK cut and then silence as io-timeout", async () => {
    const out = await against(send("2002"), {}, { readTimeoutMs: 300 });
    expect(out.status).toBe("io-timeout");
    expect(out.result?.raw_response).toBe("2002");
    expect(out.ms).toBeLessThan(1000);
  });

  it("refuses a PUBLISH as first packet", async () => {
    const out = await against(send("300b0003612f6268656c6c6f2121"));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/expected CONNACK, got PUBLISH/);
  });

  it("refuses a CONNACK with reserved flag bits", async () => {
    expect((await against(send("22020000"))).error).toMatch(/CONNACK with reserved flags 0x02/);
    await broker!.close();
    const out = await against(send("20020200"));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/CONNACK flags 0x2 set reserved bits/);
    expect(out.result?.raw_response).toBe("20020200");
  });

  it("does not read a 1-byte CONNACK body as 'accepted' under MQTT 5", async () => {
    const out = await against(send("200100"), { mqttVersion: 5 });
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/CONNACK body of 1 bytes, needs at least 2/);
    expect(out.result?.anonymous_access).toBeUndefined();
  });

  it("refuses MQTT 5 properties that overrun the CONNACK or are unknown", async () => {
    const overrun = await against(send("2003000005"), { mqttVersion: 5 });
    expect(overrun.status).toBe("protocol-error");
    expect(overrun.error).toMatch(/properties truncated/);
    await broker!.close();
    const unknown = await against(send("20050000027f00"), { mqttVersion: 5 });
    expect(unknown.status).toBe("protocol-error");
    expect(unknown.error).toMatch(/unknown property identifier 0x7f/);
  });

  it("records a 2-byte CONNACK from a broker that does not speak MQTT 5 with the v3 meaning", async () => {
    const out = await against(send("20020001"), { mqttVersion: "5" });
    expect(out.status).toBe("success");
    expect(out.result).toMatchObject({
      response_type: "CONNACK",
      connect_return_code: 1,
      hex_code: "01",
      code: "Connection Refused, unacceptable protocol version",
      anonymous_access: false,
    });
  });

  it("records an MQTT 5 DISCONNECT instead of a CONNACK as a refusal", async () => {
    const out = await against(send("e0028700"), { mqttVersion: "5" });
    expect(out.status).toBe("success");
    expect(out.result).toMatchObject({
      response_type: "DISCONNECT",
      raw_response: "e0028700",
      connect_return_code: 0x87,
      hex_code: "87",
      code: "Not authorized",
      anonymous_access: false,
    });
  });

  it("gives up on a CONNACK dripped slower than the read timeout (io-timeout, no hang)", async () => {
    const out = await against(
      (c) => {
        const bytes = hex("20020000");
        bytes.forEach((b, i) => c.later(150 * i, () => c.socket.write(Buffer.of(b))));
      },
      {},
      { readTimeoutMs: 300 },
    );
    expect(out.status).toBe("io-timeout");
    expect(out.error).toMatch(/no complete reply within 300 ms/);
    expect(out.result?.raw_response).toMatch(/^2002/);
    expect(out.ms).toBeLessThan(1000);
  });

  it("reports silence as io-timeout", async () => {
    const out = await against(() => {}, {}, { readTimeoutMs: 200 });
    expect(out.status).toBe("io-timeout");
    expect(out.result).toEqual({ protocol_version: 4, client_id: "MQTTClient" });
  });

  it("reports a close right after the CONNECT as connection-closed", async () => {
    const out = await against((c) => c.socket.end());
    expect(out.status).toBe("connection-closed");
    expect(out.result?.raw_response).toBeUndefined();
    expectOneLine(out);
  });

  it("reports a reset as connection-closed", async () => {
    const out = await against((c) => c.socket.resetAndDestroy());
    expect(out.status).toBe("connection-closed");
  });

  it("stops at the read cap when a large first packet exceeds it", async () => {
    const props = Buffer.alloc(2000, 0);
    // v5 CONNACK: flags, reason, then a property block of 2000 bytes (read cap is 1024).
    const packet = Buffer.concat([hex("20d50f0000d00f"), props]);
    const out = await against(send(packet), { mqttVersion: 5 }, { maxReadBytes: 1024 });
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/more than 1024 bytes/);
    expect(out.result?.raw_response_truncated).toBe(true);
    expect(out.result?.raw_response).toHaveLength(512);
  });
});

describe("mqtt --mqtt-subscribe against a hostile responder", () => {
  const subscribe = { mqttSubscribe: true, mqttListenMs: 500 };

  /** Accepts the CONNECT, then runs `then` once the SUBSCRIBE arrives. */
  const acceptThen = (then: (c: HostileConnection) => void) => (c: HostileConnection) => {
    c.socket.write(hex("20020000"));
    c.socket.once("data", () => then(c));
  };

  it("refuses a PUBLISH declaring more than the read cap, keeping the CONNACK facts", async () => {
    const out = await against(acceptThen((c) => c.socket.write(hex("3080808005"))), subscribe, { maxReadBytes: 64 * 1024 });
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/PUBLISH declares 10485760 bytes, more than the 65536-byte limit/);
    expect(out.result?.anonymous_access).toBe(true);
    expect(out.result?.subscribe?.messages).toEqual([]);
  });

  it("keeps the CONNACK facts when garbage follows it", async () => {
    const out = await against(acceptThen((c) => c.socket.write(Buffer.from("\x00\x00garbage"))), subscribe);
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/reserved packet type 0/);
    expect(out.result?.anonymous_access).toBe(true);
  });

  it("ends listening as 'closed' (still success) when the broker hangs up", async () => {
    const out = await against(acceptThen((c) => c.socket.end(hex("9003000100"))), subscribe);
    expect(out.status).toBe("success");
    expect(out.result?.subscribe).toMatchObject({ suback_codes: [0], end: "closed", messages: [] });
  });

  it("stops at --mqtt-max-messages when flooded, and base64-encodes and cuts binary payloads", async () => {
    const payload = Buffer.alloc(1000, 0xfe);
    const topic = Buffer.from("flood/bin");
    const body = Buffer.concat([Buffer.of(0, topic.length), topic, payload]);
    const publish = Buffer.concat([Buffer.of(0x30, (body.length & 0x7f) | 0x80, body.length >> 7), body]);
    const out = await against(
      acceptThen((c) => {
        for (let i = 0; i < 50; i++) c.socket.write(publish);
      }),
      { ...subscribe, mqttMaxMessages: 5 },
    );
    expect(out.status).toBe("success");
    const sub = out.result!.subscribe!;
    expect(sub.end).toBe("max-messages");
    expect(sub.messages).toHaveLength(5);
    expect(sub.messages[0]).toEqual({
      topic: "flood/bin",
      qos: 0,
      retain: false,
      payload: Buffer.alloc(256, 0xfe).toString("base64"),
      payload_encoding: "base64",
      payload_length: 1000,
      payload_truncated: true,
    });
  });

  it("records a DISCONNECT sent during listening", async () => {
    const out = await against(acceptThen((c) => c.socket.write(hex("e0018e"))), { ...subscribe, mqttVersion: 5 });
    expect(out.status).toBe("success");
    expect(out.result?.subscribe).toMatchObject({ end: "disconnect", disconnect_reason_code: 0x8e });
  });

  it("ends at --mqtt-listen-ms when the broker stays silent after CONNACK", async () => {
    const out = await against(acceptThen(() => {}), { mqttSubscribe: true, mqttListenMs: 200 });
    expect(out.status).toBe("success");
    expect(out.result?.subscribe).toEqual({ topics: ["$SYS/#", "#"], messages: [], end: "listen-time" });
    expect(out.ms).toBeLessThan(800);
  });
});
