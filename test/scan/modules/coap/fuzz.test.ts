/**
 * Fuzzing the CoAP and link-format parsers (random input and mutations of libcoap's real replies), and the
 * whole probe against a responder that answers with mutated replies. The parsers only ever return or
 * throw ProbeError("protocol-error"); the link-format parser never throws; the probe always ends in a status.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  coapModule,
  decodeBlock,
  describeMessage,
  describePayload,
  parseCoapMessage,
  parseLinkFormat,
} from "../../../../src/scan/modules/coap/index.js";
import { ProbeError, scanStatuses } from "../../../../src/scan/modules/types.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { linkFormat, reply, startHostileCoap, type HostileCoap } from "./hostile-server.js";
import { LIBCOAP_BLOCK0, LIBCOAP_CORE, LIBCOAP_REPLY } from "./samples.js";

/** Flip, overwrite, insert, delete and truncate bytes of a real datagram. */
function mutated(seed: Buffer): fc.Arbitrary<Buffer> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let b = Buffer.from(seed);
    for (const e of edits) {
      const at = b.length === 0 ? 0 : e.at % (b.length + 1);
      if (e.kind === "set" && at < b.length) b[at] = e.byte;
      else if (e.kind === "insert") b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
      else if (e.kind === "delete") b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.count)]);
      else if (e.kind === "truncate") b = b.subarray(0, at);
    }
    return b;
  });
}

/** Parses; on success also renders the result (which must be JSON-safe); returns or throws ProbeError only. */
function parseAndRender(buf: Buffer): void {
  try {
    const msg = parseCoapMessage(buf);
    const head = describeMessage(msg);
    const body = describePayload(msg.payload, head.content_format);
    expect(JSON.parse(JSON.stringify({ ...head, ...body }))).toEqual({ ...head, ...body });
  } catch (err) {
    if (!(err instanceof ProbeError) || err.status !== "protocol-error") throw err;
    expect(err.message).not.toContain("\n");
  }
}

describe("CoAP message parser fuzz", () => {
  it("returns or throws protocol-error on random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (a) => parseAndRender(Buffer.from(a))), { numRuns: 3000 });
  });

  it("returns or throws protocol-error on random bytes behind a valid header", () => {
    const header = fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 200 }));
    fc.assert(
      fc.property(header, ([tkl, code, rest]) => parseAndRender(Buffer.concat([Buffer.from([0x60 | tkl, code, 0, 1]), Buffer.from(rest)]))),
      { numRuns: 3000 },
    );
  });

  it("returns or throws protocol-error on mutations of libcoap's replies", () => {
    fc.assert(fc.property(mutated(LIBCOAP_REPLY), parseAndRender), { numRuns: 3000 });
    fc.assert(fc.property(mutated(LIBCOAP_BLOCK0), parseAndRender), { numRuns: 3000 });
  });

  it("decodes Block options or throws protocol-error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6 }), (a) => {
        try {
          const b = decodeBlock(Buffer.from(a));
          expect(b.size).toBeGreaterThanOrEqual(16);
          expect(b.size).toBeLessThanOrEqual(1024);
        } catch (err) {
          if (!(err instanceof ProbeError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("link-format parser fuzz", () => {
  const alphabet = fc.constantFrom(..."<>/;,=\" \\\t\nabcrtifsz0123456789obs".split(""));
  const linkish = fc.array(alphabet, { maxLength: 300 }).map((cs) => cs.join(""));
  const check = (text: string): void => {
    const out = parseLinkFormat(text, { maxResources: 100, maxErrors: 20 });
    expect(out.resources.length).toBeLessThanOrEqual(100);
    expect(out.errors.length).toBeLessThanOrEqual(20);
    for (const e of out.errors) expect(e.entry.length).toBeLessThanOrEqual(120);
    for (const r of out.resources) expect(typeof r.path).toBe("string");
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  };

  it("never throws on random text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 400, unit: "binary" }), check), { numRuns: 3000 });
  });

  it("never throws on link-format-like noise", () => {
    fc.assert(fc.property(linkish, check), { numRuns: 5000 });
  });

  it("never throws on mutations of libcoap's listing", () => {
    fc.assert(fc.property(mutated(Buffer.from(LIBCOAP_CORE)), (b) => check(b.toString("utf8"))), { numRuns: 3000 });
  });

  it("returns exactly the links of a well-formed listing", () => {
    const segment = fc.stringMatching(/^[a-z0-9_.-]{1,12}$/);
    const link = fc.record({
      path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => "/" + s.join("/")),
      title: fc.option(fc.string({ maxLength: 20 }).filter((t) => !t.includes('"') && !t.includes("\\")), { nil: undefined }),
      ct: fc.option(fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
      obs: fc.option(fc.constant(true as const), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(link, { maxLength: 20 }), (links) => {
        const text = links
          .map((l) => {
            let s = `<${l.path}>`;
            if (l.title !== undefined) s += `;title="${l.title}"`;
            if (l.ct) s += l.ct.length === 1 ? `;ct=${l.ct[0]}` : `;ct="${l.ct.join(" ")}"`;
            if (l.obs) s += ";obs";
            return s;
          })
          .join(",");
        const out = parseLinkFormat(text);
        expect(out.errors).toEqual([]);
        expect(out.resources).toEqual(links.map((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined))));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("CoAP probe fuzz against mutated replies", () => {
  let server: HostileCoap;
  let mutate: (b: Buffer) => Buffer = (b) => b;
  beforeAll(async () => {
    server = await startHostileCoap((_req, ids, send) => send(mutate(reply(ids, { options: [linkFormat], payload: LIBCOAP_CORE }))));
  });
  afterAll(async () => {
    await server.close();
  });

  it("always ends in a status, never a throw or a hang", async () => {
    await fc.assert(
      fc.asyncProperty(mutated(LIBCOAP_REPLY), async (sample) => {
        // Keep the mutation's shape but the live request's header, so that many mutants still match.
        mutate = (real) => {
          const out = Buffer.from(sample);
          real.copy(out, 0, 0, Math.min(8, out.length, real.length));
          return out;
        };
        const ctx = testScanContext({ readTimeoutMs: 120, options: { coapRetries: 0 } });
        try {
          const start = Date.now();
          const out = await coapModule.scan(loopbackTarget(server.port), ctx);
          expect(scanStatuses).toContain(out.status);
          expect(["success", "protocol-error", "io-timeout"]).toContain(out.status);
          expect(JSON.parse(JSON.stringify(out))).toEqual(out);
          expect(Date.now() - start).toBeLessThan(2000);
        } finally {
          ctx.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
