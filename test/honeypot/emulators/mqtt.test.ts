/**
 * The mqtt emulator driven by the real Mosquitto clients (mosquitto-clients): what they see, and the
 * exact events recorded. Loopback only, ephemeral ports.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { promisify } from "node:util";
import fc from "fast-check";
import { generate } from "mqtt-packet";
import { afterEach, describe, expect, it } from "vitest";
import { BrokerSession } from "../../../src/honeypot/emulators/mqtt/broker-session.js";
import { isValidFilter, matches } from "../../../src/honeypot/emulators/mqtt/topics.js";
import type { EmittedEvent } from "../../../src/honeypot/events.js";
import { emulator } from "../../../src/honeypot/emulators/mqtt/index.js";
import { mqttConfigSchema, mqttPersona } from "../../../src/honeypot/emulators/mqtt/config.js";
import { listPersonas, loadPersona } from "../../../src/honeypot/sensor/personas.js";
import type { RunningEmulator } from "../../../src/honeypot/emulators/types.js";
import { stable, testContext, type TestContext, type TestLimitsOptions } from "./context.js";

const run = promisify(execFile);
const hasClients = await run("mosquitto_pub", ["--help"]).then(
  () => true,
  (err: { stdout?: string }) => String(err.stdout ?? "").includes("mosquitto_pub"),
);

let running: RunningEmulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function startMqtt(config: Record<string, unknown> = {}, limits?: TestLimitsOptions): Promise<{ ctx: TestContext; port: number }> {
  const ctx = testContext({ limits });
  running = await emulator.start(ctx, mqttConfigSchema.parse({ ports: [0], ...config }));
  return { ctx, port: running.ports[0]! };
}

const base = { protocol: "mqtt", transport: "tcp", src_ip: "127.0.0.1", dst_ip: "127.0.0.1", persona: "test-camera", sensor: "test-sensor" };

describe.skipIf(!hasClients)("mqtt emulator with mosquitto clients", () => {
  it("records mosquitto_pub's CONNECT credentials and a retained QoS 1 PUBLISH, exactly", async () => {
    const { ctx, port } = await startMqtt();
    await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-i", "bot-7", "-u", "admin", "-P", "hunter2", "-t", "cmnd/sonoff/POWER", "-m", "ON", "-q", "1", "-r", "-k", "30"]);
    await ctx.waitForEvents("session.closed");
    const session = ctx.events[0]!.session;
    expect(ctx.events.every((e) => e.session === session && e.dst_port === port)).toBe(true);
    expect(ctx.events.map(stable)).toEqual([
      { ...base, eventid: "session.connect", dst_port: port },
      { ...base, eventid: "mqtt.connect", dst_port: port, client_id: "bot-7", username: "admin", password: "hunter2", protocol_version: 4, clean: true, keepalive: 30, status: 0 },
      { ...base, eventid: "mqtt.publish", dst_port: port, topic: "cmnd/sonoff/POWER", qos: 1, retain: true, payload_b64: Buffer.from("ON").toString("base64"), payload_size: 2 },
      { ...base, eventid: "session.closed", dst_port: port, message: "closed by peer" },
    ]);
  });

  it("shows the persona's retained device topics to a subscriber of # and records the SUBSCRIBE (MQTT 5)", async () => {
    const { ctx, port } = await startMqtt();
    const { stdout } = await run("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(port), "-V", "mqttv5", "-i", "scanner", "-t", "#", "-v", "-C", "4", "-W", "10"]);
    const lines = stdout.trim().split("\n");
    expect(lines.map((l) => l.split(" ")[0])).toEqual(["tele/cam-lobby/LWT", "tele/cam-lobby/STATE", "homeassistant/switch/cam-lobby/config", "zigbee2mqtt/bridge/state"]);
    expect(lines[0]).toBe("tele/cam-lobby/LWT Online");
    expect(JSON.parse(lines[2]!.slice(lines[2]!.indexOf(" ") + 1))).toMatchObject({ device: { manufacturer: "Hikvision", model: "DS-2CD2042WD-I" } });
    await ctx.waitForEvents("session.closed");
    expect(ctx.events.map(stable)).toEqual([
      { ...base, eventid: "session.connect", dst_port: port },
      { ...base, eventid: "mqtt.connect", dst_port: port, client_id: "scanner", protocol_version: 5, clean: true, keepalive: 60, status: 0 },
      { ...base, eventid: "mqtt.subscribe", dst_port: port, topics: ["#"], qos: 0 },
      { ...base, eventid: "session.closed", dst_port: port, message: "closed by peer" },
    ]);
  });

  it("delivers $SYS only to a $SYS subscription, and a session's own publishes back to itself only", async () => {
    const { ctx, port } = await startMqtt();
    const { stdout } = await run("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(port), "-t", "$SYS/broker/version", "-v", "-C", "1", "-W", "10"]);
    expect(stdout.trim()).toBe("$SYS/broker/version mosquitto version 1.6.9");
    // Publisher A leaves a retained message; subscriber B must not see it (sessions are islands).
    await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-t", "c2/cmd", "-m", "attack 1.2.3.4", "-r"]);
    const second = await run("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(port), "-t", "c2/#", "-v", "-C", "1", "-W", "2"]).then(
      (r) => r.stdout,
      (err: { stdout?: string }) => `timeout:${err.stdout ?? ""}`,
    );
    expect(second).toBe("timeout:");
    await waitClosed(ctx, 3);
  });

  it("keeps the first 48 KiB of a large PUBLISH payload with its full size", async () => {
    const { ctx, port } = await startMqtt({ max_packet_bytes: 200_000 });
    const payload = randomBytes(100_000);
    await runWithStdin("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-t", "fw/upload", "-s"], payload);
    const [e] = await ctx.waitForEvents("mqtt.publish");
    expect(e!.payload_size).toBe(100_000);
    expect(Buffer.from(e!.payload_b64!, "base64").equals(payload.subarray(0, 49_152))).toBe(true);
  });

  it("ends open sessions on close() with session.closed 'sensor shutdown'", async () => {
    const { ctx, port } = await startMqtt();
    const child = execFile("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(port), "-t", "never/#"]);
    await ctx.waitForEvents("mqtt.subscribe");
    await running!.close();
    running = undefined;
    expect(ctx.of("session.closed").map((e) => e.message)).toEqual(["sensor shutdown"]);
    child.kill();
  });

  it("refuses wrong credentials with return code 5 when auth is credentials, and records them", async () => {
    const { ctx, port } = await startMqtt({ auth: "credentials", accept: [{ username: "ha", password: "s3cret" }] });
    const bad = await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-u", "admin", "-P", "admin", "-t", "x", "-m", "y"]).then(
      () => "ok",
      (err: { stderr?: string }) => String(err.stderr),
    );
    expect(bad).toMatch(/not authori[sz]ed/i);
    await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-u", "ha", "-P", "s3cret", "-t", "x", "-m", "y"]);
    await waitClosed(ctx, 2);
    expect(ctx.of("mqtt.connect").map((e) => [e.username, e.password, e.status])).toEqual([
      ["admin", "admin", 5],
      ["ha", "s3cret", 0],
    ]);
    expect(ctx.of("mqtt.publish").map((e) => e.topic)).toEqual(["x"]);
  });
});

describe("mqtt emulator under hostile input", () => {
  it("records random bytes as mqtt.malformed and closes; the broker still serves the next client", async () => {
    const { ctx, port } = await startMqtt();
    const garbage = Buffer.concat([Buffer.from([0x47]), randomBytes(200)]);
    await sendAndWaitClose(port, garbage);
    await waitClosed(ctx, 1);
    expect(ctx.of("mqtt.malformed").map(stable)).toEqual([
      { ...base, eventid: "mqtt.malformed", dst_port: port, reason: "first packet is not CONNECT", payload_b64: garbage.toString("base64"), payload_size: garbage.length },
    ]);
    if (hasClients) {
      await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-t", "still/up", "-m", "1"]);
      expect((await ctx.waitForEvents("mqtt.publish"))[0]!.topic).toBe("still/up");
    }
  });

  it("refuses a packet whose header announces more than the buffer cap, before buffering it", async () => {
    const { ctx, port } = await startMqtt({}, { maxBufferBytes: 4096 });
    // CONNECT header announcing 10 MB (varint 0x80 0xad 0xe2 0x04), then a trickle.
    await sendAndWaitClose(port, Buffer.from([0x10, 0x80, 0xad, 0xe2, 0x04, 0x00, 0x04]));
    await waitClosed(ctx, 1);
    expect(ctx.of("mqtt.malformed")[0]!.reason).toBe("packet of 10000005 bytes exceeds the 4096-byte cap");
    expect(ctx.of("session.closed")[0]!.message).toBe("malformed input");
  });

  it("closes a connection that never sends anything at the idle timeout, and holds no slot afterwards", async () => {
    const { ctx, port } = await startMqtt({}, { idleTimeoutMs: 200 });
    const sock = net.connect(port, "127.0.0.1");
    await new Promise((r) => sock.once("close", r));
    await waitClosed(ctx, 1);
    expect(ctx.of("session.closed")[0]!.message).toBe("idle timeout");
    expect(ctx.limits.stats().sessionsOpen).toBe(0);
  });

  it("refuses connections beyond the per-source limit without a session", async () => {
    const { ctx, port } = await startMqtt({}, { maxPerSource: 2 });
    const socks = await Promise.all([0, 1, 2].map(() => connected(port)));
    await ctx.waitForEvents("session.connect", 2);
    await Promise.race(socks.map((s) => closedOf.get(s)));
    expect(ctx.limits.stats().refusedSessions).toBe(1);
    expect(ctx.of("session.connect")).toHaveLength(2);
    expect(ctx.of("sensor.limit").map((e) => [e.limit, e.protocol, e.transport, e.dst_port])).toEqual([["per_source_sessions", "mqtt", "tcp", port]]);
    socks.forEach((s) => s.destroy());
    await waitClosed(ctx, 2);
  });
});

const closedOf = new WeakMap<net.Socket, Promise<unknown>>();

function connected(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    closedOf.set(s, new Promise((r) => s.once("close", r)));
    s.on("error", () => undefined);
    s.once("error", reject);
  });
}

async function sendAndWaitClose(port: number, bytes: Buffer): Promise<void> {
  const s = await connected(port);
  s.write(bytes);
  await closedOf.get(s);
}

async function waitClosed(ctx: TestContext, n: number): Promise<void> {
  await ctx.waitForEvents("session.closed", n);
}

describe.skipIf(!hasClients)("mqtt emulator with every shipped persona", () => {
  for (const name of listPersonas()) {
    it(`${name}: a subscriber of # receives the persona's retained topics`, async () => {
      const persona = loadPersona(name);
      const expected = mqttPersona(persona).filter((m) => !m.topic.startsWith("$"));
      const ctx = testContext({ persona });
      running = await emulator.start(ctx, mqttConfigSchema.parse({ ports: [0] }));
      const { stdout } = await run("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(running.ports[0]), "-t", "#", "-v", "-C", String(expected.length), "-W", "10"]);
      expect(stdout.trim().split("\n")).toEqual(expected.map((m) => `${m.topic} ${m.payload.toString()}`));
    });
  }
});

describe("mqtt broker session (fuzz) and topic matching", () => {
  it("matches filters as MQTT 3.1.1 §4.7 says", () => {
    expect(matches("#", "a/b")).toBe(true);
    expect(matches("a/#", "a")).toBe(true);
    expect(matches("a/+", "a/b")).toBe(true);
    expect(matches("a/+", "a/b/c")).toBe(false);
    expect(matches("+/+", "/x")).toBe(true);
    expect(matches("#", "$SYS/broker/version")).toBe(false);
    expect(matches("$SYS/#", "$SYS/broker/version")).toBe(true);
    expect(isValidFilter("a/#/b")).toBe(false);
    expect(isValidFilter("a/b+")).toBe(false);
  });

  it("never throws on random or mutated client byte streams cut at any place, and every event is schema-valid", () => {
    const valid = Buffer.concat([
      generate({ cmd: "connect", clientId: "c", protocolVersion: 4, clean: true, keepalive: 60, username: "u", password: Buffer.from("p") }),
      generate({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "#", qos: 1 }] }),
      generate({ cmd: "publish", topic: "a/b", payload: Buffer.from("x"), qos: 2, retain: true, dup: false, messageId: 2 }),
      generate({ cmd: "pubrel", messageId: 2 }),
      generate({ cmd: "unsubscribe", messageId: 3, unsubscriptions: ["#"] }),
      generate({ cmd: "pingreq" }),
    ]);
    const streams = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.concat([Buffer.from([0x10]), Buffer.from(a)])),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }).map((flips) => {
        const b = Buffer.from(valid);
        for (const [i, v] of flips) b[1 + (i % (b.length - 1))] = v;
        return b;
      }),
    );
    fc.assert(
      fc.property(streams, fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
        const ctx = testContext({ limits: { maxBufferBytes: 1024 } });
        let destroyed = false;
        let written = 0;
        const session = { id: "s", srcIp: "192.0.2.1", srcPort: 1, dstPort: 1883, startedAt: 0, destroy: () => (destroyed = true), emit: (f: object) => ctx.emit({ session: "s", protocol: "mqtt", transport: "tcp", src_ip: "192.0.2.1", src_port: 1, dst_port: 1883, ...f } as EmittedEvent) };
        const broker = new BrokerSession(ctx, mqttConfigSchema.parse({}), mqttPersona(ctx.persona), session, (b) => (written += b.length));
        let at = 0;
        for (const c of [...cuts.map((n) => n % (bytes.length + 1)).sort((x, y) => x - y), bytes.length]) {
          if (c > at) broker.onData(bytes.subarray(at, c));
          at = Math.max(at, c);
          if (destroyed) break;
        }
        expect(written).toBeLessThan(10_000);
      }),
      { numRuns: 1000 },
    );
  });
});

function runWithStdin(cmd: string, args: string[], input: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, (err) => (err ? reject(err) : resolve()));
    child.stdin!.end(input);
  });
}
