/**
 * Fuzzing parseCertificate with fast-check: random bytes and mutations of real certificates (flipped,
 * overwritten, inserted and deleted bytes, truncations, tampered lengths) may only return a JSON-safe
 * object or throw ProbeError("protocol-error") — quickly — and certificateRecord never throws.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateRecord, parseCertificate } from "../../../../src/scan/modules/tls/index.js";
import { ProbeError } from "../../../../src/scan/modules/types.js";
import { makeDeviceChain, makeSelfSigned, makeSigned, makeTempDir, removeDir } from "../../../peers/openssl.js";

let dir: string;
const seeds: Buffer[] = [];

beforeAll(async () => {
  dir = await makeTempDir();
  const { ca, leaf } = await makeDeviceChain(dir);
  const rich = await makeSigned(dir, ca, {
    name: "rich",
    key: "ec",
    subject: "/C=US/ST=CA/O=Acme/OU=Cams/CN=rich.example/emailAddress=a@rich.example",
    extensions: [
      "subjectAltName=DNS:rich.example,IP:10.0.0.1,IP:2001:db8::1,email:a@rich.example,URI:https://rich.example/,otherName:1.2.3.4;UTF8:x,dirName:dn",
      "basicConstraints=critical,CA:TRUE,pathlen:1",
      "keyUsage=digitalSignature,keyCertSign",
      "extendedKeyUsage=serverAuth,1.2.3.4",
      "authorityInfoAccess=OCSP;URI:http://ocsp.example/,caIssuers;URI:http://ca.example/",
      "crlDistributionPoints=URI:http://crl.example/x.crl",
      "certificatePolicies=2.23.140.1.1,@pol",
      "nameConstraints=permitted;DNS:.example,excluded;IP:10.0.0.0/255.0.0.0,permitted;dirName:dn",
      "1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL",
      "1.2.3.4.5=ASN1:UTF8String:hello",
      "[pol]",
      "policyIdentifier=1.2.3",
      'CPS.1="http://cps.example/"',
      "userNotice.1=@notice",
      "[notice]",
      'explicitText="hi"',
      'organization="Acme"',
      "noticeNumbers=1",
      "[dn]",
      "CN=dir",
    ],
  });
  const ed = await makeSelfSigned(dir, { name: "ed", key: "ed25519", subject: "/CN=ed" });
  seeds.push(leaf.der, ca.der, rich.der, ed.der);
});
afterAll(() => removeDir(dir));

function check(bytes: Uint8Array): void {
  const started = performance.now();
  try {
    const parsed = parseCertificate(bytes);
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(parsed);
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    expect(err.status).toBe("protocol-error");
    expect(err.message).toMatch(/^x509: /);
  }
  const record = certificateRecord(bytes);
  expect(record.parsed !== undefined || record.parse_error !== undefined).toBe(true);
  expect(performance.now() - started).toBeLessThan(500);
}

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; count: number }
  | { kind: "truncate"; at: number }
  | { kind: "length"; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x80, 0x81, 0x82, 0x84, 0xff, 0x1f, 0x30, 0x06, 0xa3) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  // A length byte (the byte after a tag) made larger or smaller.
  fc.record({ kind: fc.constant("length" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
);

function mutate(seed: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(seed);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    switch (m.kind) {
      case "flip":
        if (b.length > 0) b[at]! ^= 1 << m.bit;
        break;
      case "set":
      case "length":
        if (b.length > 0) b[at] = m.value;
        break;
      case "insert":
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case "delete":
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
        break;
      case "truncate":
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

describe("parseCertificate under fuzzing", () => {
  it("random bytes only ever return or throw ProbeError", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => check(bytes)), { numRuns: 3000 });
  });

  it("random bytes inside a SEQUENCE header (past the first check) only ever return or throw ProbeError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (body) => {
        const header = Buffer.from([0x30, 0x82, body.length >> 8, body.length & 0xff]);
        check(Buffer.concat([header, body]));
      }),
      { numRuns: 2000 },
    );
  });

  it("mutated real certificates only ever return or throw ProbeError", () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, ms) => check(mutate(seeds[which % seeds.length]!, ms))),
      { numRuns: 6000 },
    );
  });

  it("every seed parses, so mutations start from real structure", () => {
    for (const s of seeds) expect(() => parseCertificate(s)).not.toThrow();
    const rich = parseCertificate(seeds[2]!);
    expect(rich.extensions.subject_alt_name?.other_names?.[0]?.id).toBe("1.2.3.4");
    expect(rich.extensions.subject_alt_name?.directory_names).toEqual([{ common_name: ["dir"] }]);
    expect(rich.extensions.name_constraints?.permitted_directory_names).toEqual([{ common_name: ["dir"] }]);
    expect(rich.validation_level).toBe("EV");
  });
});
