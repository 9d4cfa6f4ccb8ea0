/**
 * Shadowserver's Accessible-CoAP report columns (response, response_size, amplification) must be
 * derivable from a result. A responder replays each fixture row's answer and the columns are compared.
 */
import { readFileSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { coapModule, shadowserverColumns, type CoapResult } from "../../../../src/scan/modules/coap/index.js";
import type { ModuleOptions, ScanOutcome } from "../../../../src/scan/modules/types.js";
import { describeWithShared, sharedFixture } from "../../../helpers/fixtures.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { linkFormat, reply, startHostileCoap, uint, type HostileCoap, type Script } from "./hostile-server.js";

/** RFC 4180 CSV (quoted fields, doubled quotes), enough for the fixture. */
function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = "";
  };
  const endRow = (): void => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") endField();
    else if (c === "\n") endRow();
    else if (c !== "\r") field += c;
  }
  if (field !== "" || row.length > 0) endRow();
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
}

let server: HostileCoap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function scanWith(script: Script, options: ModuleOptions): Promise<ScanOutcome<CoapResult>> {
  server = await startHostileCoap(script);
  const ctx = testScanContext({ options, readTimeoutMs: 500 });
  try {
    return await coapModule.scan(loopbackTarget(server.port), ctx);
  } finally {
    ctx.close();
  }
}

describeWithShared("coap result → Shadowserver Accessible-CoAP columns", () => {
  const rows = parseCsv(readFileSync(sharedFixture("scan/shadowserver_scan_coap.csv"), "utf8"));

  it("has the fixture rows this test expects", () => {
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.version)).toEqual(["2", "2", "1"]);
  });

  it("reproduces response, response_size and amplification of the link-format rows with ZMap's 21-byte probe", async () => {
    for (const row of rows.filter((r) => r.version === "2")) {
      const out = await scanWith((_req, ids, send) => send(reply(ids, { options: [linkFormat], payload: row.response! })), {
        coapTokenLength: 0,
      });
      expect(out.status).toBe("success");
      expect(out.result!.request_size).toBe(21);
      expect(shadowserverColumns(out.result!)).toEqual({
        response: row.response,
        response_size: Number(row.response_size),
        amplification: Number(row.amplification),
      });
      expect(out.result!.resources!.map((r) => `<${r.path}>`).join(",")).toBe(row.response);
      await server!.close();
      server = undefined;
    }
  });

  it("reproduces the version-1 row's figures with a 4-byte GET / probe (--coap-path / --coap-token-length 0)", async () => {
    // That row's 454-byte answer to a 4-byte probe is Californium's banner at "/" (its `response` column
    // prints the whole datagram, header included). A 4-byte CoAP request is a GET without token or
    // options: exactly what these flags send.
    const row = rows.find((r) => r.version === "1")!;
    const size = Number(row.response_size);
    const out = await scanWith(
      (req, ids, send) => {
        expect(req.length).toBe(4);
        expect(req[1]).toBe(0x01); // GET
        const head = reply(ids, { options: [{ name: "ETag", value: uint(0x79) }] });
        const banner = row.response!.slice(6).replaceAll("|", "\n");
        send(reply(ids, { options: [{ name: "ETag", value: uint(0x79) }], payload: banner.slice(0, size - head.length - 1) }));
      },
      { coapPath: "/", coapTokenLength: "0" },
    );
    expect(out.status).toBe("success");
    expect(out.result!.request_size).toBe(4);
    expect(out.result!.response_size).toBe(size);
    expect(out.result!.amplification).toBe(Number(row.amplification));
    expect(out.result!.payload).toContain("Eclipse Californium");
  });
});
