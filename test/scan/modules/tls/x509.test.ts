/**
 * parseCertificate on certificates the openssl CLI makes in the test, checked field by field against what
 * openssl itself prints and against independent parsers (Node's X509Certificate, @peculiar/x509).
 */
import "reflect-metadata";
import { X509Certificate as PeculiarCertificate } from "@peculiar/x509";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateRecord, parseCertificate } from "../../../../src/scan/modules/tls/index.js";
import { formatIp } from "../../../../src/scan/modules/tls/ip.js";
import { ProbeError } from "../../../../src/scan/modules/types.js";
import {
  DEVICE_LEAF_CN,
  makeDated,
  makeDeviceChain,
  makeSelfSigned,
  makeSigned,
  makeTempDir,
  openssl,
  removeDir,
  type CertFiles,
} from "../../../peers/openssl.js";

let dir: string;
let ca: CertFiles;
let leaf: CertFiles;

beforeAll(async () => {
  dir = await makeTempDir();
  ({ ca, leaf } = await makeDeviceChain(dir));
});
afterAll(() => removeDir(dir));

/** `openssl x509 -noout <args>` output after the "=": e.g. the fingerprint or the serial. */
async function opensslValue(cert: CertFiles, ...args: string[]): Promise<string> {
  const out = await openssl(["x509", "-in", cert.certPath, "-noout", ...args], dir);
  return out.trim().slice(out.indexOf("=") + 1);
}

const hexOf = (colonHex: string) => colonHex.replace(/:/g, "").toLowerCase();
const opensslDate = (s: string) => new Date(s).toISOString().replace(/\.000Z$/, "Z");

describe("the device chain (asuscomm leaf signed by a Let's Encrypt look-alike)", () => {
  it("gives the leaf's subject, issuer, SAN, version, algorithms and key as openssl prints them", async () => {
    const c = parseCertificate(leaf.der);
    expect(c.subject).toEqual({ common_name: [DEVICE_LEAF_CN] });
    expect(c.subject_dn).toBe(`CN=${DEVICE_LEAF_CN}`);
    expect(c.issuer).toEqual({ country: ["US"], organization: ["Let's Encrypt"], common_name: ["Let's Encrypt Authority X3"] });
    expect(c.issuer_dn).toBe("C=US, O=Let's Encrypt, CN=Let's Encrypt Authority X3");
    expect(c.extensions.subject_alt_name).toEqual({ dns_names: [DEVICE_LEAF_CN] });
    expect(c.names).toEqual([DEVICE_LEAF_CN]);
    expect(c.version).toBe(3);
    expect(c.signature_algorithm).toEqual({ name: "SHA256-RSA", oid: "1.2.840.113549.1.1.11" });
    expect(c.subject_key_info.key_algorithm.name).toBe("RSA");
    expect(c.subject_key_info.rsa_public_key!.length).toBe(2048);
    expect(c.subject_key_info.rsa_public_key!.exponent).toBe(65537);
    const modulus = await opensslValue(leaf, "-modulus");
    expect(Buffer.from(c.subject_key_info.rsa_public_key!.modulus, "base64").toString("hex").toUpperCase()).toBe(modulus);
    expect(c.extensions.extended_key_usage).toEqual({ server_auth: true });
    expect(c.extensions.key_usage).toEqual({ digital_signature: true, key_encipherment: true, value: 1 | 4 });
    expect(c.extensions.basic_constraints).toBeUndefined();
  });

  it("gives the serial in decimal and the validity like openssl -serial/-dates", async () => {
    const c = parseCertificate(leaf.der);
    expect(c.serial_number).toBe(BigInt("0x" + (await opensslValue(leaf, "-serial"))).toString());
    expect(c.validity.start).toBe(opensslDate(await opensslValue(leaf, "-startdate")));
    expect(c.validity.end).toBe(opensslDate(await opensslValue(leaf, "-enddate")));
    expect(c.validity.length).toBe(90 * 86400);
  });

  it("gives fingerprints equal to openssl's (lowercase, no colons) and to hashes of the TBS and key", async () => {
    for (const cert of [leaf, ca]) {
      const c = parseCertificate(cert.der);
      expect(c.fingerprint_sha256).toBe(hexOf(await opensslValue(cert, "-fingerprint", "-sha256")));
      expect(c.fingerprint_sha1).toBe(hexOf(await opensslValue(cert, "-fingerprint", "-sha1")));
      expect(c.fingerprint_md5).toBe(hexOf(await opensslValue(cert, "-fingerprint", "-md5")));
      expect(c.fingerprint_sha512).toBe(createHash("sha512").update(cert.der).digest("hex"));
      const p = new PeculiarCertificate(cert.der);
      const spki = Buffer.from(p.publicKey.rawData);
      const subject = Buffer.from(p.subjectName.toArrayBuffer());
      // openssl asn1parse's second element is the TBS: "4:d=1  hl=4 l= 793 cons:  SEQUENCE".
      const m = /^\s*(\d+):d=1\s+hl=(\d+)\s+l=\s*(\d+)/m.exec(await openssl(["asn1parse", "-in", cert.certPath], dir))!;
      const tbs = cert.der.subarray(Number(m[1]), Number(m[1]) + Number(m[2]) + Number(m[3]));
      expect(c.tbs_fingerprint).toBe(createHash("sha256").update(tbs).digest("hex"));
      expect(c.tbs_noct_fingerprint).toBe(c.tbs_fingerprint);
      expect(c.subject_key_info.fingerprint_sha256).toBe(createHash("sha256").update(spki).digest("hex"));
      expect(c.spki_subject_fingerprint).toBe(createHash("sha256").update(spki).update(subject).digest("hex"));
    }
  });

  it("marks the CA self-signed (and its signature valid) but not the leaf", () => {
    const l = parseCertificate(leaf.der);
    const c = parseCertificate(ca.der);
    expect([l.self_signed, l.signature.self_signed, l.signature.valid]).toEqual([false, false, false]);
    expect([c.self_signed, c.signature.self_signed, c.signature.valid]).toEqual([true, true, true]);
    expect(c.extensions.basic_constraints).toEqual({ is_ca: true });
    expect(c.extensions.key_usage).toEqual({ certificate_sign: true, crl_sign: true, value: 32 | 64 });
    expect(c.extensions.subject_key_id).toBe(l.extensions.authority_key_id);
    expect(c.validation_level).toBe("unknown");
  });

  it("is plain JSON (no Buffers or bigints) and agrees with Node's own view", () => {
    const c = parseCertificate(leaf.der);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
    expect(BigInt(c.serial_number)).toBe(BigInt("0x" + leaf.x509.serialNumber));
    expect(c.validity.start).toBe(new Date(leaf.x509.validFrom).toISOString().replace(/\.000Z$/, "Z"));
    expect(leaf.x509.subjectAltName).toBe(`DNS:${DEVICE_LEAF_CN}`);
  });
});

describe("unusual subjects", () => {
  it("keeps every attribute with zcrypto's keys, and prints them with OpenSSL short names in order", async () => {
    const c = parseCertificate(
      (
        await makeSelfSigned(dir, {
          name: "unusual",
          key: "ec",
          subject:
            "/C=DE/ST=Bayern/L=Muenchen/street=Hauptstr. 1/postalCode=80331/O=Acme GmbH/OU=IoT/OU=Cameras/CN=cam.acme.example" +
            "/serialNumber=SN12345/SN=Doe/GN=Jane/businessCategory=Private Organization/jurisdictionC=DE/jurisdictionST=Bayern" +
            "/DC=acme/DC=example/emailAddress=admin@acme.example/title=Boss/UID=u1/2.5.4.97=VATDE-123",
        })
      ).der,
    );
    expect(c.subject).toEqual({
      country: ["DE"],
      province: ["Bayern"],
      locality: ["Muenchen"],
      street_address: ["Hauptstr. 1"],
      postal_code: ["80331"],
      organization: ["Acme GmbH"],
      organizational_unit: ["IoT", "Cameras"],
      common_name: ["cam.acme.example"],
      serial_number: ["SN12345"],
      surname: ["Doe"],
      given_name: ["Jane"],
      business_category: ["Private Organization"],
      jurisdiction_country: ["DE"],
      jurisdiction_province: ["Bayern"],
      domain_component: ["acme", "example"],
      email_address: ["admin@acme.example"],
    });
    expect(c.subject_dn).toBe(
      "C=DE, ST=Bayern, L=Muenchen, street=Hauptstr. 1, postalCode=80331, O=Acme GmbH, OU=IoT, OU=Cameras, CN=cam.acme.example, " +
        "serialNumber=SN12345, SN=Doe, GN=Jane, businessCategory=Private Organization, jurisdictionC=DE, jurisdictionST=Bayern, " +
        "DC=acme, DC=example, emailAddress=admin@acme.example, title=Boss, UID=u1, organizationIdentifier=VATDE-123",
    );
    expect(c.issuer_dn).toBe(c.subject_dn);
    expect(c.self_signed).toBe(true);
  });

  it("keeps every CN of a subject with several, and each member of a multi-valued RDN", async () => {
    const many = parseCertificate((await makeSelfSigned(dir, { name: "cns", key: "ec", subject: "/CN=first.example/CN=second.example" })).der);
    expect(many.subject.common_name).toEqual(["first.example", "second.example"]);
    expect(many.subject_dn).toBe("CN=first.example, CN=second.example");
    expect(many.names).toEqual(["first.example", "second.example"]);
    const multi = parseCertificate((await makeSelfSigned(dir, { name: "mv", key: "ec", subject: "/O=Acme/CN=a.example+OU=unit", args: ["-multivalue-rdn"] })).der);
    expect(multi.subject).toEqual({ organization: ["Acme"], common_name: ["a.example"], organizational_unit: ["unit"] });
  });

  it("decodes UTF8String and BMPString values", async () => {
    const text = "Überwachungskamera 東京";
    const utf8 = await makeSelfSigned(dir, { name: "utf8", key: "ec", subject: `/O=Café/CN=${text}` });
    expect(parseCertificate(utf8.der).subject).toEqual({ organization: ["Café"], common_name: [text] });
    expect(utf8.der.includes(Buffer.concat([Buffer.from([0x0c, Buffer.byteLength(text)]), Buffer.from(text)]))).toBe(true);
    // string_mask MASK:0x800 makes OpenSSL encode every attribute as a BMPString (tag 0x1e).
    const bmp = await makeSelfSigned(dir, {
      name: "bmp",
      key: "ec",
      subject: `/CN=${text}`,
      config: "[req]\nstring_mask = MASK:0x800\nutf8 = yes\ndistinguished_name = dn\n[dn]\n",
    });
    expect(bmp.der.includes(Buffer.concat([Buffer.from([0x1e, text.length * 2]), Buffer.from(text, "utf16le").swap16()]))).toBe(true);
    expect(parseCertificate(bmp.der).subject).toEqual({ common_name: [text] });
  });
});

describe("subject alternative names and other extensions", () => {
  it("prints IP SANs as Go does (dotted IPv4, compressed IPv6) and keeps emails and URIs", async () => {
    const c = parseCertificate(
      (
        await makeSigned(dir, ca, {
          name: "sans",
          subject: "/CN=router.local",
          key: "ec",
          extensions: ["subjectAltName=DNS:router.local,DNS:*.router.local,IP:192.168.1.1,IP:2001:db8::1,IP:fe80::1:0:0:1,email:admin@router.local,URI:https://router.local/"],
        })
      ).der,
    );
    expect(c.extensions.subject_alt_name).toEqual({
      dns_names: ["router.local", "*.router.local"],
      ip_addresses: ["192.168.1.1", "2001:db8::1", "fe80::1:0:0:1"],
      email_addresses: ["admin@router.local"],
      uniform_resource_identifiers: ["https://router.local/"],
    });
    expect(c.names).toEqual(["*.router.local", "192.168.1.1", "2001:db8::1", "fe80::1:0:0:1", "https://router.local/", "router.local"]);
  });

  it("reads a version 1 certificate without extensions, and a negative serial", async () => {
    const v1 = await makeSigned(dir, ca, { name: "v1", subject: "/CN=v1.example", key: "ec", args: ["-set_serial", "-1234"] });
    expect(await openssl(["x509", "-in", v1.certPath, "-noout", "-text"], dir)).toContain("Version: 1 (0x0)");
    const c = parseCertificate(v1.der);
    expect(c.version).toBe(1);
    expect(c.serial_number).toBe("-1234");
    expect(c.extensions).toEqual({});
    expect(c.unknown_extensions).toBeUndefined();
  });

  it("decodes policies with CPS and user notice, AIA, CRL points, name constraints, and derives the validation level", async () => {
    const c = parseCertificate(
      (
        await makeSigned(dir, ca, {
          name: "rich",
          subject: "/C=US/O=Acme Inc/CN=rich.example",
          key: "ec",
          extensions: [
            "basicConstraints=critical,CA:TRUE,pathlen:0",
            "keyUsage=critical,keyCertSign",
            "extendedKeyUsage=serverAuth,clientAuth,codeSigning,1.2.3.4.5.6",
            "authorityInfoAccess=OCSP;URI:http://ocsp.example/,caIssuers;URI:http://ca.example/ca.crt",
            "crlDistributionPoints=URI:http://crl.example/a.crl,URI:http://crl.example/b.crl",
            "certificatePolicies=2.23.140.1.2.2,@pol",
            "nameConstraints=critical,permitted;DNS:.example.com,permitted;IP:192.168.0.0/255.255.0.0,excluded;email:bad.example,excluded;IP:10.0.0.0/255.0.0.0",
            "1.2.3.4.5=ASN1:UTF8String:hello",
            "[pol]",
            "policyIdentifier=1.3.6.1.4.1.99.1",
            'CPS.1="http://cps.example/"',
            "userNotice.1=@notice",
            "[notice]",
            'explicitText="Device certificate"',
            'organization="Acme"',
            "noticeNumbers=1,2",
          ],
        })
      ).der,
    );
    const e = c.extensions;
    expect(e.basic_constraints).toEqual({ is_ca: true, max_path_len: 0 });
    expect(e.extended_key_usage).toEqual({ server_auth: true, client_auth: true, code_signing: true, unknown: ["1.2.3.4.5.6"] });
    expect(e.authority_info_access).toEqual({ ocsp_urls: ["http://ocsp.example/"], issuer_urls: ["http://ca.example/ca.crt"] });
    expect(e.crl_distribution_points).toEqual(["http://crl.example/a.crl", "http://crl.example/b.crl"]);
    expect(e.certificate_policies).toEqual([
      { id: "2.23.140.1.2.2" },
      {
        id: "1.3.6.1.4.1.99.1",
        cps: ["http://cps.example/"],
        user_notice: [{ explicit_text: "Device certificate", notice_reference: [{ organization: "Acme", notice_numbers: [1, 2] }] }],
      },
    ]);
    expect(e.name_constraints).toEqual({
      critical: true,
      permitted_names: [".example.com"],
      permitted_ip_addresses: [{ cidr: "192.168.0.0/16", begin: "192.168.0.0", end: "192.168.255.255", mask: "255.255.0.0" }],
      excluded_email_addresses: ["bad.example"],
      excluded_ip_addresses: [{ cidr: "10.0.0.0/8", begin: "10.0.0.0", end: "10.255.255.255", mask: "255.0.0.0" }],
    });
    expect(c.unknown_extensions).toEqual([{ id: "1.2.3.4.5", critical: false, value: Buffer.from("\x0c\x05hello").toString("base64") }]);
    expect(c.validation_level).toBe("OV");
  });

  it("keeps a known extension that fails to decode as an unknown one instead of losing the certificate", async () => {
    const c = parseCertificate((await makeSelfSigned(dir, { name: "badsan", key: "ec", subject: "/CN=bad", addext: ["2.5.29.17=DER:01020304"] })).der);
    expect(c.extensions.subject_alt_name).toBeUndefined();
    expect(c.unknown_extensions).toEqual([{ id: "2.5.29.17", critical: false, value: Buffer.from([1, 2, 3, 4]).toString("base64") }]);
    expect(c.subject.common_name).toEqual(["bad"]);
  });

  it("gives a precertificate the TBS fingerprint of the same certificate without the CT poison (tbs_noct)", async () => {
    const common = { subject: "/CN=ct.example", start: "20240101000000Z", end: "20250101000000Z", serialHex: "ABCD" };
    const plain = await makeDated(dir, { ...common, name: "ct-plain", extensions: ["basicConstraints=CA:FALSE"] });
    const poisoned = await makeDated(dir, {
      ...common,
      name: "ct-poison",
      reuseKeyOf: plain,
      extensions: ["basicConstraints=CA:FALSE", "1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL"],
    });
    const p = parseCertificate(plain.der);
    const q = parseCertificate(poisoned.der);
    expect(q.extensions.ct_poison).toBe(true);
    expect(q.tbs_fingerprint).not.toBe(p.tbs_fingerprint);
    expect(q.tbs_noct_fingerprint).toBe(p.tbs_fingerprint);
  });
});

describe("keys and dates", () => {
  it("reads EC P-384 and Ed25519 keys of self-signed certificates", async () => {
    const ec = parseCertificate((await makeSelfSigned(dir, { name: "ec384", key: "ec384", subject: "/CN=ec.example" })).der);
    expect(ec.subject_key_info.key_algorithm.name).toBe("ECDSA");
    expect(ec.subject_key_info.ecdsa_public_key).toMatchObject({ curve: "P-384", length: 384 });
    expect(Buffer.from(ec.subject_key_info.ecdsa_public_key!.x!, "base64")).toHaveLength(48);
    expect(ec.signature_algorithm.name).toBe("ECDSA-SHA256");
    expect(ec.self_signed).toBe(true);
    const ed = parseCertificate((await makeSelfSigned(dir, { name: "ed", key: "ed25519", subject: "/CN=ed.example" })).der);
    expect(ed.subject_key_info.key_algorithm.name).toBe("Ed25519");
    expect(ed.signature_algorithm.name).toBe("Ed25519");
    expect(ed.self_signed).toBe(true);
  });

  it("gives an expired certificate's dates and length exactly", async () => {
    const c = parseCertificate((await makeDated(dir, { name: "expired", subject: "/CN=expired.example", start: "20200101000000Z", end: "20210101000000Z" })).der);
    expect(c.validity).toEqual({ start: "2020-01-01T00:00:00Z", end: "2021-01-01T00:00:00Z", length: 366 * 86400 });
    expect(c.serial_number).toBe(String(0x1000));
  });

  it("reads GeneralizedTime dates beyond 2049", async () => {
    const c = parseCertificate((await makeDated(dir, { name: "far", subject: "/CN=far.example", start: "20240101000000Z", end: "20991231235959Z" })).der);
    expect(c.validity.end).toBe("2099-12-31T23:59:59Z");
  });
});

describe("what is not a certificate", () => {
  it("throws ProbeError for garbage and truncation, and certificateRecord keeps raw with parse_error", () => {
    for (const bad of [Buffer.alloc(0), Buffer.from("hello world"), leaf.der.subarray(0, 100), Buffer.concat([leaf.der, Buffer.from([0])])]) {
      expect(() => parseCertificate(bad)).toThrow(ProbeError);
      const rec = certificateRecord(bad);
      expect(rec.raw).toBe(bad.toString("base64"));
      expect(rec.parsed).toBeUndefined();
      expect(rec.parse_error).toMatch(/^x509: /);
    }
    expect(certificateRecord(leaf.der).parsed?.subject.common_name).toEqual([DEVICE_LEAF_CN]);
  });
});

describe("formatIp", () => {
  it("formats like Go's net.IP.String()", () => {
    const v6 = (s: string) => Buffer.from(s.replace(/:/g, ""), "hex");
    expect(formatIp(Buffer.from([10, 0, 0, 1]))).toBe("10.0.0.1");
    expect(formatIp(v6("00000000000000000000ffff0a000001"))).toBe("10.0.0.1");
    expect(formatIp(v6("00000000000000000000000000000001"))).toBe("::1");
    expect(formatIp(v6("00000000000000000000000000000000"))).toBe("::");
    expect(formatIp(v6("20010db8000000000001000000000001"))).toBe("2001:db8::1:0:0:1");
    expect(formatIp(v6("20010db8000100000000000100000001"))).toBe("2001:db8:1::1:0:1");
    expect(formatIp(v6("20010db8000100010001000100010001"))).toBe("2001:db8:1:1:1:1:1:1");
    expect(formatIp(v6("20010db8000000010001000100010001"))).toBe("2001:db8:0:1:1:1:1:1");
    expect(formatIp(Buffer.from([1, 2, 3]))).toBeUndefined();
  });
});
