/**
 * HTTP emulator (80, 8080): the persona's login page (IP camera, router or DVR), credential capture
 * (form fields, JSON, query string, HTTP Basic), known IoT exploit targets answered plausibly and named
 * in the event, and the UPnP device description the ssdp emulator's LOCATION points at (those events
 * have protocol "upnp"). Nothing a request carries is executed or fetched.
 *
 * node:http rather than fastify (which the API server uses): the honeypot must control every byte a
 * scanner fingerprints (Server header, error pages, no framework headers) and take any request target,
 * including the malformed ones, while node:http's own limits give the slowloris protection
 * (headersTimeout/requestTimeout checked every connectionsCheckingInterval, maxHeaderSize).
 */
import http from "node:http";
import type net from "node:net";
import { cap, limits, type HoneypotProtocol } from "../../events.js";
import { TcpSessions, type TcpSession } from "../mqtt/tcp-session.js";
import { descriptionXml, scpdXml, upnpDevice, type UpnpDevice } from "../ssdp/persona.js";
import type { Emulator, EmulatorContext, RunningEmulator } from "../types.js";
import { httpConfigSchema, httpPersona, type HttpConfig, type HttpPersona } from "./config.js";
import { basicCredentials, fieldCredentials, type Credentials } from "./credentials.js";
import { matchExploit } from "./exploits.js";
import { loginPage, notFoundPage, unauthorizedPage } from "./pages.js";

export { httpConfigSchema, httpPersonaSchema, type HttpConfig } from "./config.js";

/** Request headers recorded (besides User-Agent, which has its own field). */
const recordedHeaders = ["host", "accept", "content-type", "content-length", "transfer-encoding", "authorization", "cookie", "referer", "x-forwarded-for", "soapaction", "connection", "upgrade", "callback", "nt", "man", "st"];
const MALFORMED_SAMPLE = 256;

interface Answer {
  status: number;
  contentType?: string;
  body: string;
  headers?: Record<string, string>;
  protocol?: HoneypotProtocol;
  message?: string;
}

async function start(ctx: EmulatorContext, config: HttpConfig): Promise<RunningEmulator> {
  const persona = httpPersona(ctx.persona);
  const device = upnpDevice(ctx.persona);
  const sessions = new TcpSessions(ctx, "http");
  const sessionOf = new WeakMap<net.Socket, TcpSession>();

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const session = sessionOf.get(req.socket);
    if (!session) return req.socket.destroy();
    const sample: Buffer[] = [];
    let kept = 0;
    let size = 0;
    let done = false;
    const finish = (tooLarge: boolean) => {
      if (done) return;
      done = true;
      try {
        respond(session, req, res, Buffer.concat(sample), size, tooLarge);
      } catch (err) {
        // A bug met by attacker input must cost one session, not the sensor: logged loudly, session ended.
        ctx.log.error({ err, session: session.id }, "http emulator: unexpected error, session closed");
        session.destroy("malformed input");
      }
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (kept < limits.payloadBytes) {
        const part = chunk.subarray(0, limits.payloadBytes - kept);
        sample.push(part);
        kept += part.length;
      }
      if (size > config.max_body_bytes) finish(true);
    });
    req.on("end", () => finish(false));
  };

  const respond = (session: TcpSession, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, size: number, tooLarge: boolean) => {
    const rawUrl = req.url ?? "";
    const q = rawUrl.indexOf("?");
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = q < 0 ? "" : rawUrl.slice(q + 1);
    const method = req.method ?? "";
    const basic = basicCredentials(header(req, "authorization"));
    const fields = method === "POST" || method === "PUT" || query ? fieldCredentials(header(req, "content-type"), body, query) : undefined;
    const answer: Answer = tooLarge ? { status: 413, body: "" } : route(persona, device, method, path, query, basic ?? fields);
    const protocol = answer.protocol ?? "http";
    const headers: Record<string, string> = {};
    for (const name of recordedHeaders) {
      const v = header(req, name);
      if (v !== undefined) headers[name] = cap(v, 4096);
    }
    session.emit(
      {
        eventid: "http.request",
        method: cap(method, 32),
        path: cap(path, limits.url),
        query: query ? cap(query, limits.url) : undefined,
        url: cap(rawUrl, limits.url),
        user_agent: req.headers["user-agent"] !== undefined ? cap(req.headers["user-agent"], 1024) : undefined,
        headers: Object.keys(headers).length ? headers : undefined,
        payload_b64: size > 0 ? body.toString("base64") : undefined,
        payload_size: size > 0 ? size : undefined,
        status: answer.status,
        message: answer.message,
        reason: tooLarge ? `body larger than ${config.max_body_bytes} bytes` : undefined,
      },
      protocol,
    );
    for (const c of [basic, fields]) {
      if (!c) continue;
      session.emit(
        {
          eventid: "http.login.attempt",
          username: c.username !== undefined ? cap(c.username, limits.credential) : undefined,
          password: c.password !== undefined ? cap(c.password, limits.credential) : undefined,
          method: cap(method, 32),
          path: cap(path, limits.url),
          message: c.source,
        },
        protocol,
      );
    }
    const bytes = Buffer.from(answer.body);
    res.writeHead(answer.status, {
      Server: persona.server,
      ...(answer.contentType ? { "Content-Type": answer.contentType } : {}),
      "Content-Length": String(bytes.length),
      ...(tooLarge ? { Connection: "close" } : {}),
      ...answer.headers,
    });
    res.end(method === "HEAD" ? undefined : bytes);
    if (tooLarge) res.once("finish", () => session.destroy("request too large"));
  };

  const onClientError = (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: net.Socket) => {
    const session = sessionOf.get(socket);
    const code = err.code ?? "ERR";
    if (session && code !== "ECONNRESET" && code !== "EPIPE") {
      const status = code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
      const raw = err.rawPacket ?? Buffer.alloc(0);
      session.emit({
        eventid: "http.request",
        status,
        reason: cap(`malformed request: ${code}`, 1024),
        payload_b64: raw.length ? raw.subarray(0, MALFORMED_SAMPLE).toString("base64") : undefined,
        payload_size: raw.length || undefined,
      });
      if (socket.writable) socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nServer: ${persona.server}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    }
    if (session) session.destroy(code === "ERR_HTTP_REQUEST_TIMEOUT" ? "request timeout" : "malformed input");
    else socket.destroy();
  };

  /** One server per port (a node Server listens on one address), all with the same handlers and limits. */
  const createServer = () => {
    const server = http.createServer(
      {
        maxHeaderSize: config.max_header_bytes,
        headersTimeout: config.headers_timeout_ms,
        requestTimeout: config.request_timeout_ms,
        // Node checks the two timeouts above on this interval (default 30 s: too coarse for slowloris).
        connectionsCheckingInterval: Math.min(1000, Math.floor(config.headers_timeout_ms / 2)),
        keepAliveTimeout: 5000,
        requireHostHeader: false,
      },
      onRequest,
    );
    server.maxRequestsPerSocket = 100;
    server.on("connection", (socket: net.Socket) => {
      const session = sessions.accept(socket);
      if (session) sessionOf.set(socket, session);
    });
    server.on("clientError", onClientError);
    server.on("error", () => undefined); // accept errors (EMFILE…) must not crash the sensor
    return server;
  };

  const ports: number[] = [];
  const servers: http.Server[] = [];
  try {
    for (const port of config.ports) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, ctx.host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw err;
  }
  return {
    ports,
    async close() {
      const closed = servers.map((s) => new Promise((r) => s.close(r)));
      await sessions.closeAll();
      await Promise.all(closed);
    },
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

/** What the device answers; also names the protocol (upnp for the description endpoints) and the exploit. */
function route(p: HttpPersona, d: UpnpDevice, method: string, path: string, query: string, creds: Credentials | undefined): Answer {
  const xml = "text/xml; charset=\"utf-8\"";
  if (path === d.descriptionPath) return { status: 200, contentType: xml, body: descriptionXml(d), protocol: "upnp" };
  for (const s of d.services) {
    if (path === s.scpd_path) return { status: 200, contentType: xml, body: scpdXml(s.service_type), protocol: "upnp" };
    if (path === s.control_path) return { status: 500, contentType: xml, body: soapFault(606, "Action not authorized"), protocol: "upnp" };
    if (path === s.event_path) return { status: 412, body: "", protocol: "upnp" };
  }
  const exploit = matchExploit(path, query);
  if (exploit) {
    const a = exploit.answer(p);
    return { status: a.status, contentType: a.contentType, body: a.body, message: `exploit:${exploit.name}` };
  }
  const extra = p.pages.find((x) => x.path === path);
  if (extra) return { status: extra.status, contentType: extra.content_type, body: extra.body };
  const html = "text/html";
  if (path === "/" || path === "/index.html" || path === "/index.htm" || path === "/login.html" || path === "/login.asp" || path === p.loginPath) {
    if (p.basicAuth) {
      return { status: 401, contentType: html, body: unauthorizedPage(), headers: { "WWW-Authenticate": `Basic realm="${p.realm.replace(/"/g, "")}"` } };
    }
    const failed = creds !== undefined || (method === "POST" && path === p.loginPath);
    return { status: 200, contentType: html, body: loginPage(p, failed ? "Invalid user name or password." : undefined) };
  }
  return { status: 404, contentType: html, body: notFoundPage() };
}

function soapFault(code: number, description: string): string {
  return `<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${description}</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>\r\n`;
}

export const emulator: Emulator<HttpConfig> = {
  meta: {
    name: "http",
    protocol: "http",
    transport: "tcp",
    defaultPorts: [80, 8080],
    description: "IoT web interface: login pages (camera, router, DVR), credentials, exploit attempts; the UPnP description for ssdp",
  },
  configSchema: httpConfigSchema,
  start,
};
