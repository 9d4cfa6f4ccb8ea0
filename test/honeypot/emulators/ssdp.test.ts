/**
 * The ssdp emulator driven by M-SEARCHes from node:dgram sockets (a real client of the wire protocol:
 * HTTPU datagrams as UPnP control points send them), then the LOCATION it answers fetched with curl
 * from the http emulator. Loopback only, ephemeral ports.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { promisify } from "node:util";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { matchingTargets, parseSsdp } from "../../../src/honeypot/emulators/ssdp/message.js";
import { httpConfigSchema } from "../../../src/honeypot/emulators/http/config.js";
import { emulator as httpEmulator } from "../../../src/honeypot/emulators/http/index.js";
import { ssdpConfigSchema } from "../../../src/honeypot/emulators/ssdp/config.js";
import { emulator } from "../../../src/honeypot/emulators/ssdp/index.js";
import { upnpDevice } from "../../../src/honeypot/emulators/ssdp/persona.js";
import type { RunningEmulator } from "../../../src/honeypot/emulators/types.js";
import type { Persona } from "../../../src/honeypot/persona.js";
import { listPersonas, loadPersona } from "../../../src/honeypot/sensor/personas.js";
import { waitFor } from "../../helpers/wait.js";
import { stable, testContext, testPersona, type TestContext, type TestLimitsOptions } from "./context.js";

const run = promisify(execFile);
const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

const router: Persona = {
  ...testPersona,
  name: "test-router",
  vendor: "Netgear",
  model: "R7000",
  device_type: "router",
  hostname: "RT-home",
  ssdp: { server: "Linux/2.6.36 UPnP/1.0 miniupnpd/1.9", udn: "uuid:6b5f8e5a-1c2d-4e3f-9a8b-001122334455" },
};

async function startSsdp(opts: { persona?: Persona; config?: Record<string, unknown>; limits?: TestLimitsOptions } = {}): Promise<{ ctx: TestContext; port: number }> {
  const ctx = testContext({ persona: opts.persona, limits: opts.limits });
  const r = await emulator.start(ctx, ssdpConfigSchema.parse({ ports: [0], http_port: 8080, ...opts.config }));
  running.push(r);
  return { ctx, port: r.ports[0]! };
}

function msearch(st: string, extra = ""): Buffer {
  return Buffer.from(`M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\nST: ${st}\r\n${extra}\r\n`);
}

const base = { protocol: "ssdp", transport: "udp", src_ip: "127.0.0.1", dst_ip: "127.0.0.1", sensor: "test-sensor" };

describe("ssdp emulator", () => {
  it("answers an M-SEARCH for upnp:rootdevice with the persona's device and records it exactly", async () => {
    const { ctx, port } = await startSsdp({ persona: router });
    const client = await udpClient();
    const req = msearch("upnp:rootdevice", "USER-AGENT: Linux/5.10 UPnP/1.1 ControlPoint/1.0\r\n");
    const [reply] = await client.exchange(req, port, 1);
    const text = reply!.toString();
    expect(text.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
    expect(headersOf(text)).toMatchObject({
      "cache-control": "max-age=1800",
      ext: "",
      location: "http://127.0.0.1:8080/description.xml",
      server: "Linux/2.6.36 UPnP/1.0 miniupnpd/1.9",
      st: "upnp:rootdevice",
      usn: "uuid:6b5f8e5a-1c2d-4e3f-9a8b-001122334455::upnp:rootdevice",
    });
    expect(ctx.events.map(stable)).toEqual([
      { ...base, persona: "test-router", eventid: "ssdp.msearch", dst_port: port, st: "upnp:rootdevice", man: '"ssdp:discover"', mx: "2", user_agent: "Linux/5.10 UPnP/1.1 ControlPoint/1.0", status: 200, response_size: reply!.length },
    ]);
    client.close();
  });

  it("answers ssdp:all with as many targets as fit in 4 × the request, and device/service types by version", async () => {
    const { ctx, port } = await startSsdp({ persona: router });
    const client = await udpClient();
    // A long M-SEARCH (with the padding some control points add) buys room for every answer.
    const big = msearch("ssdp:all", `USER-AGENT: ${"x".repeat(300)}\r\n`);
    client.socket.send(big, port, "127.0.0.1");
    await ctx.waitForEvents("ssdp.msearch");
    const expected = ["upnp:rootdevice", "uuid:6b5f8e5a-1c2d-4e3f-9a8b-001122334455", "urn:schemas-upnp-org:device:InternetGatewayDevice:1", "urn:schemas-upnp-org:service:WANIPConnection:1"];
    await waitFor(() => client.received.length === expected.length, "4 answers");
    expect(client.received.map((r) => headersOf(r.toString()).st)).toEqual(expected);
    expect(client.received.reduce((n, r) => n + r.length, 0)).toBeLessThanOrEqual(4 * big.length);
    // The minimal ssdp:all (94 bytes): only the first answer fits.
    const small = msearch("ssdp:all");
    const before = client.received.length;
    client.socket.send(small, port, "127.0.0.1");
    await ctx.waitForEvents("ssdp.msearch", 2);
    await waitFor(() => client.received.length === before + 1, "1 answer");
    expect(ctx.of("ssdp.msearch")[1]!.response_size).toBe(client.received[before]!.length);
    expect(client.received[before]!.length).toBeLessThanOrEqual(4 * small.length);
    // An older version of our device type is answered in that version; unknown types get nothing.
    const [v] = await client.exchange(msearch("urn:schemas-upnp-org:device:InternetGatewayDevice:1"), port, 1);
    expect(headersOf(v!.toString()).usn).toBe("uuid:6b5f8e5a-1c2d-4e3f-9a8b-001122334455::urn:schemas-upnp-org:device:InternetGatewayDevice:1");
    client.socket.send(msearch("urn:schemas-upnp-org:device:MediaServer:1"), port, "127.0.0.1");
    await ctx.waitForEvents("ssdp.msearch", 4);
    expect(ctx.of("ssdp.msearch")[3]).toMatchObject({ st: "urn:schemas-upnp-org:device:MediaServer:1", response_size: 0 });
    expect(ctx.of("ssdp.msearch")[3]!.status).toBeUndefined();
    client.close();
  });

  it("serves the description its LOCATION names from the http emulator, recorded as upnp", async () => {
    const httpCtx = testContext({ persona: router });
    const http = await httpEmulator.start(httpCtx, httpConfigSchema.parse({ ports: [0] }));
    running.push(http);
    const { port } = await startSsdp({ persona: router, config: { http_port: http.ports[0] } });
    const client = await udpClient();
    const [reply] = await client.exchange(msearch("upnp:rootdevice"), port, 1);
    const location = headersOf(reply!.toString()).location!;
    const { stdout } = await run("curl", ["-s", "-A", "UPnP-scanner/1.0", location]);
    const device = upnpDevice(router);
    expect(stdout).toContain(`<UDN>${device.udn}</UDN>`);
    expect(stdout).toContain("<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>");
    expect(stdout).toContain("<modelName>R7000</modelName>");
    expect(stdout).toContain("<controlURL>/ctl/IPConn</controlURL>");
    await httpCtx.waitForEvents("session.closed");
    expect(httpCtx.of("http.request").map(stable)).toEqual([
      {
        sensor: "test-sensor",
        protocol: "upnp",
        transport: "tcp",
        src_ip: "127.0.0.1",
        dst_ip: "127.0.0.1",
        dst_port: http.ports[0],
        persona: "test-router",
        eventid: "http.request",
        method: "GET",
        path: "/description.xml",
        url: "/description.xml",
        user_agent: "UPnP-scanner/1.0",
        headers: { host: `127.0.0.1:${http.ports[0]}`, accept: "*/*" },
        status: 200,
      },
    ]);
    client.close();
  });

  it("records a UPnP port-mapping request with its SOAP body and refuses it with UPnP error 606", async () => {
    const ctx = testContext({ persona: router });
    const http = await httpEmulator.start(ctx, httpConfigSchema.parse({ ports: [0] }));
    running.push(http);
    const soap =
      '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:AddPortMapping xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">' +
      "<NewExternalPort>4444</NewExternalPort><NewProtocol>TCP</NewProtocol><NewInternalPort>22</NewInternalPort><NewInternalClient>192.168.1.5</NewInternalClient></u:AddPortMapping></s:Body></s:Envelope>";
    const { stdout } = await run("curl", ["-s", "-w", "\n%{http_code}", "-H", 'SOAPAction: "urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping"', "-H", "Content-Type: text/xml", "--data-binary", soap, `http://127.0.0.1:${http.ports[0]}/ctl/IPConn`]);
    expect(stdout.endsWith("\n500")).toBe(true);
    expect(stdout).toContain("<errorCode>606</errorCode>");
    const [e] = await ctx.waitForEvents("http.request");
    expect([e!.protocol, e!.method, e!.path, e!.status, e!.headers!.soapaction, Buffer.from(e!.payload_b64!, "base64").toString()]).toEqual([
      "upnp",
      "POST",
      "/ctl/IPConn",
      500,
      '"urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping"',
      soap,
    ]);
  });

  it("records garbage, NOTIFYs and oversized datagrams as ssdp.malformed without answering", async () => {
    const { ctx, port } = await startSsdp();
    const client = await udpClient();
    const inputs = [randomBytes(64), Buffer.from("hello\r\n\r\n"), Buffer.from("NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\n\r\n"), Buffer.alloc(9000, 0x41)];
    for (const i of inputs) client.socket.send(i, port, "127.0.0.1");
    await ctx.waitForEvents("ssdp.malformed", 4);
    expect(ctx.of("ssdp.malformed").map((e) => [e.reason, e.payload_size])).toEqual([
      ["binary data, not an HTTPU message", 64],
      ["no HTTPU request line", 9],
      ["not an M-SEARCH: NOTIFY *", inputs[2]!.length],
      ["datagram of 9000 bytes is larger than 8192", 9000],
    ]);
    expect(ctx.of("ssdp.malformed")[3]!.payload_b64).toBe(Buffer.alloc(256, 0x41).toString("base64"));
    const [reply] = await client.exchange(msearch("ssdp:all"), port, 1);
    expect(client.received).toEqual([reply]);
    client.close();
  });

  it("bounds the answers to an M-SEARCH flood from one source by the sensor's reply budget", async () => {
    const { ctx, port } = await startSsdp({ limits: { replyBytesPerSource: 2000 } });
    const client = await udpClient();
    for (let burst = 1; burst <= 10; burst++) {
      for (let i = 0; i < 30; i++) client.socket.send(msearch("ssdp:all"), port, "127.0.0.1");
      await ctx.waitForEvents("ssdp.msearch", burst * 30);
    }
    const answered = ctx.of("ssdp.msearch").filter((e) => e.response_size! > 0);
    await waitFor(() => client.received.length === answered.length, "the answers that were sent");
    expect(client.received.reduce((n, r) => n + r.length, 0)).toBeLessThanOrEqual(2000);
    expect(answered.length).toBeLessThan(10);
    expect(ctx.limits.stats().refusedReplies).toBe(300 - answered.length);
    expect(ctx.of("sensor.rate_limited")[0]).toMatchObject({ limit: "udp_reply_budget", protocol: "ssdp", transport: "udp", dst_port: port });
    client.close();
  });
});

function headersOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\r\n").slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

async function udpClient(): Promise<{ socket: dgram.Socket; received: Buffer[]; exchange(b: Buffer, port: number, n: number): Promise<Buffer[]>; close(): void }> {
  const socket = dgram.createSocket("udp4");
  const received: Buffer[] = [];
  socket.on("message", (m) => received.push(m));
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  return {
    socket,
    received,
    async exchange(bytes, port, n) {
      const before = received.length;
      socket.send(bytes, port, "127.0.0.1");
      await waitFor(() => received.length >= before + n, `${n} replies`);
      return received.slice(before);
    },
    close: () => socket.close(),
  };
}

describe("ssdp emulator with every shipped persona", () => {
  for (const name of listPersonas()) {
    it(`${name}: answers upnp:rootdevice with the persona's SERVER and UDN`, async () => {
      const persona = loadPersona(name);
      const device = upnpDevice(persona);
      const { port } = await startSsdp({ persona });
      const client = await udpClient();
      const [reply] = await client.exchange(msearch("upnp:rootdevice"), port, 1);
      expect(headersOf(reply!.toString())).toMatchObject({ server: device.server, usn: `${device.udn}::upnp:rootdevice` });
      client.close();
    });
  }
});

describe("ssdp parser and answers (fuzz)", () => {
  it("parseSsdp never throws on random or mutated M-SEARCHes; answers to any ST name only the persona's targets", () => {
    const device = upnpDevice(router);
    const seed = msearch("ssdp:all", "USER-AGENT: x\r\n");
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
      fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }).map((flips) => {
        const b = Buffer.from(seed);
        for (const [i, v] of flips) b[i % b.length] = v;
        return b;
      }),
    );
    fc.assert(
      fc.property(inputs, fc.string({ maxLength: 80 }), (msg, st) => {
        parseSsdp(msg);
        for (const t of matchingTargets(st, device)) expect(t.usn.startsWith(device.udn)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
