/**
 * The CoAP module against a real CoAP server: libcoap 4.3.1's coap-server-notls on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coapModule, type CoapResult } from "../../../../src/scan/modules/coap/index.js";
import type { ModuleOptions, ScanOutcome } from "../../../../src/scan/modules/types.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { startLibcoap, type LibcoapServer } from "../../../peers/libcoap.js";
import { LIBCOAP_CORE, LIBCOAP_RESOURCES } from "./samples.js";

async function scan(server: LibcoapServer, options: ModuleOptions = {}, readTimeoutMs = 2000): Promise<ScanOutcome<CoapResult>> {
  const ctx = testScanContext({ options, readTimeoutMs });
  try {
    return await coapModule.scan(loopbackTarget(server.port, server.host === "::1" ? 6 : 4), ctx);
  } finally {
    ctx.close();
  }
}

describe("coap module against libcoap's coap-server", () => {
  let server: LibcoapServer;
  beforeAll(async () => {
    server = await startLibcoap();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("reads /.well-known/core as a piggy-backed 2.05 and parses every resource, /async included", async () => {
    const out = await scan(server);
    expect(out.status).toBe("success");
    expect(out.error).toBeUndefined();
    const r = out.result!;
    expect(r.message_type).toBe("ACK");
    expect(r.code).toBe("2.05");
    expect(r.code_class).toBe("success");
    expect(r.code_detail).toBe("Content");
    expect(r.message_id).toBe(r.request.message_id);
    expect(r.token).toBe(r.request.token);
    expect(r.token).toMatch(/^[0-9a-f]{8}$/);
    expect(r.request.path).toBe("/.well-known/core");
    expect(r.options).toEqual([{ number: 12, name: "Content-Format", format: "uint", value: 40 }]);
    expect(r.content_format).toBe(40);
    expect(r.content_format_name).toBe("application/link-format");
    expect(r.payload).toBe(LIBCOAP_CORE);
    expect(r.payload_encoding).toBe("utf8");
    expect(r.payload_size).toBe(151);
    expect(r.payload_truncated).toBeUndefined();
    expect(r.resources).toEqual(LIBCOAP_RESOURCES);
    expect(r.resources!.map((x) => x.path)).toContain("/async");
    expect(r.link_format_errors).toBeUndefined();
    expect(r.rst).toBeUndefined();
    expect(r.empty_ack).toBeUndefined();
    expect(r.separate_response).toBeUndefined();
    expect(r.blockwise).toBeUndefined();
    // Request: 4 header + 4 token + Uri-Path ".well-known" (1+11) + "core" (1+4) = 25 bytes.
    expect(r.request_size).toBe(25);
    // Reply: 4 header + 4 token + Content-Format (2) + marker (1) + 151 payload = 162 bytes.
    expect(r.response_size).toBe(162);
    expect(r.amplification).toBe(6.48);
    expect(r.rtt_ms).toBeGreaterThanOrEqual(0);
    expect(r.rtt_ms).toBeLessThan(2000);
    expect(r.bytes_sent).toBe(25);
    expect(r.bytes_received).toBe(162);
    expect(r.datagrams_received).toBe(1);
    expect(r.ignored_datagrams).toBe(0);
    expect(r.retransmissions).toBe(0);
    expect(r.malformed_response).toBeUndefined();
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("sends ZMap's 21-byte probe with --coap-token-length 0 and gets libcoap's 158-byte answer", async () => {
    const out = await scan(server, { coapTokenLength: "0" });
    expect(out.status).toBe("success");
    expect(out.result!.request_size).toBe(21);
    expect(out.result!.token).toBe("");
    expect(out.result!.response_size).toBe(158);
    expect(out.result!.amplification).toBe(7.52);
    expect(out.result!.resources).toEqual(LIBCOAP_RESOURCES);
  });

  it("follows a Block2 transfer of 16-byte blocks to the complete listing", async () => {
    const out = await scan(server, { coapBlockSize: "16" });
    expect(out.status).toBe("success");
    const r = out.result!;
    expect(r.request.block_size).toBe(16);
    expect(r.blockwise).toEqual({ blocks: 10, block_size: 16, complete: true, size2: 151 });
    expect(r.payload).toBe(LIBCOAP_CORE);
    expect(r.payload_size).toBe(151);
    expect(r.resources).toEqual(LIBCOAP_RESOURCES);
    // The first response's options: ETag, Content-Format, Block2 0/M/16, Size2.
    expect(r.options!.map((o) => o.name)).toEqual(["ETag", "Content-Format", "Block2", "Size2"]);
    expect(r.options!.find((o) => o.name === "Block2")!.block).toEqual({ num: 0, more: true, size: 16 });
    expect(r.options!.find((o) => o.name === "Size2")!.value).toBe(151);
    // response_size and amplification describe the probe's own answer only (block 0): 33 bytes.
    expect(r.response_size).toBe(33);
    expect(r.amplification).toBe(Math.round((33 / 26) * 100) / 100);
    expect(r.datagrams_received).toBe(10);
    expect(r.bytes_received).toBeGreaterThan(151);
    expect(r.bytes_sent).toBeGreaterThan(26 * 9);
  });

  it("stops a block-wise transfer at --coap-max-blocks and keeps what came", async () => {
    const out = await scan(server, { coapBlockSize: 16, coapMaxBlocks: 3 });
    expect(out.status).toBe("success");
    const r = out.result!;
    expect(r.blockwise).toEqual({ blocks: 3, block_size: 16, complete: false, size2: 151, error: "stopped after 3 blocks" });
    expect(r.payload).toBe(LIBCOAP_CORE.slice(0, 48));
    // The cut listing still yields the links that were complete, and reports the cut one.
    expect(r.resources![0]).toEqual(LIBCOAP_RESOURCES[0]);
    expect(r.resources!.map((x) => x.path)).toEqual(["/", "/time"]);
  });

  it("waits for a separate response after an empty ACK (/async?1) and acknowledges it", async () => {
    const out = await scan(server, { coapPath: "/async?1" }, 3000);
    expect(out.status).toBe("success");
    const r = out.result!;
    expect(r.empty_ack).toBe(true);
    expect(r.separate_response).toBe(true);
    expect(r.message_type).toBe("CON");
    expect(r.code).toBe("2.05");
    expect(r.message_id).not.toBe(r.request.message_id);
    expect(r.token).toBe(r.request.token);
    expect(r.payload).toBe("done");
    expect(r.resources).toBeUndefined();
    // Empty ACK (4) + CON 2.05 with token and "done" (4 + 4 + 1 + 4).
    expect(r.response_size).toBe(17);
    expect(r.datagrams_received).toBe(2);
    // Our request plus the empty ACK for the server's CON.
    expect(r.bytes_sent).toBe(r.request_size + 4);
  });

  it("reports a 4.04 as a successful CoAP exchange with a client-error code", async () => {
    const out = await scan(server, { coapPath: "/no/such/resource" });
    expect(out.status).toBe("success");
    expect(out.result!.code).toBe("4.04");
    expect(out.result!.code_class).toBe("client-error");
    expect(out.result!.code_detail).toBe("Not Found");
    expect(out.result!.payload).toBe("Not Found");
    expect(out.result!.resources).toBeUndefined();
  });

  it("reads other resources with a query (/time?ticks)", async () => {
    const out = await scan(server, { coapPath: "/time?ticks" });
    expect(out.status).toBe("success");
    expect(out.result!.code).toBe("2.05");
    expect(out.result!.payload).toMatch(/^\d+$/);
  });
});

describe("coap module against libcoap with a lost datagram", () => {
  it("retransmits when the server's reply is lost and succeeds with the second answer", async () => {
    // -l 1,3 makes libcoap drop the 1st and 3rd datagram it sends. The readiness check pings until it
    // gets a Reset: #1 is dropped, #2 answers it. Our probe's reply is #3 (dropped); the retransmission's #4.
    const server = await startLibcoap({ args: ["-l", "1,3"] });
    try {
      const out = await scan(server);
      expect(out.status).toBe("success");
      const r = out.result!;
      expect(r.retransmissions).toBe(1);
      expect(r.bytes_sent).toBe(2 * r.request_size);
      expect(r.payload).toBe(LIBCOAP_CORE);
      expect(r.response_size).toBe(162);
      // The answer counted is one probe's answer: the same figure as without the loss.
      expect(r.amplification).toBe(6.48);
      expect(r.rtt_ms).toBeGreaterThan(300);
    } finally {
      await server.stop();
    }
  });
});

describe("coap module over IPv6", () => {
  it("reads /.well-known/core from libcoap bound to ::1", async () => {
    const server = await startLibcoap({ host: "::1" });
    try {
      const out = await scan(server);
      expect(out.status).toBe("success");
      expect(out.result!.code).toBe("2.05");
      expect(out.result!.payload).toBe(LIBCOAP_CORE);
      expect(out.result!.resources).toEqual(LIBCOAP_RESOURCES);
    } finally {
      await server.stop();
    }
  });
});
