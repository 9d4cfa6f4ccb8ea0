/**
 * The coap emulator driven by libcoap's real client (coap-client-notls, libcoap3-bin) and by raw
 * datagrams from node:dgram for the hostile cases. Loopback only, ephemeral ports.
 */
import { execFile } from "node:child_process";
import dgram from "node:dgram";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { generate, parse } from "coap-packet";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { encodeReply, parseRequest } from "../../../src/honeypot/emulators/coap/message.js";
import { coapConfigSchema, linkFormat, coapResources } from "../../../src/honeypot/emulators/coap/config.js";
import { emulator } from "../../../src/honeypot/emulators/coap/index.js";
import type { RunningEmulator } from "../../../src/honeypot/emulators/types.js";
import { listPersonas, loadPersona } from "../../../src/honeypot/sensor/personas.js";
import { waitFor } from "../../helpers/wait.js";
import { stable, testContext, testPersona, type TestContext, type TestLimitsOptions } from "./context.js";

const run = promisify(execFile);
const hasClient = await run("coap-client-notls", ["-h"]).then(
  () => true,
  (err: { stdout?: string; stderr?: string }) => /coap-client/.test(`${err.stdout}${err.stderr}`),
);

let running: RunningEmulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function startCoap(config: Record<string, unknown> = {}, limits?: TestLimitsOptions): Promise<{ ctx: TestContext; port: number }> {
  const ctx = testContext({ limits });
  running = await emulator.start(ctx, coapConfigSchema.parse({ ports: [0], ...config }));
  return { ctx, port: running.ports[0]! };
}

const base = { protocol: "coap", transport: "udp", src_ip: "127.0.0.1", dst_ip: "127.0.0.1", persona: "test-camera", sensor: "test-sensor" };
/** ZMap's CoAP probe: CON GET /.well-known/core, message id 0x7d70, no token (21 bytes). */
const zmapProbe = Buffer.from("40017d70bb2e77656c6c2d6b6e6f776e04636f7265", "hex");

describe.skipIf(!hasClient)("coap emulator with libcoap's coap-client", () => {
  it("serves /.well-known/core in Block2 blocks that coap-client reassembles; every block request is recorded", async () => {
    const { ctx, port } = await startCoap();
    const { stdout } = await run("coap-client-notls", ["-m", "get", "-B", "10", `coap://127.0.0.1:${port}/.well-known/core`]);
    expect(stdout.trim()).toBe(linkFormat(coapResources(testPersona)));
    const events = ctx.of("coap.request");
    expect(events.length).toBeGreaterThan(1); // the payload is ~220 bytes: it cannot go out in one reply
    expect(events.length).toBe(ctx.events.length);
    expect(events.every((e) => e.method === "GET" && e.path === "/.well-known/core" && e.status === 205 && e.session === events[0]!.session)).toBe(true);
    expect(events[0]!.message).toMatch(/^type=CON mid=\d+ token=[0-9a-f]*$/);
    expect(events.slice(1).map((e) => e.message!.replace(/^.* block2=/, ""))).toEqual(events.slice(1).map((_, i) => expect.stringMatching(new RegExp(`^${i + 1}/\\d$`))));
  });

  it("answers GET on a persona resource with its payload, and 4.04 for an unknown path, recording both exactly", async () => {
    const { ctx, port } = await startCoap();
    const light = await run("coap-client-notls", ["-m", "get", "-B", "10", `coap://127.0.0.1:${port}/light?state=1`]);
    expect(light.stdout.trim()).toBe("off");
    const missing = await run("coap-client-notls", ["-m", "get", "-B", "10", `coap://127.0.0.1:${port}/admin`]);
    expect(missing.stdout + missing.stderr).toContain("4.04");
    expect(ctx.events.map((e) => ({ ...stable(e), message: e.message!.replace(/mid=\d+ token=[0-9a-f]*/, "mid token") }))).toEqual([
      { ...base, eventid: "coap.request", dst_port: port, method: "GET", path: "/light", query: "state=1", message: "type=CON mid token", status: 205, response_size: expect.any(Number) },
      { ...base, eventid: "coap.request", dst_port: port, method: "GET", path: "/admin", message: "type=CON mid token", status: 404, response_size: expect.any(Number) },
    ]);
  });
});

describe("coap emulator on raw datagrams", () => {
  it("answers ZMap's 21-byte probe with block 0 of /.well-known/core in at most 3 × 21 bytes", async () => {
    const { ctx, port } = await startCoap();
    const client = await udpClient();
    const [reply] = await client.exchange(zmapProbe, port, 1);
    expect(reply!.length).toBeLessThanOrEqual(63);
    const p = parse(reply!);
    expect([p.code, p.ack, p.messageId]).toEqual(["2.05", true, 0x7d70]);
    const block2 = p.options.find((o) => o.name === "Block2")!.value;
    expect(block2[0]! >> 4).toBe(0); // block 0
    expect(block2[0]! & 0x08).toBe(0x08); // more to come
    expect(linkFormat(coapResources(testPersona)).startsWith(p.payload.toString())).toBe(true);
    expect(ctx.events.map(stable)).toEqual([
      { ...base, eventid: "coap.request", dst_port: port, method: "GET", path: "/.well-known/core", message: "type=CON mid=32112 token=", status: 205, response_size: reply!.length },
    ]);
    client.close();
  });

  it("records random bytes, short and oversized datagrams as coap.malformed or requests, without replies, and keeps serving", async () => {
    const { ctx, port } = await startCoap();
    const client = await udpClient();
    const garbage = [Buffer.from([0x01]), Buffer.from([0xc0, 0x01, 0x00, 0x01]), Buffer.from([0x4f, 0x01, 0, 1, 1, 2]), Buffer.from([0x40, 0x01, 0x00, 0x02, 0xdd])];
    for (const g of garbage) client.socket.send(g, port, "127.0.0.1");
    await ctx.waitForEvents("coap.malformed", 4);
    expect(ctx.of("coap.malformed").map((e) => e.reason!.replace(/:.*/, ""))).toEqual([
      "datagram of 1 bytes is shorter than a CoAP header",
      "version 3 is not CoAP version 1",
      "token length 15 is reserved",
      "unparseable",
    ]);
    // An oversized but well-formed PUT: recorded with a bounded payload sample, answered 4.04 (small).
    const big = generate({ messageId: 9, code: "PUT", confirmable: true, options: [{ name: "Uri-Path", value: Buffer.from("fw") }], payload: randomBytes(60_000) }, 65_000);
    const [reply] = await client.exchange(big, port, 1);
    expect(parse(reply!).code).toBe("4.04");
    const put = ctx.of("coap.request")[0]!;
    expect([put.method, put.path, put.payload_size, Buffer.from(put.payload_b64!, "base64").length]).toEqual(["PUT", "/fw", 60_000, 49_152]);
    for (let i = 0; i < 20; i++) client.socket.send(randomBytes(1 + i * 7), port, "127.0.0.1");
    await waitFor(() => ctx.of("coap.malformed").length + ctx.of("coap.request").length >= 25, "random datagrams recorded");
    const [again] = await client.exchange(zmapProbe, port, 1);
    expect(parse(again!).code).toBe("2.05");
    client.close();
  });

  it("bounds the replies to a flood from one source by the sensor's reply budget, the sensor reports sensor.rate_limited, others still answered", async () => {
    const { ctx, port } = await startCoap({}, { replyBytesPerSource: 1000 });
    const client = await udpClient();
    // In bursts of 50 (a burst of 500 would overflow the loopback receive buffer: UDP drops, and the
    // test wants every datagram to reach the emulator).
    for (let burst = 1; burst <= 10; burst++) {
      for (let i = 0; i < 50; i++) client.socket.send(zmapProbe, port, "127.0.0.1");
      await ctx.waitForEvents("coap.request", burst * 50);
    }
    const sent = ctx.of("coap.request").filter((e) => (e.response_size ?? 0) > 0);
    await waitFor(() => client.received.length === sent.length, "the replies that were sent");
    const bytes = client.received.reduce((n, b) => n + b.length, 0);
    expect(bytes).toBeLessThanOrEqual(1000);
    expect(client.received.length).toBeLessThan(30);
    // One per refused reply, from the sensor's limits (which rate-limit these events over all sources).
    const refused = ctx.of("coap.request").filter((e) => e.response_size === 0);
    expect(refused.length).toBe(500 - sent.length);
    expect(ctx.limits.stats().refusedReplies).toBe(refused.length);
    expect(ctx.of("sensor.rate_limited")[0]).toMatchObject({ limit: "udp_reply_budget", protocol: "coap", transport: "udp", src_ip: "127.0.0.1", dst_port: port });
    // Another source (127.0.0.2 is loopback too) still gets its answer.
    const other = await udpClient("127.0.0.2");
    const [reply] = await other.exchange(zmapProbe, port, 1);
    expect(parse(reply!).code).toBe("2.05");
    client.close();
    other.close();
  });
});

interface UdpClient {
  socket: dgram.Socket;
  received: Buffer[];
  exchange(bytes: Buffer, port: number, replies: number): Promise<Buffer[]>;
  close(): void;
}

async function udpClient(address = "127.0.0.1"): Promise<UdpClient> {
  const socket = dgram.createSocket("udp4");
  const received: Buffer[] = [];
  socket.on("message", (m) => received.push(m));
  await new Promise<void>((r) => socket.bind(0, address, () => r()));
  return {
    socket,
    received,
    async exchange(bytes, port, replies) {
      const before = received.length;
      socket.send(bytes, port, "127.0.0.1");
      await waitFor(() => received.length >= before + replies, `${replies} replies`);
      return received.slice(before);
    },
    close: () => socket.close(),
  };
}

describe.skipIf(!hasClient)("coap emulator with every shipped persona", () => {
  for (const name of listPersonas()) {
    it(`${name}: coap-client reads the persona's /.well-known/core and its first resource`, async () => {
      const persona = loadPersona(name);
      const resources = coapResources(persona);
      const ctx = testContext({ persona });
      running = await emulator.start(ctx, coapConfigSchema.parse({ ports: [0] }));
      const url = `coap://127.0.0.1:${running.ports[0]}`;
      const core = await run("coap-client-notls", ["-m", "get", "-B", "10", `${url}/.well-known/core`]);
      expect(core.stdout.trim()).toBe(linkFormat(resources));
      const first = await run("coap-client-notls", ["-m", "get", "-B", "10", `${url}${resources[0]!.path}`]);
      expect(first.stdout.trim()).toBe(resources[0]!.payload);
    });
  }
});

describe("coap request parser and reply encoder (fuzz)", () => {
  const seeds = [
    zmapProbe,
    generate({ messageId: 7, token: Buffer.from("a1b2c3d4", "hex"), code: "GET", confirmable: true, options: [{ name: "Uri-Path", value: Buffer.from("light") }, { name: "Block2", value: Buffer.from([0x12]) }] }),
    generate({ messageId: 8, code: "POST", confirmable: false, options: [{ name: "Uri-Path", value: Buffer.from("x") }, { name: "Uri-Query", value: Buffer.from("a=b") }], payload: Buffer.from("data") }),
  ];
  const inputs = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat()).map(([seed, flips, cut]) => {
      const b = Buffer.from(seed);
      for (const [i, v] of flips) b[i % b.length] = v;
      return b.subarray(0, Math.max(1, b.length - (cut % 4)));
    }),
  );

  it("never throws, and every reply it encodes fits the budget it was given", () => {
    fc.assert(
      fc.property(inputs, fc.integer({ min: 0, max: 400 }), fc.uint8Array({ maxLength: 300 }), (msg, budget, payload) => {
        const req = parseRequest(msg);
        if ("malformed" in req) return;
        const reply = encodeReply(req, { code: "2.05", payload: Buffer.from(payload), contentFormat: 0 }, 1, budget);
        if (reply) expect(reply.bytes.length).toBeLessThanOrEqual(budget);
      }),
      { numRuns: 2000 },
    );
  });
});
