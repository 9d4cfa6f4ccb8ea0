/**
 * A bare Get-Printer-Attributes exchange for tests (not through the scan context): returns the raw IPP
 * body, to compare decoders or to seed the fuzzer with a real printer's bytes.
 */
import net from "node:net";
import { buildHttpPost, createHeadFramer, encodeGetPrinterAttributes, parseHttpHead, headerValue } from "../../../../src/scan/modules/ipp/index.js";

export async function fetchIppBody(port: number, opts: { path?: string; host?: string; version?: { major: number; minor: number } } = {}): Promise<Buffer> {
  const path = opts.path ?? "/ipp/print";
  const version = opts.version ?? { major: 2, minor: 0 };
  const host = `${opts.host ?? "127.0.0.1"}:${port}`;
  const printerUri = `ipp://${host}${path}`;
  const request = buildHttpPost({
    path,
    host,
    userAgent: "iotscope-test",
    contentType: "application/ipp",
    body: encodeGetPrinterAttributes({ version, requestId: 7, printerUri }),
  });
  // ippeveprinter keeps the connection open despite "Connection: close": stop at Content-Length.
  return new Promise<Buffer>((resolve, reject) => {
    let raw = Buffer.alloc(0);
    const s = net.connect({ host: "127.0.0.1", port }, () => s.write(request));
    s.setTimeout(10_000, () => s.destroy(new Error("timeout")));
    s.on("data", (c: Buffer) => {
      raw = Buffer.concat([raw, c]);
      const headLength = createHeadFramer()(raw);
      if (headLength === undefined) return;
      const length = Number(headerValue(parseHttpHead(raw.subarray(0, headLength)), "content-length"));
      if (raw.length >= headLength + length) {
        s.destroy();
        resolve(raw.subarray(headLength, headLength + length));
      }
    });
    s.on("error", reject);
  });
}
