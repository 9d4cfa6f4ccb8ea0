/**
 * DER certificate → zcrypto-shaped JSON (`parsed` in ZGrab2's output). Used by the TLS module for every
 * certificate a server sends and by the tagging pillar for bare certificates.
 *
 * `parseCertificate` throws ProbeError("protocol-error", "x509: ...") for anything it cannot read, and only
 * that; `certificateRecord` never throws and puts the reason in `parse_error` next to `raw`.
 */
import { createHash, X509Certificate } from "node:crypto";
import {
  bitLength,
  bitStringBytes,
  children,
  content,
  decodeInteger,
  decodeTime,
  derError,
  expectChild,
  isContext,
  isUniversal,
  readOid,
  readTlv,
  reheader,
  TAG,
  unsignedBytes,
  whole,
  type Tlv,
} from "./der.js";
import { ProbeError } from "../types.js";
import { decodeExtensions, readExtension, type RawExtension } from "./x509-extensions.js";
import { parseName } from "./x509-name.js";
import {
  CURVES,
  DV_POLICIES,
  EV_POLICIES,
  EXT,
  KEY_ALGORITHMS,
  KEY_DSA,
  KEY_EC,
  KEY_RSA,
  OID_RSA_PSS,
  OV_POLICIES,
  PSS_HASHES,
  SIGNATURE_ALGORITHMS,
} from "./oids.js";
import type { CertificateRecord, ValidationLevel, ZCryptoAlgorithm, ZCryptoCertificate, ZCryptoName, ZCryptoSubjectKeyInfo } from "./x509-types.js";

export type * from "./x509-types.js";

/** Certificates larger than this are not certificates (real ones are 0.5-4 KB; OpenSSL caps a whole chain at 100 KB). */
const MAX_CERTIFICATE_BYTES = 256 * 1024;

export function parseCertificate(der: Uint8Array): ZCryptoCertificate {
  if (der.length > MAX_CERTIFICATE_BYTES) throw derError(`certificate larger than ${MAX_CERTIFICATE_BYTES} bytes`);
  const cert = readTlv(der, 0);
  if (!isUniversal(cert, TAG.SEQUENCE)) throw derError("not a certificate (expected a SEQUENCE)");
  if (cert.end !== der.length) throw derError("trailing data after the certificate");
  const [tbs, outerAlg, sigValue] = children(der, cert);
  expectChild(tbs, TAG.SEQUENCE, "tbsCertificate");
  expectChild(outerAlg, TAG.SEQUENCE, "signatureAlgorithm");
  expectChild(sigValue, TAG.BIT_STRING, "signatureValue");

  const f = children(der, tbs);
  let i = 0;
  let version = 1;
  if (isContext(f[0], 0)) {
    const v = expectChild(readTlv(der, f[0].start, f[0].end), TAG.INTEGER, "version");
    version = Number(decodeInteger(content(der, v), 4)) + 1;
    i++;
  }
  const serial = expectChild(f[i++], TAG.INTEGER, "serial number");
  const sigAlg = expectChild(f[i++], TAG.SEQUENCE, "signature algorithm");
  const issuerTlv = expectChild(f[i++], TAG.SEQUENCE, "issuer");
  const validityTlv = expectChild(f[i++], TAG.SEQUENCE, "validity");
  const subjectTlv = expectChild(f[i++], TAG.SEQUENCE, "subject");
  const spki = expectChild(f[i++], TAG.SEQUENCE, "subject public key info");
  const extWrapper = f.slice(i).find((t) => isContext(t, 3));

  const issuer = parseName(der, issuerTlv);
  const subject = parseName(der, subjectTlv);
  const [notBeforeTlv, notAfterTlv] = children(der, validityTlv);
  if (!notBeforeTlv || !notAfterTlv) throw derError("validity needs two times");
  const notBefore = decodeTime(der, notBeforeTlv);
  const notAfter = decodeTime(der, notAfterTlv);

  const rawExtensions: RawExtension[] = [];
  if (extWrapper) {
    const seq = expectChild(readTlv(der, extWrapper.start, extWrapper.end), TAG.SEQUENCE, "extensions");
    for (const ext of children(der, seq)) rawExtensions.push(readExtension(der, ext));
  }
  const decoded = decodeExtensions(rawExtensions);

  const signatureAlgorithm = algorithm(der, sigAlg);
  const rawSubject = whole(der, subjectTlv);
  const rawSpki = whole(der, spki);
  const selfSigned = Buffer.compare(rawSubject, whole(der, issuerTlv)) === 0 && verifiesWithOwnKey(der);
  const tbsBytes = whole(der, tbs);

  const names = collectNames(subject.name, decoded.extensions.subject_alt_name);
  // Key order follows zcrypto's JSON, so records read the same side by side.
  return {
    version,
    serial_number: decodeInteger(content(der, serial)).toString(),
    signature_algorithm: signatureAlgorithm,
    issuer: issuer.name,
    issuer_dn: issuer.dn,
    validity: { start: rfc3339(notBefore), end: rfc3339(notAfter), length: Math.floor(notAfter / 1000) - Math.floor(notBefore / 1000) },
    subject: subject.name,
    subject_dn: subject.dn,
    subject_key_info: subjectKeyInfo(der, spki, rawSpki),
    extensions: decoded.extensions,
    ...(decoded.unknown.length > 0 ? { unknown_extensions: decoded.unknown } : {}),
    signature: {
      signature_algorithm: signatureAlgorithm,
      value: b64(bitStringBytes(der, sigValue)),
      valid: selfSigned,
      self_signed: selfSigned,
    },
    fingerprint_md5: digest("md5", der),
    fingerprint_sha1: digest("sha1", der),
    fingerprint_sha256: digest("sha256", der),
    fingerprint_sha512: digest("sha512", der),
    tbs_noct_fingerprint: digest("sha256", tbsWithoutCt(der, tbs, extWrapper, rawExtensions)),
    spki_subject_fingerprint: digest("sha256", rawSpki, rawSubject),
    tbs_fingerprint: digest("sha256", tbsBytes),
    validation_level: validationLevel(decoded.policies, selfSigned, subject.name, issuer.name),
    ...(names.length > 0 ? { names } : {}),
    redacted: names.some((n) => n.startsWith("?")),
    self_signed: selfSigned,
  };
}

/** Never throws: a certificate that cannot be parsed is recorded with its bytes and the reason. */
export function certificateRecord(der: Uint8Array): CertificateRecord {
  const record: CertificateRecord = { raw: b64(der) };
  try {
    record.parsed = parseCertificate(der);
  } catch (err) {
    record.parse_error = err instanceof Error ? err.message : String(err);
  }
  return record;
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64");
}

function digest(alg: string, ...parts: Uint8Array[]): string {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59);

/** Go's time.RFC3339 of a UTC time, clamped like zcrypto's clampTime. */
function rfc3339(ms: number): string {
  const clamped = Math.min(Math.max(ms, MIN_TIME), MAX_TIME);
  return new Date(clamped).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** AlgorithmIdentifier → zcrypto's name; RSASSA-PSS is named by the hash in its parameters. */
function algorithm(der: Uint8Array, seq: Tlv): ZCryptoAlgorithm {
  const [idTlv, params] = children(der, seq);
  const oid = readOid(der, idTlv, "algorithm");
  let name = SIGNATURE_ALGORITHMS[oid];
  if (oid === OID_RSA_PSS && isUniversal(params, TAG.SEQUENCE)) {
    // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] EXPLICIT AlgorithmIdentifier DEFAULT sha1, ... }
    const hashWrapper = children(der, params).find((t) => isContext(t, 0));
    if (hashWrapper) {
      const hashAlg = expectChild(readTlv(der, hashWrapper.start, hashWrapper.end), TAG.SEQUENCE, "PSS hash");
      name = PSS_HASHES[readOid(der, children(der, hashAlg)[0], "PSS hash")];
    }
  }
  return { name: name ?? "unknown_algorithm", oid };
}

function subjectKeyInfo(der: Uint8Array, spki: Tlv, rawSpki: Uint8Array): ZCryptoSubjectKeyInfo {
  const [algSeq, keyBits] = children(der, spki);
  expectChild(algSeq, TAG.SEQUENCE, "key algorithm");
  const [algIdTlv, params] = children(der, algSeq);
  const oid = readOid(der, algIdTlv, "key algorithm");
  const info: ZCryptoSubjectKeyInfo = {
    key_algorithm: { name: KEY_ALGORITHMS[oid] ?? "unknown", oid },
    fingerprint_sha256: digest("sha256", rawSpki),
  };
  const key = bitStringBytes(der, expectChild(keyBits, TAG.BIT_STRING, "public key"));
  try {
    addKeyDetails(info, der, oid, params, key);
  } catch (err) {
    // A key whose inner structure is malformed still leaves the rest of the certificate worth keeping.
    if (!(err instanceof ProbeError)) throw err;
  }
  return info;
}

function addKeyDetails(info: ZCryptoSubjectKeyInfo, der: Uint8Array, oid: string, params: Tlv | undefined, key: Uint8Array): void {
  if (oid === KEY_RSA) {
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    const [n, e] = children(key, expectChild(readTlv(key, 0), TAG.SEQUENCE, "RSA key"));
    const modulus = content(key, expectChild(n, TAG.INTEGER, "RSA modulus"));
    const exponent = decodeInteger(content(key, expectChild(e, TAG.INTEGER, "RSA exponent")), 8);
    info.rsa_public_key = { exponent: Number(exponent), modulus: b64(unsignedBytes(modulus)), length: bitLength(modulus) };
  } else if (oid === KEY_EC) {
    const curveOid = isUniversal(params, TAG.OID) ? readOid(der, params, "curve") : undefined;
    const curve = curveOid ? CURVES[curveOid] : undefined;
    const ec: NonNullable<ZCryptoSubjectKeyInfo["ecdsa_public_key"]> = {
      curve: curve?.name ?? curveOid ?? "explicit parameters",
      length: curve?.bits ?? 0,
      pub: b64(key),
    };
    // Uncompressed point 04 || X || Y.
    if (key[0] === 4 && key.length > 1 && (key.length - 1) % 2 === 0) {
      const half = (key.length - 1) / 2;
      ec.x = b64(key.subarray(1, 1 + half));
      ec.y = b64(key.subarray(1 + half));
    }
    info.ecdsa_public_key = ec;
  } else if (oid === KEY_DSA && isUniversal(params, TAG.SEQUENCE)) {
    const [p, q, g] = children(der, params).map((t) => b64(unsignedBytes(content(der, expectChild(t, TAG.INTEGER, "DSA parameter")))));
    const y = b64(unsignedBytes(content(key, expectChild(readTlv(key, 0), TAG.INTEGER, "DSA key"))));
    if (p && q && g) info.dsa_public_key = { p, q, g, y };
  }
}

/**
 * Whether the certificate's signature verifies with its own public key. OpenSSL (through node:crypto) does
 * the arithmetic: it covers every signature algorithm devices use, including MD5/SHA-1 RSA and DSA.
 */
function verifiesWithOwnKey(der: Uint8Array): boolean {
  try {
    const x = new X509Certificate(der);
    return x.verify(x.publicKey);
  } catch {
    return false;
  }
}

/**
 * zcrypto's tbs_noct_fingerprint: SHA-256 of the TBS re-encoded without the CT poison and SCT-list
 * extensions (so a precertificate and its final certificate share it). The [3] wrapper is dropped when no
 * extension is left, as Go's asn1.Marshal does for an empty optional field.
 */
function tbsWithoutCt(der: Uint8Array, tbs: Tlv, wrapper: Tlv | undefined, exts: RawExtension[]): Uint8Array {
  const kept = exts.filter((e) => e.oid !== EXT.CT_POISON && e.oid !== EXT.SCT_LIST);
  if (!wrapper || kept.length === exts.length) return whole(der, tbs);
  const seq = readTlv(der, wrapper.start, wrapper.end);
  const keptBytes = Buffer.concat(kept.map((e) => whole(der, e.tlv)));
  const extPart =
    kept.length === 0
      ? Buffer.alloc(0)
      : (() => {
          const seqHeader = reheader(der, seq, keptBytes.length);
          const wrapperHeader = reheader(der, wrapper, seqHeader.length + keptBytes.length);
          return Buffer.concat([wrapperHeader, seqHeader, keptBytes]);
        })();
  const before = der.subarray(tbs.start, wrapper.offset);
  const after = der.subarray(wrapper.end, tbs.end);
  const body = Buffer.concat([before, extPart, after]);
  return Buffer.concat([reheader(der, tbs, body.length), body]);
}

/** zcrypto's validation level: from policy OIDs, with its heuristics for DV certificates without one. */
function validationLevel(policies: string[] | undefined, selfSigned: boolean, subject: ZCryptoName, issuer: ZCryptoName): ValidationLevel {
  if (policies === undefined || selfSigned) return "unknown";
  let level: ValidationLevel = "unknown";
  for (const p of policies) {
    if (EV_POLICIES.has(p)) return "EV";
    if (OV_POLICIES.has(p)) level = "OV";
    else if (DV_POLICIES.has(p) && level === "unknown") level = "DV";
  }
  if (level !== "unknown") return level;
  const cn = subject.common_name?.at(-1) ?? "";
  const org = subject.organization?.[0];
  const ou = subject.organizational_unit?.[0];
  if ((org !== undefined && org === cn) || ou?.includes("Domain Control Validated")) {
    if (!subject.locality && !subject.province && !subject.postal_code) return "DV";
  } else if (org === "Persona Not Validated" && (issuer.common_name?.at(-1) ?? "").includes("StartCom")) {
    return "DV";
  }
  return "unknown";
}

const HOSTNAME = /^(?:[*?]\.)?(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?\.)+[A-Za-z0-9_-]+\.?$/;

/**
 * zcrypto's `names`: the CN when it looks like a host name, SAN DNS names (unless malformed with a dot),
 * URIs and IP addresses; deduplicated and sorted. zcrypto checks with govalidator.IsURL; a host-name
 * pattern is the close equivalent.
 */
function collectNames(subject: ZCryptoName, san: ZCryptoCertificate["extensions"]["subject_alt_name"]): string[] {
  const names = new Set<string>();
  for (const cn of subject.common_name ?? []) if (HOSTNAME.test(cn)) names.add(cn);
  for (const dns of san?.dns_names ?? []) if (HOSTNAME.test(dns) || !dns.includes(".")) names.add(dns);
  for (const uri of san?.uniform_resource_identifiers ?? []) names.add(uri);
  for (const ip of san?.ip_addresses ?? []) names.add(ip);
  return [...names].sort();
}
