/**
 * The CoAP module against a scripted loopback responder that misbehaves: malformed datagrams, wrong ids,
 * resets, broken block-wise transfers, floods and silence. Every case ends in a status, never a throw or
 * a hang, and keeps what was learnt.
 */
import { afterEach, describe, expect, it } from "vitest";
import { coapModule, type CoapResult } from "../../../../src/scan/modules/coap/index.js";
import type { ModuleOptions, ScanOutcome } from "../../../../src/scan/modules/types.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { block2, linkFormat, reply, startHostileCoap, uint, type HostileCoap, type Script } from "./hostile-server.js";

let server: HostileCoap | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function scanWith(
  script: Script,
  opts: { options?: ModuleOptions; readTimeoutMs?: number; maxReadBytes?: number; host?: string } = {},
): Promise<{ out: ScanOutcome<CoapResult>; ms: number }> {
  server = await startHostileCoap(script, opts.host);
  const ctx = testScanContext({
    options: opts.options ?? {},
    readTimeoutMs: opts.readTimeoutMs ?? 400,
    ...(opts.maxReadBytes !== undefined ? { maxReadBytes: opts.maxReadBytes } : {}),
  });
  const start = Date.now();
  try {
    const out = await coapModule.scan(loopbackTarget(server.port, opts.host === "::1" ? 6 : 4), ctx);
    return { out, ms: Date.now() - start };
  } finally {
    ctx.close();
  }
}

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ""), "hex");

describe("coap module with malformed replies", () => {
  it("turns garbage bytes into protocol-error and keeps them (hex) in the result", async () => {
    const { out } = await scanWith((_req, _ids, send) => send(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n")));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/^CoAP: /);
    expect(out.result!.malformed_response).toBe(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n").toString("hex"));
    expect(out.result!.response_size).toBe(28);
    expect(out.result!.code).toBeUndefined();
  });

  it("rejects a truncated header (2 bytes)", async () => {
    const { out } = await scanWith((_req, _ids, send) => send(hex("6045")));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe("CoAP: datagram of 2 bytes is shorter than the 4-byte header");
    expect(out.result!.malformed_response).toBe("6045");
  });

  it("rejects a wrong version", async () => {
    const { out } = await scanWith((_req, ids, send) => {
      const d = reply(ids, { payload: "x" });
      d[0] = (d[0]! & 0x3f) | (2 << 6);
      send(d);
    });
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe("CoAP: version 2 (expected 1)");
  });

  it("rejects an option whose length runs past the end of the datagram", async () => {
    const { out } = await scanWith((_req, ids, send) => {
      const head = reply(ids, { payload: "" });
      // Content-Format option declaring 5 bytes with only 2 present.
      send(Buffer.concat([head, hex("c5 0028")]));
    });
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe("CoAP: option 12 declares 5 bytes but only 2 remain");
  });

  it("rejects an extended option delta that runs past the end", async () => {
    const { out } = await scanWith((_req, ids, send) => send(Buffer.concat([reply(ids), hex("e0 01")])));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe("CoAP: extended option delta runs past the end of the datagram");
  });

  it("rejects a token length above 8", async () => {
    const { out } = await scanWith((_req, ids, send) => {
      const d = Buffer.concat([hex("69 45"), Buffer.from([ids.messageId >> 8, ids.messageId & 0xff]), Buffer.alloc(9, 1)]);
      send(d);
    });
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe("CoAP: token length 9 is reserved (must be 0-8)");
  });

  it("rejects a payload marker with no payload", async () => {
    const { out } = await scanWith((_req, ids, send) => send(Buffer.concat([reply(ids), hex("ff")])));
    expect(out.status).toBe("protocol-error");
    expect(out.error).toBe("CoAP: payload marker followed by an empty payload");
  });
});

describe("coap module with resets and mismatched replies", () => {
  it("records an RST as a CoAP endpoint that refused: success with rst=true", async () => {
    const { out } = await scanWith((_req, ids, send) => send(reply(ids, { type: "RST", code: "0.00", token: Buffer.alloc(0) })));
    expect(out.status).toBe("success");
    const r = out.result!;
    expect(r.rst).toBe(true);
    expect(r.message_type).toBe("RST");
    expect(r.code).toBe("0.00");
    expect(r.code_class).toBe("empty");
    expect(r.message_id).toBe(r.request.message_id);
    expect(r.response_size).toBe(4);
    expect(r.amplification).toBe(Math.round((4 / r.request_size) * 100) / 100);
    expect(r.resources).toBeUndefined();
    expect(r.payload).toBeUndefined();
  });

  it("ignores replies with a wrong message id or token, then times out", async () => {
    const { out, ms } = await scanWith((_req, ids, send) => {
      send(reply(ids, { messageId: (ids.messageId + 1) & 0xffff, payload: "</wrong-mid>" }));
      send(reply(ids, { token: Buffer.from("deadbeef", "hex"), payload: "</wrong-token>" }));
      send(reply(ids, { type: "NON", messageId: 7, token: Buffer.from("00", "hex"), payload: "</wrong-non>" }));
      send(reply(ids, { type: "RST", code: "0.00", messageId: (ids.messageId + 2) & 0xffff, token: Buffer.alloc(0) }));
    });
    expect(out.status).toBe("io-timeout");
    expect(out.error).toBe("no reply within 400 ms");
    const r = out.result!;
    expect(r.code).toBeUndefined();
    expect(r.payload).toBeUndefined();
    expect(r.retransmissions).toBe(1);
    expect(r.ignored_datagrams).toBe(8); // four per transmission
    expect(r.datagrams_received).toBe(8);
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(ms).toBeLessThan(1500);
  });

  it("times out on silence after one retransmission of the identical probe", async () => {
    const { out, ms } = await scanWith(() => {});
    expect(out.status).toBe("io-timeout");
    expect(out.result!.retransmissions).toBe(1);
    expect(out.result!.response_size).toBe(0);
    expect(out.result!.amplification).toBeUndefined();
    expect(server!.received).toHaveLength(2);
    expect(server!.received[0]!.equals(server!.received[1]!)).toBe(true);
    expect(ms).toBeLessThan(1500);
  });

  it("retransmits as often as --coap-retries says, with growing gaps, within the read timeout", async () => {
    const times: number[] = [];
    const { out, ms } = await scanWith(() => times.push(Date.now()), { options: { coapRetries: "2" }, readTimeoutMs: 700 });
    expect(out.status).toBe("io-timeout");
    expect(out.result!.retransmissions).toBe(2);
    expect(times).toHaveLength(3);
    const gap1 = times[1]! - times[0]!;
    const gap2 = times[2]! - times[1]!;
    // 700 ms / (1 + 2 + 4) = 100 ms, then doubled: gaps of about 100 and 200 ms.
    expect(gap1).toBeGreaterThanOrEqual(90);
    expect(gap2).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(1200);
  });

  it("answers a confirmable separate response with an empty ACK carrying its message id", async () => {
    const { out } = await scanWith((_req, ids, send, n) => {
      if (n !== 1) return;
      send(reply(ids, { code: "0.00", token: Buffer.alloc(0) })); // empty ACK
      setTimeout(() => send(reply(ids, { type: "CON", messageId: 0x1234, options: [linkFormat], payload: "</late>" })), 50);
    });
    expect(out.status).toBe("success");
    expect(out.result!.empty_ack).toBe(true);
    expect(out.result!.separate_response).toBe(true);
    expect(out.result!.message_id).toBe(0x1234);
    expect(out.result!.resources).toEqual([{ path: "/late" }]);
    await new Promise((r) => setTimeout(r, 20));
    expect(server!.received).toHaveLength(2);
    expect(server!.received[1]!.toString("hex")).toBe("60001234");
  });

  it("accepts a non-confirmable separate response without acknowledging it", async () => {
    const { out } = await scanWith((_req, ids, send, n) => {
      if (n === 1) send(reply(ids, { type: "NON", messageId: 99, payload: "</non>" }));
    });
    expect(out.status).toBe("success");
    expect(out.result!.message_type).toBe("NON");
    expect(out.result!.separate_response).toBe(true);
    expect(out.result!.empty_ack).toBeUndefined();
    expect(out.result!.resources).toEqual([{ path: "/non" }]); // untyped payload starting with "<"
    expect(server!.received).toHaveLength(1);
  });

  it("stops retransmitting after an empty ACK and times out waiting for the separate response", async () => {
    const { out } = await scanWith((_req, ids, send) => send(reply(ids, { code: "0.00", token: Buffer.alloc(0) })));
    expect(out.status).toBe("io-timeout");
    expect(out.error).toBe("empty ACK, then no separate response within 400 ms");
    expect(out.result!.empty_ack).toBe(true);
    expect(out.result!.retransmissions).toBe(0);
    expect(out.result!.response_size).toBe(4);
    expect(out.result!.rtt_ms).toBeGreaterThanOrEqual(0);
  });

  it("reports a reply that arrives after the read timeout as io-timeout (a slow peer)", async () => {
    const { out } = await scanWith((_req, ids, send, n) => {
      if (n === 1) setTimeout(() => send(reply(ids, { payload: "</slow>" })), 600);
    });
    expect(out.status).toBe("io-timeout");
  });
});

describe("coap module with broken block-wise transfers", () => {
  const body = "</a>;rt=x,</b>;rt=y,</c>;rt=z,</d>"; // 34 bytes: blocks of 16, 16, 2

  function blockServer(onBlock: (num: number) => "answer" | "drop" | "rst" | "offset" | "404" | "noblock"): Script {
    return (_req, ids, send) => {
      const num = ids.block2 ?? 0;
      const action = num === 0 ? "answer" : onBlock(num);
      const chunk = body.slice(num * 16, num * 16 + 16);
      const more = (num + 1) * 16 < body.length;
      if (action === "drop") return;
      if (action === "rst") return send(reply(ids, { type: "RST", code: "0.00", token: Buffer.alloc(0) }));
      if (action === "404") return send(reply(ids, { code: "4.04" }));
      if (action === "noblock") return send(reply(ids, { options: [linkFormat], payload: chunk }));
      const at = action === "offset" ? num + 1 : num;
      send(reply(ids, { options: [{ name: "ETag", value: hex("aa") }, linkFormat, block2(at, more, 0), { name: "Size2", value: uint(34) }], payload: chunk }));
    };
  }

  it("reassembles a complete transfer", async () => {
    const { out } = await scanWith(blockServer(() => "answer"));
    expect(out.status).toBe("success");
    expect(out.result!.blockwise).toEqual({ blocks: 3, block_size: 16, complete: true, size2: 34 });
    expect(out.result!.payload).toBe(body);
    expect(out.result!.resources!.map((r) => r.path)).toEqual(["/a", "/b", "/c", "/d"]);
  });

  it("keeps the first response when a later block never comes", async () => {
    const { out, ms } = await scanWith(blockServer((n) => (n === 1 ? "drop" : "answer")));
    expect(out.status).toBe("success");
    const r = out.result!;
    expect(r.blockwise).toEqual({ blocks: 1, block_size: 16, complete: false, size2: 34, error: "block 1: no reply within 400 ms" });
    expect(r.payload).toBe(body.slice(0, 16));
    // "</a>;rt=x,</b>;r": the cut shows in the last link; blockwise.complete=false says not to trust it.
    expect(r.resources).toEqual([{ path: "/a", rt: ["x"] }, { path: "/b", attributes: { r: true } }]);
    // Block 0 only: header 4 + token 4 + ETag 2 + Content-Format 2 + Block2 2 + Size2 2 + marker 1 + 16.
    expect(r.response_size).toBe(33);
    expect(ms).toBeLessThan(1500);
  });

  it("ends the transfer on a Reset, a 4.04, a missing Block2 option or a wrong offset", async () => {
    const cases = [
      ["rst", "block 1: Reset"],
      ["404", "block 1: 4.04"],
      ["noblock", "block 1: response without a Block2 option"],
      ["offset", "block 1: server sent offset 32, expected 16"],
    ] as const;
    for (const [action, error] of cases) {
      const { out } = await scanWith(blockServer(() => action));
      expect(out.status).toBe("success");
      expect(out.result!.blockwise).toMatchObject({ blocks: 1, complete: false, error });
      expect(out.result!.payload).toBe(body.slice(0, 16));
      await server!.close();
      server = undefined;
    }
  });

  it("refuses a non-final block shorter than the block size", async () => {
    const { out } = await scanWith((_req, ids, send) => send(reply(ids, { options: [block2(0, true, 1)], payload: "short" })));
    expect(out.status).toBe("success");
    expect(out.result!.blockwise).toEqual({ blocks: 1, block_size: 32, complete: false, error: "block 0 carries 5 bytes, not 32 (M=1)" });
    expect(out.result!.payload).toBe("short");
  });

  it("bounds an endless transfer by the time budget when every block is slow", async () => {
    // Each block answers after 150 ms, under the 200 ms read timeout; the transfer may take 4 × 200 ms.
    const endless: Script = (_req, ids, send) => {
      const num = ids.block2 ?? 0;
      setTimeout(() => send(reply(ids, { options: [block2(num, true, 0)], payload: "x".repeat(16) })), num === 0 ? 0 : 150);
    };
    const { out, ms } = await scanWith(endless, { readTimeoutMs: 200 });
    expect(out.status).toBe("success");
    expect(out.result!.blockwise!.complete).toBe(false);
    expect(out.result!.blockwise!.error).toMatch(/time budget|no reply/);
    expect(out.result!.blockwise!.blocks).toBeLessThanOrEqual(7);
    expect(ms).toBeLessThan(1500);
  });

  it("bounds an endless fast transfer by --coap-max-blocks", async () => {
    const endless: Script = (_req, ids, send) => send(reply(ids, { options: [block2(ids.block2 ?? 0, true, 0)], payload: "y".repeat(16) }));
    const { out } = await scanWith(endless);
    expect(out.result!.blockwise).toEqual({ blocks: 64, block_size: 16, complete: false, error: "stopped after 64 blocks" });
    expect(out.result!.payload_size).toBe(64 * 16);
  });
});

describe("coap module under a datagram flood", () => {
  it("stays bounded when flooded with non-matching datagrams (byte cap → protocol-error)", async () => {
    const { out, ms } = await scanWith(
      (_req, ids, send, n) => {
        if (n > 1) return;
        const junk = reply(ids, { messageId: (ids.messageId + 1) & 0xffff, payload: "z".repeat(500) });
        for (let i = 0; i < 3000; i++) send(junk);
      },
      { maxReadBytes: 64 * 1024, readTimeoutMs: 1000 },
    );
    // Loopback may drop some of the flood; usually the 64 KiB cap trips first.
    expect(["protocol-error", "io-timeout"]).toContain(out.status);
    if (out.status === "protocol-error") expect(out.error).toBe("peer sent more than 65536 bytes");
    expect(out.result!.bytes_received).toBeLessThanOrEqual(64 * 1024 + 600);
    expect(ms).toBeLessThan(2500);
  });

  it("stays bounded by the read timeout when a flood stays under the byte cap", async () => {
    const { out, ms } = await scanWith((_req, ids, send) => {
      for (let i = 0; i < 500; i++) send(reply(ids, { messageId: (ids.messageId + 1) & 0xffff, payload: "n" }));
    });
    expect(out.status).toBe("io-timeout");
    expect(out.result!.ignored_datagrams).toBeGreaterThan(0);
    expect(out.result!.ignored_datagrams).toBe(out.result!.datagrams_received);
    expect(ms).toBeLessThan(1500);
  });

  it("finds its answer in a flood of noise", async () => {
    const { out } = await scanWith((_req, ids, send, n) => {
      if (n > 1) return;
      for (let i = 0; i < 20; i++) send(reply(ids, { messageId: (ids.messageId + 1 + i) & 0xffff, payload: "noise" }));
      send(reply(ids, { options: [linkFormat], payload: "</found>" }));
    });
    expect(out.status).toBe("success");
    expect(out.result!.resources).toEqual([{ path: "/found" }]);
    expect(out.result!.ignored_datagrams).toBe(20);
  });
});

describe("coap module plumbing", () => {
  it("refuses unusable flag values with unknown-error and sends nothing", async () => {
    for (const options of [{ coapPath: "no-slash" }, { coapRetries: "9" }, { coapBlockSize: "100" }, { coapTokenLength: "9" }, { coapMaxBlocks: "0" }]) {
      const ctx = testScanContext({ options });
      const out = await coapModule.scan(loopbackTarget(9), ctx);
      ctx.close();
      expect(out.status).toBe("unknown-error");
      expect(out.error).toMatch(/^--coap-/);
      expect(ctx.sent).toHaveLength(0);
    }
  });

  it("returns blocklisted-target without sending when the gate refuses", async () => {
    const ctx = testScanContext();
    const out = await coapModule.scan({ ip: "192.0.2.1", v: 4, port: 5683 }, ctx);
    ctx.close();
    expect(out.status).toBe("blocklisted-target");
    expect(ctx.sent).toHaveLength(0);
  });

  it("stops promptly when the scan is aborted", async () => {
    server = await startHostileCoap(() => {});
    const base = testScanContext({ readTimeoutMs: 5000 });
    const abort = new AbortController();
    const ctx = { ...base, signal: abort.signal };
    const start = Date.now();
    setTimeout(() => abort.abort(), 100);
    const out = await coapModule.scan(loopbackTarget(server.port), ctx);
    base.close();
    expect(out.status).toBe("io-timeout");
    expect(out.error).toBe("scan aborted");
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it("declares its flags and defaults", () => {
    expect(coapModule.name).toBe("coap");
    expect(coapModule.transport).toBe("udp");
    expect(coapModule.defaultPort).toBe(5683);
    expect(coapModule.flags.map((f) => f.name)).toEqual(["coap-path", "coap-token-length", "coap-retries", "coap-block-size", "coap-max-blocks"]);
  });

  it("works over IPv6 loopback", async () => {
    const { out } = await scanWith((_req, ids, send) => send(reply(ids, { options: [linkFormat], payload: "</v6>" })), { host: "::1" });
    expect(out.status).toBe("success");
    expect(out.result!.resources).toEqual([{ path: "/v6" }]);
  });
});
