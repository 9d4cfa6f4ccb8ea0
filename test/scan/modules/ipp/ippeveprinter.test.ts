/**
 * The IPP module against a real printer: CUPS's ippeveprinter, over IPP and IPPS, checked field by field
 * against what it is configured to be and against what CUPS's own ipptool decodes from it.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeIppMessage, ippModule } from "../../../../src/scan/modules/ipp/index.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { startIppEvePrinter, type IppEvePrinterPeer } from "../../../peers/ippeveprinter.js";
import { fetchIppBody } from "./client.js";

const run = promisify(execFile);

describe("ipp module against ippeveprinter (IPP)", () => {
  let printer: IppEvePrinterPeer;
  beforeAll(async () => {
    printer = await startIppEvePrinter({ name: "TestPrinter", make: "Acme", model: "LaserJet 9000", location: "Lab" });
  });
  afterAll(async () => {
    await printer?.stop();
  });

  it("reads the printer's identity, versions and state field by field", async () => {
    const ctx = testScanContext();
    const out = await ippModule.scan(loopbackTarget(printer.port), ctx);
    expect(out.status).toBe("success");
    expect(out.error).toBeUndefined();
    const r = out.result!;
    const base = `127.0.0.1:${printer.port}`;
    expect(r.tls).toBe(false);
    expect(r.printer_uri).toBe(`ipp://${base}/ipp/print`);
    expect(r.path).toBe("/ipp/print");
    expect(r.request_version).toBe("2.0");
    expect(r.tries).toEqual([{ version: "2.0", path: "/ipp/print", http_status: 200, status_code: 0, status_name: "successful-ok" }]);
    expect(r.http_status).toBe(200);
    expect(r.http_reason).toBe("OK");
    expect(r.server).toMatch(/^CUPS\/2\.4/);
    expect(r.http_headers?.server).toBe(r.server);
    expect(r.content_type).toBe("application/ipp");
    expect(r.body_complete).toBe(true);
    expect(r.body_bytes).toBe(Number(r.http_headers?.["content-length"]));
    expect(r.response_version).toBe("2.0");
    expect(r.status_code).toBe(0);
    expect(r.status_name).toBe("successful-ok");
    expect(r.request_id).toBe(1);
    expect(r.decode_error).toBeUndefined();
    expect(r.operation_attributes).toEqual({ "attributes-charset": "utf-8", "attributes-natural-language": "en" });

    expect(r.printer_make_and_model).toBe("Acme LaserJet 9000");
    expect(r.printer_name).toBe("TestPrinter");
    expect(r.printer_info).toBe("TestPrinter");
    expect(r.printer_location).toBe("Lab");
    expect(r.printer_device_id).toBe("MFG:Acme;MDL:LaserJet 9000;CMD:PWG,URF;");
    expect(r.printer_device_id_fields).toEqual({ MFG: "Acme", MDL: "LaserJet 9000", CMD: "PWG,URF" });
    expect(r.printer_uuid).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // ippeveprinter builds its URIs from the Host the client used.
    expect(r.printer_uri_supported).toEqual([`ipp://${base}/ipp/print`, `ipps://${base}/ipp/print`]);
    expect(r.printer_more_info).toBe(`https://${base}/`);
    expect(r.uri_security_supported).toEqual(["none", "tls"]);
    expect(r.ipp_versions_supported).toEqual(["1.1", "2.0"]);
    expect(r.ipp_features_supported).toEqual(["ipp-everywhere"]);
    expect(r.printer_state).toBe("idle");
    expect(r.printer_state_reasons).toEqual(["none"]);
    expect(r.printer_state_message).toBe("Idle.");
    expect(r.printer_is_accepting_jobs).toBe(true);
    expect(r.queued_job_count).toBe(0);
    expect(r.color_supported).toBe(false);
    expect(r.pages_per_minute).toBe(10);
    expect(r.document_format_supported).toEqual(["application/octet-stream", "image/pwg-raster", "image/urf"]);
    expect(r.document_format_default).toBe("application/octet-stream");
    expect(r.operations_supported).toContain("Get-Printer-Attributes");
    expect(r.operations_supported).toContain("Print-Job");
    expect(r.printer_current_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d[+-]\d\d:\d\d$/);
    expect(r.printer_organization).toEqual([""]);
    // Not sent by ippeveprinter: absent, not empty.
    expect(r.printer_firmware_name).toBeUndefined();
    expect(r.printer_wifi_ssid).toBeUndefined();

    // Versions: no IPP/x.y in "Server: CUPS/2.4.2", so the highest ipp-versions-supported.
    expect(r.ipp_version).toBe("IPP/2.0");
    expect(r.ipp_version_source).toBe("ipp-versions-supported");
    expect(r.cups_version).toBe(r.server);

    // Typed values in the full attribute map.
    const a = r.attributes!;
    expect(a["copies-supported"]).toEqual({ lower: 1, upper: 1 });
    expect(a["printer-resolution-default"]).toEqual({ x: 600, y: 600, units: "dpi" });
    expect(a["printer-geo-location"]).toEqual({ out_of_band: "unknown" });
    expect(a["printer-state"]).toBe(3);
    expect(a["media-col-default"]).toMatchObject({ "media-size": { "x-dimension": 21590, "y-dimension": 27940 }, "media-source": "main" });
    expect(a["media-col-database"]).toBeUndefined(); // "all" leaves it out
    expect(ctx.sent).toHaveLength(1);
    ctx.close();
  });

  it("uses the target's name in Host and printer-uri, so the printer reports ipp://localhost:PORT/ipp/print", async () => {
    const ctx = testScanContext();
    const out = await ippModule.scan({ ...loopbackTarget(printer.port), domain: "localhost" }, ctx);
    expect(out.status).toBe("success");
    expect(out.result!.printer_uri).toBe(printer.uri);
    expect(out.result!.printer_uri_supported![0]).toBe(printer.uri);
    ctx.close();
  });

  it("reaches the printer over IPv6 with a bracketed authority", async () => {
    const ctx = testScanContext();
    const out = await ippModule.scan(loopbackTarget(printer.port, 6), ctx);
    expect(out.status).toBe("success");
    expect(out.result!.printer_uri).toBe(`ipp://[::1]:${printer.port}/ipp/print`);
    // ippeveprinter echoes the Host header percent-encoded: ipp://%5B%3A%3A1%5D:PORT/ipp/print.
    expect(decodeURIComponent(out.result!.printer_uri_supported![0]!)).toBe(`ipp://[::1]:${printer.port}/ipp/print`);
    ctx.close();
  });

  it("decodes every attribute as CUPS's ipptool does (names, syntaxes and plain values)", async () => {
    // ipptool says "Host: localhost"; ippeveprinter builds its URIs from the Host header.
    const message = decodeIppMessage(await fetchIppBody(printer.port, { host: "localhost" }));
    const group = message.groups.find((g) => g.name === "printer-attributes")!;
    const ours = new Map(group.attributes.map((a) => [a.name, a]));
    const theirs = await ipptoolAttributes(printer);
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    const volatile = /time|date|job-count|state-message/;
    const plain = ["keyword", "textWithoutLanguage", "nameWithoutLanguage", "uri", "mimeMediaType", "charset", "naturalLanguage", "uriScheme", "integer", "boolean", "octetString"];
    for (const [name, { syntax, value }] of theirs) {
      const a = ours.get(name)!;
      expect(a.values.length > 1 ? `1setOf ${a.syntax}` : a.syntax, name).toBe(syntax);
      if (!volatile.test(name) && plain.includes(a.syntax)) expect(a.values.map(String).join(","), name).toBe(value);
    }
    // The module's attribute map holds the same names.
    const ctx = testScanContext();
    const out = await ippModule.scan(loopbackTarget(printer.port), ctx);
    ctx.close();
    expect(Object.keys(out.result!.attributes!).sort()).toEqual([...theirs.keys()].sort());
  });

  it("falls back to the next version when asked for one it does not speak (real 0x0503)", async () => {
    const ctx = testScanContext({ options: { ippVersions: "3.0,2.0" } });
    const out = await ippModule.scan(loopbackTarget(printer.port), ctx);
    expect(out.status).toBe("success");
    expect(out.result!.tries).toEqual([
      { version: "3.0", path: "/ipp/print", http_status: 200, status_code: 0x0503, status_name: "server-error-version-not-supported", error: "version refused" },
      { version: "2.0", path: "/ipp/print", http_status: 200, status_code: 0, status_name: "successful-ok" },
    ]);
    expect(out.result!.request_version).toBe("2.0");
    expect(out.result!.request_id).toBe(2);
    expect(ctx.sent).toHaveLength(2); // one connection per try
    ctx.close();
  });

  it("falls back to the next resource path when the printer says client-error-not-found", async () => {
    const ctx = testScanContext({ options: { ippPaths: "/ipp,/ipp/print" } });
    const out = await ippModule.scan(loopbackTarget(printer.port), ctx);
    expect(out.status).toBe("success");
    expect(out.result!.tries.map((t) => [t.path, t.status_name])).toEqual([
      ["/ipp", "client-error-not-found"],
      ["/ipp/print", "successful-ok"],
    ]);
    expect(out.result!.path).toBe("/ipp/print");
    ctx.close();
  });

  it("reports application-error with the IPP status when no path is a printer", async () => {
    const ctx = testScanContext({ options: { ippPaths: "/nope,/ipp" } });
    const out = await ippModule.scan(loopbackTarget(printer.port), ctx);
    expect(out.status).toBe("application-error");
    expect(out.error).toBe("IPP client-error-not-found (0x0406)");
    expect(out.result!.status_message).toMatch(/printer-uri/);
    expect(out.result!.server).toMatch(/^CUPS\//);
    expect(out.result!.tries).toHaveLength(2);
    ctx.close();
  });
});

describe("ipp module against ippeveprinter (IPPS)", () => {
  let printer: IppEvePrinterPeer;
  beforeAll(async () => {
    printer = await startIppEvePrinter({ tls: true });
  });
  afterAll(async () => {
    await printer?.stop();
  });

  it("speaks IPP over TLS with --ipps and records the TLS version and cipher", async () => {
    const ctx = testScanContext({ options: { ipps: true } });
    const out = await ippModule.scan({ ...loopbackTarget(printer.port), domain: "localhost" }, ctx);
    expect(out.status).toBe("success");
    const r = out.result!;
    expect(r.tls).toBe(true);
    expect(r.tls_version).toMatch(/^TLSv1\.[23]$/);
    expect(r.tls_cipher).toBeTruthy();
    expect(r.printer_uri).toBe(`ipps://localhost:${printer.port}/ipp/print`);
    expect(r.printer_make_and_model).toBe("Acme LaserJet 9000");
    expect(r.printer_uri_supported).toContain(`ipps://localhost:${printer.port}/ipp/print`);
    ctx.close();
  });

  it("reads the certificate the test made (the same one the printer serves)", async () => {
    const tls = await import("node:tls");
    const fingerprint = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: "127.0.0.1", port: printer.port, servername: "localhost", rejectUnauthorized: false }, () => {
        resolve(s.getPeerCertificate().fingerprint256);
        s.destroy();
      });
      s.once("error", reject);
    });
    expect(fingerprint).toBe(printer.certificate!.sha256);
  });
});

/** Runs ipptool with requested-attributes "all" and returns name → {syntax, value} as it prints them. */
async function ipptoolAttributes(printer: IppEvePrinterPeer): Promise<Map<string, { syntax: string; value: string }>> {
  const testFile = path.join(printer.dir, "all.test");
  await writeFile(
    testFile,
    `{
  NAME "Get-Printer-Attributes all"
  OPERATION Get-Printer-Attributes
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR keyword requested-attributes all
  STATUS successful-ok
}
`,
  );
  const { stdout } = await run("ipptool", ["-tv", `ipp://127.0.0.1:${printer.port}/ipp/print`, testFile], { timeout: 20_000 });
  const lines = stdout.split("\n");
  const start = lines.findIndex((l) => /status-code = /.test(l));
  const out = new Map<string, { syntax: string; value: string }>();
  for (const line of lines.slice(start + 1)) {
    const m = /^ {8}(\S+) \(([^)]+)\) = ?(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === "attributes-charset" || m[1] === "attributes-natural-language") continue; // operation group
    out.set(m[1]!, { syntax: m[2]!, value: m[3]! });
  }
  return out;
}
