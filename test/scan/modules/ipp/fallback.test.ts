/**
 * Version and path fallbacks, HTTP framings and status decisions, against scripted responders that behave
 * like the printers ippeveprinter cannot imitate (1.1-only, HTTP-level refusals, CUPS with encryption
 * required, chunked or compressed answers).
 */
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { ippItem, ippModule, ippSetOf, ippTag, parseIppOptions } from "../../../../src/scan/modules/ipp/index.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { freePort } from "../../../helpers/wait.js";
import { httpHead, httpIpp, ippResponse, startResponder, type Handler, type Responder } from "./responder.js";

const printerItems = [
  ippItem(ippTag.text, "printer-make-and-model", "Old Printer 1100"),
  ippItem(ippTag.name, "printer-name", "old"),
  ippSetOf(ippTag.keyword, "ipp-versions-supported", ["1.0", "1.1"]),
];

let responder: Responder | undefined;
afterEach(async () => {
  await responder?.close();
  responder = undefined;
});

async function scanWith(handler: Handler, options: Record<string, string | boolean> = {}) {
  responder = await startResponder(handler);
  const ctx = testScanContext({ readTimeoutMs: 1500, options });
  const out = await ippModule.scan(loopbackTarget(responder.port), ctx);
  ctx.close();
  return out;
}

/** Answers 0x0503 to every version but 1.1, like printers that only speak IPP/1.1. */
const only11: Handler = (req, socket) => {
  const ipp = req.ipp!;
  const is11 = ipp.version_major === 1 && ipp.version_minor === 1;
  const body = is11
    ? ippResponse({ version: [1, 1], requestId: ipp.request_id, printerItems })
    : ippResponse({ version: [1, 1], status: 0x0503, requestId: ipp.request_id });
  socket.end(httpIpp(body, { Server: "Virata-EmWeb/R6_2_1 IPP/1.1" }));
};

describe("ipp version fallback", () => {
  it("retries with 1.1 on a new connection when a 1.1-only printer answers 2.0 with 0x0503", async () => {
    const out = await scanWith(only11);
    expect(out.status).toBe("success");
    const r = out.result!;
    expect(r.request_version).toBe("1.1");
    expect(r.response_version).toBe("1.1");
    expect(r.tries).toEqual([
      { version: "2.0", path: "/ipp/print", http_status: 200, status_code: 0x0503, status_name: "server-error-version-not-supported", error: "version refused" },
      { version: "1.1", path: "/ipp/print", http_status: 200, status_code: 0, status_name: "successful-ok" },
    ]);
    expect(r.printer_make_and_model).toBe("Old Printer 1100");
    expect(r.ipp_version).toBe("IPP/1.1");
    expect(r.ipp_version_source).toBe("server-header");
    expect(r.cups_version).toBeUndefined();
    // Each try on its own connection, request ids counting up.
    const reqs = responder!.requests;
    expect(reqs.map((q) => q.connection)).toEqual([1, 2]);
    expect(reqs.map((q) => [q.ipp!.version_major, q.ipp!.version_minor, q.ipp!.request_id])).toEqual([
      [2, 0, 1],
      [1, 1, 2],
    ]);
  });

  it("sends Get-Printer-Attributes with the RFC 8011 operation attributes over HTTP/1.1 POST", async () => {
    await scanWith(only11);
    const req = responder!.requests[0]!;
    expect(req.requestLine).toBe("POST /ipp/print HTTP/1.1");
    expect(req.headers["content-type"]).toBe("application/ipp");
    expect(req.headers.host).toBe(`127.0.0.1:${responder!.port}`);
    expect(req.headers["user-agent"]).toMatch(/^iotscope\//);
    expect(req.headers.connection).toBe("close");
    const ipp = req.ipp!;
    expect(ipp.code).toBe(0x000b);
    expect(ipp.groups).toEqual([
      {
        tag: 1,
        name: "operation-attributes",
        attributes: [
          { name: "attributes-charset", syntax: "charset", values: ["utf-8"] },
          { name: "attributes-natural-language", syntax: "naturalLanguage", values: ["en"] },
          { name: "printer-uri", syntax: "uri", values: [`ipp://127.0.0.1:${responder!.port}/ipp/print`] },
          { name: "requested-attributes", syntax: "keyword", values: ["all"] },
        ],
      },
    ]);
  });

  it("retries with an older version when the HTTP layer refuses the request (400, no IPP body)", async () => {
    const out = await scanWith((req, socket) => {
      if (req.ipp!.version_major === 2) socket.end(httpHead("400 Bad Request", { "Content-Type": "text/html" }, 0));
      else only11(req, socket);
    });
    expect(out.status).toBe("success");
    expect(out.result!.tries.map((t) => [t.version, t.http_status])).toEqual([
      ["2.0", 400],
      ["1.1", 200],
    ]);
  });

  it("retries with an older version when a 2.0 request gets IPP client-error-bad-request", async () => {
    const out = await scanWith((req, socket) => {
      if (req.ipp!.version_major === 2) socket.end(httpIpp(ippResponse({ version: [1, 1], status: 0x0400 })));
      else only11(req, socket);
    });
    expect(out.status).toBe("success");
    expect(out.result!.tries.map((t) => [t.version, t.status_name])).toEqual([
      ["2.0", "client-error-bad-request"],
      ["1.1", "successful-ok"],
    ]);
  });

  it("gives up with application-error after every version is refused", async () => {
    const out = await scanWith((req, socket) => socket.end(httpIpp(ippResponse({ status: 0x0503, requestId: req.ipp!.request_id }))));
    expect(out.status).toBe("application-error");
    expect(out.error).toBe("IPP server-error-version-not-supported (0x0503) after trying 2.0, 1.1, 1.0");
    expect(out.result!.tries.map((t) => t.version)).toEqual(["2.0", "1.1", "1.0"]);
    expect(responder!.connections).toBe(3);
  });

  it("keeps the first answer when the reconnect for the next version fails", async () => {
    const out = await scanWith((req, socket) => {
      if (req.connection === 1) socket.end(httpIpp(ippResponse({ status: 0x0503 })));
      else socket.destroy();
    });
    expect(out.status).toBe("connection-closed");
    expect(out.result!.status_name).toBe("server-error-version-not-supported");
    expect(out.result!.server).toBe("TestResponder/1.0");
    expect(out.result!.tries).toHaveLength(2);
    expect(out.result!.tries[1]!.error).toMatch(/^connection-closed/);
  });

  it("starts from the versions given with --ipp-versions", async () => {
    const out = await scanWith(only11, { ippVersions: "1.1" });
    expect(out.status).toBe("success");
    expect(out.result!.tries).toHaveLength(1);
  });
});

describe("ipp resource path fallback", () => {
  it("tries /ipp after an HTTP 404 on /ipp/print", async () => {
    const out = await scanWith((req, socket) => {
      if (req.requestLine.startsWith("POST /ipp/print ")) socket.end(httpHead("404 Not Found", { "Content-Type": "text/html" }, 0));
      else socket.end(httpIpp(ippResponse({ printerItems })));
    });
    expect(out.status).toBe("success");
    expect(out.result!.path).toBe("/ipp");
    expect(out.result!.printer_uri).toBe(`ipp://127.0.0.1:${responder!.port}/ipp`);
    expect(out.result!.tries.map((t) => [t.path, t.http_status, t.error])).toEqual([
      ["/ipp/print", 404, "not found"],
      ["/ipp", 200, undefined],
    ]);
  });

  it("reports the HTTP status as application-error when no path answers with IPP", async () => {
    const out = await scanWith((_req, socket) => socket.end(httpHead("404 Not Found", { Server: "lighttpd/1.4" }, 0)));
    expect(out.status).toBe("application-error");
    expect(out.error).toBe("HTTP 404 Not Found");
    expect(out.result!.tries.map((t) => t.path)).toEqual(["/ipp/print", "/ipp", "/"]);
    expect(out.result!.server).toBe("lighttpd/1.4");
  });
});

describe("ipp answers that are not plain successes", () => {
  it("records CUPS's 426 Upgrade Required (encryption required) as application-error with the headers", async () => {
    const out = await scanWith((_req, socket) =>
      socket.end(httpHead("426 Upgrade Required", { Server: "CUPS/2.2 IPP/2.1", Upgrade: "TLS/1.2,TLS/1.1,TLS/1.0", Connection: "Upgrade" }, 0)),
    );
    expect(out.status).toBe("application-error");
    expect(out.error).toBe("HTTP 426 Upgrade Required");
    expect(out.result!.http_headers!.upgrade).toBe("TLS/1.2,TLS/1.1,TLS/1.0");
    expect(out.result!.cups_version).toBe("CUPS/2.2");
    expect(out.result!.ipp_version).toBe("IPP/2.1");
  });

  it("keeps an IPP error status (client-error-not-authenticated) with the printer's message", async () => {
    const body = ippResponse({ status: 0x0402, operationItems: [ippItem(ippTag.text, "status-message", "Authentication required")] });
    const out = await scanWith((_req, socket) => socket.end(httpIpp(body)));
    expect(out.status).toBe("application-error");
    expect(out.error).toBe("IPP client-error-not-authenticated (0x0402)");
    expect(out.result!.status_message).toBe("Authentication required");
  });

  it("counts successful-ok-ignored-or-substituted-attributes as success", async () => {
    const out = await scanWith((_req, socket) => socket.end(httpIpp(ippResponse({ status: 0x0001, printerItems }))));
    expect(out.status).toBe("success");
    expect(out.result!.status_name).toBe("successful-ok-ignored-or-substituted-attributes");
  });
});

describe("ipp HTTP framings", () => {
  const body = ippResponse({ printerItems });

  it("reads a chunked response", async () => {
    const out = await scanWith((_req, socket) => {
      const head = httpHead("200 OK", { "Content-Type": "application/ipp", "Transfer-Encoding": "chunked" });
      const a = body.subarray(0, 20);
      const b = body.subarray(20);
      socket.end(Buffer.concat([head, Buffer.from(`${a.length.toString(16)}\r\n`), a, Buffer.from(`\r\n${b.length.toString(16)};ext=1\r\n`), b, Buffer.from("\r\n0\r\nX-Trailer: 1\r\n\r\n")]));
    });
    expect(out.status).toBe("success");
    expect(out.result!.printer_make_and_model).toBe("Old Printer 1100");
    expect(out.result!.body_bytes).toBe(body.length);
  });

  it("reads a body delimited by the connection closing (no Content-Length)", async () => {
    const out = await scanWith((_req, socket) => socket.end(Buffer.concat([httpHead("200 OK", { "Content-Type": "application/ipp" }), body])));
    expect(out.status).toBe("success");
    expect(out.result!.printer_name).toBe("old");
  });

  it("decompresses a gzip body sent although identity was asked for", async () => {
    const gz = gzipSync(body);
    const out = await scanWith((_req, socket) =>
      socket.end(Buffer.concat([httpHead("200 OK", { "Content-Type": "application/ipp", "Content-Encoding": "gzip" }, gz.length), gz])),
    );
    expect(out.status).toBe("success");
    expect(out.result!.printer_name).toBe("old");
  });

  it("skips a 100 Continue before the response", async () => {
    const out = await scanWith((_req, socket) => socket.end(Buffer.concat([Buffer.from("HTTP/1.1 100 Continue\r\n\r\n"), httpIpp(body)])));
    expect(out.status).toBe("success");
  });

  it("accepts Virata-EmWeb's 'application/ipp, public' and a valid IPP body under a wrong Content-Type", async () => {
    for (const type of ["application/ipp, public", "text/plain"]) {
      const out = await scanWith((_req, socket) => socket.end(Buffer.concat([httpHead("200 OK", { "Content-Type": type }, body.length), body])));
      expect(out.status, type).toBe("success");
      expect(out.result!.content_type).toBe(type);
      await responder!.close();
      responder = undefined;
    }
  });

  it("tolerates bare LF line ends in the head", async () => {
    const out = await scanWith((_req, socket) => socket.end(Buffer.concat([Buffer.from(`HTTP/1.0 200 OK\nContent-Type: application/ipp\nContent-Length: ${body.length}\n\n`), body])));
    expect(out.status).toBe("success");
  });
});

describe("ipp connection failures and flags", () => {
  it("reports connection-refused with no result for a closed port", async () => {
    const port = await freePort();
    const ctx = testScanContext();
    const out = await ippModule.scan(loopbackTarget(port), ctx);
    ctx.close();
    expect(out.status).toBe("connection-refused");
    expect(out.result).toBeUndefined();
  });

  it("parses flag values as they come from the CLI and refuses unusable ones", () => {
    expect(parseIppOptions({})).toMatchObject({ paths: ["/ipp/print", "/ipp", "/"], tls: false });
    expect(parseIppOptions({ ippVersions: "2.1, 2.0", ipps: "true", ippPaths: "/printers/lp" })).toMatchObject({
      versions: [
        { major: 2, minor: 1 },
        { major: 2, minor: 0 },
      ],
      tls: true,
      paths: ["/printers/lp"],
    });
    expect(parseIppOptions({ ipps: "false" }).tls).toBe(false);
    expect(() => parseIppOptions({ ippVersions: "two" })).toThrow(/ipp-versions/);
    expect(() => parseIppOptions({ ippPaths: "ipp/print" })).toThrow(/ipp-paths/);
    expect(() => parseIppOptions({ ippPaths: "/a b" })).toThrow(/ipp-paths/);
    expect(() => parseIppOptions({ ippUserAgent: "x\r\nInjected: 1" })).toThrow(/user-agent/);
  });
});
