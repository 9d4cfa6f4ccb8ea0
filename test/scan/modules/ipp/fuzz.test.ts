/**
 * Fuzzing the IPP and HTTP parsers with fast-check: random bytes, mutations of a real printer's response
 * (captured from ippeveprinter during the run) and random well-formed item sequences. The only allowed
 * outcomes are a value or a ProbeError("protocol-error"); the scan itself, fed mutated responses over a
 * socket, only ever returns a status.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ChunkedFramer,
  createHeadFramer,
  decodeIppMessage,
  decodeIppMessagePartial,
  describeResponse,
  ippEndOfAttributes,
  ippHeader,
  ippInteger,
  ippItem,
  ippModule,
  ippTag,
  parseHttpHead,
} from "../../../../src/scan/modules/ipp/index.js";
import { ProbeError, scanStatuses } from "../../../../src/scan/modules/types.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import { startIppEvePrinter, type IppEvePrinterPeer } from "../../../peers/ippeveprinter.js";
import { fetchIppBody } from "./client.js";
import { httpIpp, startResponder } from "./responder.js";

/** Runs `f`; a ProbeError with protocol-error is fine, anything else fails the property. */
function onlyProbeErrors<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (err instanceof ProbeError && err.status === "protocol-error") return undefined;
    throw err;
  }
}

function checkDecoders(bytes: Buffer): void {
  const m = onlyProbeErrors(() => decodeIppMessage(bytes));
  if (m) JSON.stringify(describeResponse(m));
  const partial = decodeIppMessagePartial(bytes); // never throws
  expect(partial.message !== undefined || partial.error !== undefined).toBe(true);
  if (partial.message) JSON.stringify(describeResponse(partial.message));
}

type Mutation =
  | { kind: "flip"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "u16"; at: number; value: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("u16" as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0x7fff, 0xfffe, 0xffff) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
);

function mutate(original: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(original);
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.kind) {
      case "flip":
        b[at] = m.value;
        break;
      case "truncate":
        b = b.subarray(0, at);
        break;
      case "u16":
        if (at + 2 <= b.length) b.writeUInt16BE(m.value, at);
        break;
      case "insert":
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case "delete":
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
    }
  }
  return b;
}

/** Any tag a value item could have, weighted towards the structural ones. */
const anyItem = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x01, 0x04, 0x34, 0x37, 0x4a, 0x44, 0x21, 0x35, 0x31, 0x12)),
    fc.oneof(fc.constant(""), fc.string({ maxLength: 8 })),
    fc.uint8Array({ maxLength: 12 }),
  )
  .map(([t, name, value]) => (t < 0x10 ? Buffer.from([t]) : ippItem(t, name, Buffer.from(value))));

describe("IPP decoder fuzzing", () => {
  let printer: IppEvePrinterPeer;
  let real: Buffer;
  beforeAll(async () => {
    printer = await startIppEvePrinter();
    real = await fetchIppBody(printer.port);
  });
  afterAll(async () => {
    await printer?.stop();
  });

  it("decodes the captured real response completely", () => {
    const m = decodeIppMessage(real);
    expect(m.code).toBe(0);
    expect(m.groups.map((g) => g.name)).toEqual(["operation-attributes", "printer-attributes"]);
    expect(m.trailing_bytes).toBe(0);
  });

  it("random bytes: returns or throws ProbeError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => checkDecoders(Buffer.from(bytes))),
      { numRuns: 3000 },
    );
  });

  it("random bytes after a valid header and group tag: returns or throws ProbeError", () => {
    const prefix = Buffer.concat([ippHeader({ major: 2, minor: 0 }, 0, 1), Buffer.from([0x04])]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => checkDecoders(Buffer.concat([prefix, Buffer.from(bytes)]))),
      { numRuns: 3000 },
    );
  });

  it("mutations of the real ippeveprinter response: returns or throws ProbeError", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (mutations) => checkDecoders(mutate(real, mutations))),
      { numRuns: 1500 },
    );
  });

  it("random sequences of items (collections, members, delimiters): returns or throws ProbeError", () => {
    fc.assert(
      fc.property(fc.array(anyItem, { maxLength: 60 }), (items) =>
        checkDecoders(Buffer.concat([ippHeader({ major: 2, minor: 0 }, 0, 1), Buffer.from([0x04]), ...items, ippEndOfAttributes])),
      ),
      { numRuns: 2000 },
    );
  });

  it("round-trips random keyword, text, integer and boolean attributes", () => {
    const attr = fc.oneof(
      fc.record({ kind: fc.constant("keyword" as const), values: fc.array(fc.stringMatching(/^[a-z0-9-]{1,20}$/), { minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant("text" as const), values: fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 3 }) }),
      fc.record({ kind: fc.constant("integer" as const), values: fc.array(fc.integer(), { minLength: 1, maxLength: 3 }) }),
      fc.record({ kind: fc.constant("boolean" as const), values: fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }) }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z-]{0,30}$/), attr), { selector: ([n]) => n, maxLength: 20 }), (attrs) => {
        const items = attrs.flatMap(([name, a]) =>
          a.values.map((v: string | number | boolean, i: number) => {
            const n = i === 0 ? name : "";
            if (a.kind === "keyword") return ippItem(ippTag.keyword, n, v as string);
            if (a.kind === "text") return ippItem(ippTag.text, n, v as string);
            if (a.kind === "integer") return ippInteger(ippTag.integer, n, v as number);
            return ippItem(ippTag.boolean, n, Buffer.from([v ? 1 : 0]));
          }),
        );
        const m = decodeIppMessage(Buffer.concat([ippHeader({ major: 1, minor: 1 }, 0, 5), Buffer.from([0x04]), ...items, ippEndOfAttributes]));
        expect(m.groups[0]?.attributes.map((x) => [x.name, x.values]) ?? []).toEqual(attrs.map(([name, a]) => [name, a.values]));
      }),
      { numRuns: 500 },
    );
  });

  it("the module, fed mutated real responses over a socket, only ever returns a status", async () => {
    let next: Buffer = Buffer.alloc(0);
    const responder = await startResponder((_req, socket) => socket.end(next));
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
          next = mutate(httpIpp(real), mutations);
          const ctx = testScanContext({ readTimeoutMs: 300, options: { ippPaths: "/ipp/print", ippVersions: "2.0" } });
          const out = await ippModule.scan(loopbackTarget(responder.port), ctx);
          ctx.close();
          expect(scanStatuses).toContain(out.status);
          JSON.stringify(out);
        }),
        { numRuns: 60 },
      );
    } finally {
      await responder.close();
    }
  });
});

describe("HTTP framing fuzzing", () => {
  it("head framer and parser: return or throw ProbeError on random bytes and mutated heads", () => {
    const realHead = Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 7433\r\nContent-Type: application/ipp\r\nServer: CUPS/2.4.2\r\n\r\n");
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => mutate(realHead, m))), (bytes) => {
        const n = onlyProbeErrors(() => createHeadFramer()(bytes));
        if (n !== undefined) onlyProbeErrors(() => parseHttpHead(bytes.subarray(0, n)));
      }),
      { numRuns: 3000 },
    );
  });

  it("chunked framer: returns or throws ProbeError, and never reassembles more than it framed", () => {
    const realChunked = Buffer.from("5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nT: 1\r\n\r\n");
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => mutate(realChunked, m))), (bytes) => {
        const framer = new ChunkedFramer(1024);
        const n = onlyProbeErrors(() => framer.frame(bytes));
        expect(framer.body(bytes).length).toBeLessThanOrEqual(bytes.length);
        if (n !== undefined) expect(n).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 3000 },
    );
  });
});
