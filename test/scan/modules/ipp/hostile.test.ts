/**
 * Hostile and broken peers: every one ends in a status with a one-line error, within the read timeout,
 * keeping whatever was decoded before the fault — never a throw or a hang.
 */
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { ippHeader, ippItem, ippModule, ippTag } from "../../../../src/scan/modules/ipp/index.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { httpHead, httpIpp, ippResponse, startResponder, type Handler, type Responder } from "./responder.js";

const READ_TIMEOUT = 400;

let responder: Responder | undefined;
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  await responder?.close();
  responder = undefined;
});

async function scanWith(handler: Handler, overrides: { maxReadBytes?: number } = {}) {
  responder = await startResponder(handler);
  const ctx = testScanContext({ readTimeoutMs: READ_TIMEOUT, ...overrides });
  const started = Date.now();
  const out = await ippModule.scan(loopbackTarget(responder.port), ctx);
  ctx.close();
  const elapsed = Date.now() - started;
  // At most one read timeout per try (3 paths + 3 versions − 1), plus slack: no hang.
  expect(elapsed).toBeLessThan(5 * READ_TIMEOUT + 1000);
  if (out.error !== undefined) expect(out.error).not.toMatch(/\n/);
  expect(() => JSON.stringify(out)).not.toThrow();
  return out;
}

const printerItems = [ippItem(ippTag.text, "printer-make-and-model", "Partial Printer"), ippItem(ippTag.name, "printer-name", "partial")];
const good = ippResponse({ printerItems });

describe("ipp against non-HTTP and non-IPP peers", () => {
  it("HTTP garbage (an SSH banner) → protocol-error at once", async () => {
    const out = await scanWith((_r, s) => s.write("SSH-2.0-OpenSSH_9.2\r\n"));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/^not an HTTP response: starts with "SSH-2/);
    expect(out.result!.http_status).toBeUndefined();
  });

  it("binary garbage → protocol-error", async () => {
    const out = await scanWith((_r, s) => s.end(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0xff])));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/0x160301/);
  });

  it("a malformed status line → protocol-error", async () => {
    const out = await scanWith((_r, s) => s.end("HTTP/1.1 OK fine\r\n\r\n"));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/malformed HTTP status line/);
  });

  it("a web page with Content-Type text/html → protocol-error, headers kept", async () => {
    const html = Buffer.from("<html><body>Printer login</body></html>");
    const out = await scanWith((_r, s) => s.end(Buffer.concat([httpHead("200 OK", { "Content-Type": "text/html", Server: "GoAhead-Webs" }, html.length), html])));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe("not an IPP response (HTTP 200, Content-Type text/html)");
    expect(out.result!.server).toBe("GoAhead-Webs");
    expect(out.result!.body_bytes).toBe(html.length);
  });

  it("application/ipp with an empty body → protocol-error", async () => {
    const out = await scanWith((_r, s) => s.end(httpHead("200 OK", { "Content-Type": "application/ipp" }, 0)));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe("IPP: empty IPP body");
  });

  it("a head longer than 32 KiB → protocol-error", async () => {
    const out = await scanWith((_r, s) => s.end(`HTTP/1.1 200 OK\r\nX-Junk: ${"a".repeat(40_000)}\r\n\r\n`));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/head longer than 32768/);
  });

  it("conflicting Content-Length values → protocol-error", async () => {
    const out = await scanWith((_r, s) => s.end("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello"));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/invalid Content-Length/);
  });

  it("endless 100 Continue responses → protocol-error", async () => {
    const out = await scanWith((_r, s) => s.end("HTTP/1.1 100 Continue\r\n\r\n".repeat(10)));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/1xx/);
  });
});

describe("ipp against broken IPP bodies", () => {
  it("truncated IPP (Content-Length honest, message cut mid-attribute) → protocol-error with the attributes before the cut", async () => {
    const cut = good.subarray(0, good.length - 5);
    const out = await scanWith((_r, s) => s.end(httpIpp(cut)));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/^IPP: value of "printer-name" claims 7 bytes but only \d remain$/);
    expect(out.result!.printer_make_and_model).toBe("Partial Printer");
    expect(out.result!.decode_error).toBe(out.error);
  });

  it("an attribute whose value length runs past the end → protocol-error", async () => {
    const body = Buffer.concat([ippHeader({ major: 2, minor: 0 }, 0, 1), Buffer.from([0x01, 0x47, 0x00, 0x01, 0x61, 0xff, 0xff, 0x41, 0x42])]);
    const out = await scanWith((_r, s) => s.end(httpIpp(body)));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe('IPP: value of "a" claims 65535 bytes but only 2 remain');
  });

  it("an absurd name length → protocol-error", async () => {
    const body = Buffer.concat([ippHeader({ major: 2, minor: 0 }, 0, 1), Buffer.from([0x01, 0x47, 0xff, 0xfe, 0x61])]);
    const out = await scanWith((_r, s) => s.end(httpIpp(body)));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe("IPP: name claims 65534 bytes but only 1 remain");
  });

  it("an absurd Content-Length, then the peer closes → connection-closed with the partial body decoded", async () => {
    const out = await scanWith((_r, s) =>
      s.end(Buffer.concat([httpHead("200 OK", { "Content-Type": "application/ipp" }, 999_999_999_999), good.subarray(0, good.length - 5)])),
    );
    expect(out.status).toBe("connection-closed");
    expect(out.result!.body_complete).toBe(false);
    expect(out.result!.printer_make_and_model).toBe("Partial Printer");
    expect(out.result!.decode_error).toMatch(/printer-name/);
  });

  it("a body larger than maxReadBytes → protocol-error, reading stops at the cap", async () => {
    const huge = Buffer.concat([ippResponse({ printerItems }).subarray(0, -1), ...Array.from({ length: 200 }, () => ippItem(ippTag.text, "junk", "x".repeat(1000)))]);
    const out = await scanWith((_r, s) => s.end(httpIpp(huge)), { maxReadBytes: 64 * 1024 });
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/more than 65536 bytes/);
    expect(out.result!.printer_name).toBe("partial");
    expect(out.result!.body_bytes).toBeLessThanOrEqual(200 * 1024);
  });

  it("collections nested 100 deep → protocol-error at the depth cap", async () => {
    const items: Buffer[] = [ippItem(ippTag.begCollection, "media-col", "")];
    for (let i = 0; i < 100; i++) items.push(ippItem(ippTag.memberAttrName, "", "inner"), ippItem(ippTag.begCollection, "", ""));
    const out = await scanWith((_r, s) => s.end(httpIpp(ippResponse({ printerItems: [...printerItems, ...items] }))));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe("IPP: collections nested deeper than 16");
    expect(out.result!.printer_name).toBe("partial");
  });

  it("a gzip bomb → protocol-error, output capped", async () => {
    const bomb = gzipSync(Buffer.alloc(8 << 20));
    const out = await scanWith((_r, s) => s.end(Buffer.concat([httpHead("200 OK", { "Content-Type": "application/ipp", "Content-Encoding": "gzip" }, bomb.length), bomb])));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/^cannot decode Content-Encoding gzip/);
  });
});

describe("ipp against lying chunked encodings", () => {
  const chunkedHead = httpHead("200 OK", { "Content-Type": "application/ipp", "Transfer-Encoding": "chunked" });

  it("a chunk longer than its declared size → protocol-error", async () => {
    const out = await scanWith((_r, s) => s.end(Buffer.concat([chunkedHead, Buffer.from("10\r\n"), good, Buffer.from("\r\n0\r\n\r\n")])));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe("chunk data does not end where its size (16) says");
  });

  it("a chunk size beyond the byte cap → protocol-error at once", async () => {
    const out = await scanWith((_r, s) => s.write(Buffer.concat([chunkedHead, Buffer.from("ffffffff\r\n"), good])));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/chunked body larger than/);
  });

  it("a chunk shorter than declared, then close → connection-closed with what arrived decoded", async () => {
    const part = good.subarray(0, good.length - 5);
    const out = await scanWith((_r, s) => s.end(Buffer.concat([chunkedHead, Buffer.from(`${good.length.toString(16)}\r\n`), part])));
    expect(out.status).toBe("connection-closed");
    expect(out.result!.printer_make_and_model).toBe("Partial Printer");
  });

  it("a non-hex chunk size → protocol-error", async () => {
    const out = await scanWith((_r, s) => s.end(Buffer.concat([chunkedHead, Buffer.from("zz\r\n")])));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/malformed chunk-size line/);
  });
});

describe("ipp against slow, silent and vanishing peers", () => {
  it("silence after the request → io-timeout", async () => {
    const out = await scanWith(() => {});
    expect(out.status).toBe("io-timeout");
    expect(out.result!.tries).toHaveLength(1);
    expect(out.result!.http_status).toBeUndefined();
  });

  it("a response dribbled slower than the read timeout → io-timeout", async () => {
    const bytes = httpIpp(good);
    const out = await scanWith((_r, s) => {
      let i = 0;
      const t = setInterval(() => (i < bytes.length && !s.destroyed ? s.write(bytes.subarray(i, ++i)) : clearInterval(t)), 50);
      timers.push(t);
    });
    expect(out.status).toBe("io-timeout");
  });

  it("a body dribbled after a complete head → io-timeout with the head kept", async () => {
    const head = httpHead("200 OK", { "Content-Type": "application/ipp", Server: "Drip/1" }, good.length);
    const out = await scanWith((_r, s) => {
      s.write(head);
      let i = 0;
      const t = setInterval(() => (i < good.length && !s.destroyed ? s.write(good.subarray(i, ++i)) : clearInterval(t)), 50);
      timers.push(t);
    });
    expect(out.status).toBe("io-timeout");
    expect(out.result!.server).toBe("Drip/1");
    expect(out.result!.body_complete).toBe(false);
  });

  it("close right after the request → connection-closed", async () => {
    const out = await scanWith((_r, s) => s.end());
    expect(out.status).toBe("connection-closed");
  });

  it("reset (RST) after the request → connection-closed", async () => {
    const out = await scanWith((_r, s) => s.resetAndDestroy());
    expect(out.status).toBe("connection-closed");
  });

  it("close in the middle of the head → connection-closed", async () => {
    const out = await scanWith((_r, s) => s.end("HTTP/1.1 200 OK\r\nContent-Ty"));
    expect(out.status).toBe("connection-closed");
    expect(out.error).toMatch(/mid-message/);
  });

  it("close in the middle of the body → connection-closed with the partial attributes", async () => {
    const bytes = httpIpp(good);
    const out = await scanWith((_r, s) => s.end(bytes.subarray(0, bytes.length - 5)));
    expect(out.status).toBe("connection-closed");
    expect(out.result!.printer_make_and_model).toBe("Partial Printer");
    expect(out.result!.body_complete).toBe(false);
  });
});
