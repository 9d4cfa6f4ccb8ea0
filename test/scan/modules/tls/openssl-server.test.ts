/**
 * The tls module against real `openssl s_server` peers: the device-like chain field by field, SNI on and
 * off, EC and old-TLS servers, chains with strays, and handshakes the server refuses.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tlsModule, type TlsResult } from "../../../../src/scan/modules/tls/index.js";
import type { ModuleOptions, ScanOutcome, Target } from "../../../../src/scan/modules/types.js";
import { freePort } from "../../../helpers/wait.js";
import { loopbackTarget, testScanContext } from "../../../helpers/scan.js";
import {
  DEVICE_LEAF_CN,
  makeDated,
  makeDeviceChain,
  makeSelfSigned,
  makeTempDir,
  openssl,
  removeDir,
  startSServer,
  type CertFiles,
  type SServer,
  type SServerOptions,
} from "../../../peers/openssl.js";

let dir: string;
let ca: CertFiles;
let leaf: CertFiles;
let ecSelf: CertFiles;
let server: SServer | undefined;

beforeAll(async () => {
  dir = await makeTempDir();
  ({ ca, leaf } = await makeDeviceChain(dir));
  ecSelf = await makeSelfSigned(dir, { name: "ec-self", key: "ec", subject: "/O=Acme Cameras/CN=default.example" });
});
afterAll(() => removeDir(dir));
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function scan(serverOptions: SServerOptions, options: ModuleOptions = {}, target?: Partial<Target>) {
  server = await startSServer(serverOptions);
  const ctx = testScanContext({ options });
  try {
    const out: ScanOutcome<TlsResult> = await tlsModule.scan({ ...loopbackTarget(server.port), ...target }, ctx);
    return { out, sent: ctx.sent };
  } finally {
    ctx.close();
  }
}

const fingerprint = async (cert: CertFiles) =>
  (await openssl(["x509", "-in", cert.certPath, "-noout", "-fingerprint", "-sha256"], dir)).trim().split("=")[1]!.replace(/:/g, "").toLowerCase();

describe("the device chain served by openssl s_server", () => {
  it("records the leaf and the CA the server sent, field by field", async () => {
    const { out, sent } = await scan({ cert: leaf, chainPath: ca.certPath });
    expect(out.status).toBe("success");
    expect(out.error).toBeUndefined();
    expect(sent).toHaveLength(1);
    const r = out.result!;
    expect(r.server_name).toBeUndefined();
    expect(r.handshake_time_ms).toBeGreaterThan(0);
    const hello = r.handshake_log!.server_hello;
    expect(hello.version).toEqual({ name: "TLSv1.3", value: 0x0304 });
    expect(hello.cipher_suite).toEqual({ name: "TLS_AES_256_GCM_SHA384", openssl_name: "TLS_AES_256_GCM_SHA384", version: "TLSv1.3" });
    expect(hello.alpn_protocol).toBeUndefined();
    expect(hello.session_resumed).toBe(false);
    expect(r.handshake_log!.ephemeral_key).toEqual({ type: "ECDH", name: "X25519", size: 253 });

    const certs = r.handshake_log!.server_certificates!;
    expect(certs.chain).toHaveLength(1); // leaf + CA: two certificates sent
    expect(Buffer.from(certs.certificate.raw, "base64")).toEqual(leaf.der);
    expect(Buffer.from(certs.chain[0]!.raw, "base64")).toEqual(ca.der);
    const l = certs.certificate.parsed!;
    const c = certs.chain[0]!.parsed!;
    expect(l.subject.common_name).toEqual([DEVICE_LEAF_CN]);
    expect(l.issuer).toEqual({ country: ["US"], organization: ["Let's Encrypt"], common_name: ["Let's Encrypt Authority X3"] });
    expect(l.issuer_dn).toBe("C=US, O=Let's Encrypt, CN=Let's Encrypt Authority X3");
    expect(l.extensions.subject_alt_name?.dns_names).toEqual([DEVICE_LEAF_CN]);
    expect(l.fingerprint_sha256).toBe(await fingerprint(leaf));
    expect(c.fingerprint_sha256).toBe(await fingerprint(ca));
    expect(l.serial_number).toBe(BigInt("0x" + leaf.x509.serialNumber).toString());
    expect(l.validity.length).toBe(90 * 86400);
    expect([l.self_signed, c.self_signed]).toEqual([false, true]);
    // zcrypto's signature.valid: the leaf is signed by the CA the server sent along.
    expect([l.signature.valid, c.signature.valid]).toEqual([true, true]);
    expect(certs.validation).toEqual({ browser_trusted: false, browser_error: "SELF_SIGNED_CERT_IN_CHAIN" });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("records the certificates exactly as sent: strays, duplicates and order kept, no trust-store roots added", async () => {
    const chainPath = path.join(dir, "messy-chain.pem");
    await writeFile(chainPath, ecSelf.pem + ca.pem + ca.pem);
    const { out } = await scan({ cert: leaf, chainPath });
    const certs = out.result!.handshake_log!.server_certificates!;
    expect(certs.chain.map((c) => c.parsed!.subject.common_name![0])).toEqual(["default.example", "Let's Encrypt Authority X3", "Let's Encrypt Authority X3"]);
  });

  it("records a leaf sent alone as unverifiable, with an empty chain", async () => {
    const { out } = await scan({ cert: leaf });
    const certs = out.result!.handshake_log!.server_certificates!;
    expect(certs.chain).toEqual([]);
    expect(certs.certificate.parsed!.signature.valid).toBe(false);
    expect(certs.validation).toEqual({ browser_trusted: false, browser_error: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });
});

describe("SNI", () => {
  const sniServer = (): SServerOptions => ({ cert: ecSelf, sni: { name: DEVICE_LEAF_CN, cert: leaf } });
  const leafCn = (r: TlsResult | undefined) => r?.handshake_log?.server_certificates?.certificate.parsed?.subject.common_name;

  it("sends no SNI by default, so an SNI-dependent server shows its default certificate", async () => {
    const { out } = await scan(sniServer());
    expect(out.status).toBe("success");
    expect(leafCn(out.result)).toEqual(["default.example"]);
    expect(out.result!.server_name).toBeUndefined();
    expect(out.result!.handshake_log!.server_certificates!.validation.matches_domain).toBeUndefined();
  });

  it("sends --tls-sni and gets the second certificate, which matches the name", async () => {
    const { out } = await scan(sniServer(), { tlsSni: DEVICE_LEAF_CN });
    expect(out.result!.server_name).toBe(DEVICE_LEAF_CN);
    expect(leafCn(out.result)).toEqual([DEVICE_LEAF_CN]);
    expect(out.result!.handshake_log!.server_certificates!.validation.matches_domain).toBe(true);
  });

  it("sends the target's domain as SNI when the target list gives one", async () => {
    const { out } = await scan(sniServer(), {}, { domain: DEVICE_LEAF_CN });
    expect(leafCn(out.result)).toEqual([DEVICE_LEAF_CN]);
  });

  it("reports matches_domain false when the certificate does not cover the name sent", async () => {
    const { out } = await scan(sniServer(), { tlsSni: "other.example" });
    expect(leafCn(out.result)).toEqual(["default.example"]);
    expect(out.result!.handshake_log!.server_certificates!.validation.matches_domain).toBe(false);
  });

  it("with --tls-sni-both handshakes twice and records both certificates", async () => {
    const { out, sent } = await scan(sniServer(), { tlsSniBoth: "true", tlsSni: DEVICE_LEAF_CN });
    expect(out.status).toBe("success");
    expect(sent).toHaveLength(2);
    expect(leafCn(out.result)).toEqual(["default.example"]);
    expect(out.result!.with_sni!.status).toBe("success");
    expect(out.result!.with_sni!.server_name).toBe(DEVICE_LEAF_CN);
    expect(leafCn(out.result!.with_sni as TlsResult)).toEqual([DEVICE_LEAF_CN]);
  });

  it("with --tls-sni-both keeps the SNI handshake's failure apart from the main status", async () => {
    const { out } = await scan({ cert: ecSelf, sni: { name: DEVICE_LEAF_CN, cert: leaf, fatalOnMismatch: true } }, { tlsSniBoth: true, tlsSni: "wrong.example" });
    expect(out.status).toBe("success");
    expect(out.result!.with_sni).toMatchObject({ status: "protocol-error", server_name: "wrong.example" });
    expect(out.result!.with_sni!.error).toMatch(/unrecognized name/i);
  });
});

describe("other servers", () => {
  it("reads a self-signed EC certificate", async () => {
    const { out } = await scan({ cert: ecSelf });
    const c = out.result!.handshake_log!.server_certificates!.certificate.parsed!;
    expect(c.subject_key_info.key_algorithm.name).toBe("ECDSA");
    expect(c.subject_key_info.ecdsa_public_key).toMatchObject({ curve: "P-256", length: 256 });
    expect(c.signature_algorithm.name).toBe("ECDSA-SHA256");
    expect([c.self_signed, c.signature.valid]).toEqual([true, true]);
    expect(out.result!.handshake_log!.server_certificates!.validation.browser_error).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });

  it("records an expired certificate's dates", async () => {
    const expired = await makeDated(dir, { name: "exp-srv", subject: "/CN=expired.example", start: "20200101000000Z", end: "20210101000000Z" });
    const { out } = await scan({ cert: expired });
    expect(out.status).toBe("success");
    expect(out.result!.handshake_log!.server_certificates!.certificate.parsed!.validity).toMatchObject({ start: "2020-01-01T00:00:00Z", end: "2021-01-01T00:00:00Z" });
  });

  it("completes a TLS 1.0 handshake with an old device", async () => {
    const { out } = await scan({ cert: leaf, args: ["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"] });
    expect(out.status).toBe("success");
    expect(out.result!.handshake_log!.server_hello.version).toEqual({ name: "TLSv1.0", value: 0x0301 });
    expect(out.result!.handshake_log!.server_hello.cipher_suite.name).toBe("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
  });

  it("offers ALPN when asked and honours --tls-max-version", async () => {
    const { out } = await scan({ cert: leaf, args: ["-alpn", "h2,http/1.1"] }, { tlsAlpn: "h2,http/1.1", tlsMaxVersion: "TLSv1.2" });
    expect(out.result!.handshake_log!.server_hello.alpn_protocol).toBe("h2");
    expect(out.result!.handshake_log!.server_hello.version.name).toBe("TLSv1.2");
    expect(out.result!.handshake_log!.server_hello.cipher_suite.name).toBe("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
  });

  it("gives protocol-error with the alert when the server refuses every version offered", async () => {
    const { out } = await scan({ cert: leaf, args: ["-tls1_2"] }, { tlsMinVersion: "TLSv1.3" });
    expect(out.status).toBe("protocol-error");
    expect(out.error).toMatch(/protocol version/i);
    expect(out.result).toBeUndefined();
  });

  it("gives connection-refused for a closed port, and does not retry it with SNI", async () => {
    const port = await freePort();
    const ctx = testScanContext({ options: { tlsSniBoth: true, tlsSni: "a.example" } });
    const out = await tlsModule.scan(loopbackTarget(port), ctx);
    ctx.close();
    expect(out.status).toBe("connection-refused");
    expect(ctx.sent).toHaveLength(1);
  });

  it("rejects invalid flag values as a usage error", async () => {
    for (const [options, flag] of [
      [{ tlsMinVersion: "SSLv2" }, /tls-min-version/],
      [{ tlsMinVersion: "1.3", tlsMaxVersion: "1.2" }, /above --tls-max-version/],
      [{ tlsSni: "192.0.2.1" }, /tls-sni/],
    ] as const) {
      const ctx = testScanContext({ options });
      await expect(tlsModule.scan(loopbackTarget(1), ctx)).rejects.toThrow(flag);
      expect(ctx.sent).toHaveLength(0);
      ctx.close();
    }
  });

  it("sends no SNI when the target's domain is an IP literal", async () => {
    const { out } = await scan({ cert: ecSelf }, {}, { domain: "127.0.0.1" });
    expect(out.status).toBe("success");
    expect(out.result!.server_name).toBeUndefined();
  });
});
