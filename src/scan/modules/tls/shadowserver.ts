/**
 * Shadowserver's "Accessible SSL" report columns, derived from a TLS result — the check that the result
 * carries what that report needs, and a ready mapping for exports. Columns that come from elsewhere
 * (record envelope, enrichment, other probes) are listed with where they come from.
 */
import type { TlsResult } from "./index.js";
import type { ZCryptoCertificate, ZCryptoName } from "./x509-types.js";

/** OpenSSL's long names, which Shadowserver prints for signature and key algorithms. */
const OPENSSL_SIGNATURE_NAMES: Record<string, string> = {
  "1.2.840.113549.1.1.2": "md2WithRSAEncryption",
  "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.3.14.3.2.29": "sha1WithRSA",
  "1.2.840.113549.1.1.10": "rsassaPss",
  "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
  "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
  "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
  "1.2.840.10040.4.3": "dsa_with_SHA1",
  "2.16.840.1.101.3.4.3.2": "dsa_with_SHA256",
  "1.2.840.10045.4.1": "ecdsa-with-SHA1",
  "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
  "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
  "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
  "1.3.101.112": "ED25519",
};

const OPENSSL_KEY_NAMES: Record<string, string> = {
  "1.2.840.113549.1.1.1": "rsaEncryption",
  "1.2.840.10040.4.1": "dsaEncryption",
  "1.2.840.10045.2.1": "id-ecPublicKey",
  "1.3.101.112": "ED25519",
  "1.3.101.110": "X25519",
};

/** Columns this result cannot give, and where they come from instead. */
export const shadowserverColumnsElsewhere: Readonly<Record<string, string>> = {
  timestamp: "record envelope (scan time)",
  ip: "record envelope (target)",
  port: "record envelope (target)",
  hostname: "enrichment (reverse DNS)",
  tag: "tagging pillar",
  asn: "enrichment (GeoIP/ASN)",
  geo: "enrichment (GeoIP)",
  region: "enrichment (GeoIP)",
  city: "enrichment (GeoIP)",
  naics: "enrichment (industry codes)",
  sic: "enrichment (industry codes)",
  sector: "enrichment (industry codes)",
  ssl_poodle: "needs an SSLv3 probe; OpenSSL 3 (and so Node) cannot speak SSLv3",
  freak_vulnerable: "needs an export-cipher probe; OpenSSL 3 has no export ciphers",
  freak_cipher_suite: "needs an export-cipher probe; OpenSSL 3 has no export ciphers",
  http_response_type: "HTTP GET over TLS (an http module with TLS), not this handshake-only probe",
  http_code: "HTTP GET over TLS",
  http_reason: "HTTP GET over TLS",
  content_type: "HTTP GET over TLS",
  http_connection: "HTTP GET over TLS",
  www_authenticate: "HTTP GET over TLS",
  set_cookie: "HTTP GET over TLS",
  server_type: "HTTP GET over TLS",
  content_length: "HTTP GET over TLS",
  transfer_encoding: "HTTP GET over TLS",
  http_date: "HTTP GET over TLS",
  jarm: "JARM needs ten crafted ClientHellos; a separate probe",
};

export type ShadowserverSslColumns = Record<string, string | number>;

/**
 * The columns derivable from `result` as of `scannedAt` (expiry is relative to it). Values follow the
 * report's conventions: "Y"/"N" flags, colon-separated upper-case fingerprints, upper-case hex serial,
 * "YYYY-MM-DD hh:mm:ss" dates, the last value of a repeated name attribute, empty string when absent.
 */
export function shadowserverColumns(result: TlsResult, scannedAt: Date): ShadowserverSslColumns {
  const hello = result.handshake_log?.server_hello;
  const certs = result.handshake_log?.server_certificates;
  const cert = certs?.certificate.parsed;
  const yn = (b: boolean | undefined) => (b === undefined ? "" : b ? "Y" : "N");
  const tls13 = hello?.version.name === "TLSv1.3";
  const expired = cert ? Date.parse(cert.validity.end) < scannedAt.getTime() : undefined;
  const columns: ShadowserverSslColumns = {
    handshake: hello?.version.name ?? "",
    cipher_suite: hello?.cipher_suite.name ?? "",
    // Negotiated with TLS 1.3 offered: a lower version means the server has no TLS 1.3.
    tlsv13_support: hello ? yn(tls13) : "",
    tlsv13_cipher: tls13 ? hello!.cipher_suite.name : "",
    browser_trusted: yn(certs?.validation.browser_trusted),
    browser_error: certs?.validation.browser_error ?? "",
    cert_expired: yn(expired),
  };
  if (!cert) return columns;
  Object.assign(columns, nameColumns("subject", cert.subject), nameColumns("issuer", cert.issuer), {
    cert_length: keyBits(cert),
    cert_issue_date: reportDate(cert.validity.start),
    cert_expiration_date: reportDate(cert.validity.end),
    sha1_fingerprint: colons(cert.fingerprint_sha1),
    sha256_fingerprint: colons(cert.fingerprint_sha256),
    sha512_fingerprint: colons(cert.fingerprint_sha512),
    md5_fingerprint: colons(cert.fingerprint_md5),
    cert_serial_number: serialHex(cert.serial_number),
    // Sits among the certificate columns and is 2 for v3 certificates: the encoded X.509 version.
    ssl_version: cert.version - 1,
    signature_algorithm: OPENSSL_SIGNATURE_NAMES[cert.signature_algorithm.oid] ?? cert.signature_algorithm.oid,
    key_algorithm: OPENSSL_KEY_NAMES[cert.subject_key_info.key_algorithm.oid] ?? cert.subject_key_info.key_algorithm.oid,
    self_signed: yn(cert.self_signed),
    // Not defined by Shadowserver; in its samples it is "Y" exactly for certificates that are neither
    // self-signed nor expired (trusted or not).
    cert_valid: yn(!cert.self_signed && !expired),
    validation_level: cert.validation_level,
  });
  return columns;
}

function nameColumns(prefix: "subject" | "issuer", n: ZCryptoName): ShadowserverSslColumns {
  const last = (v: string[] | undefined) => v?.at(-1) ?? "";
  return {
    [`${prefix}_common_name`]: last(n.common_name),
    [`${prefix}_organization_name`]: last(n.organization),
    [`${prefix}_organization_unit_name`]: last(n.organizational_unit),
    [`${prefix}_country`]: last(n.country),
    [`${prefix}_state_or_province_name`]: last(n.province),
    [`${prefix}_locality_name`]: last(n.locality),
    [`${prefix}_street_address`]: last(n.street_address),
    [`${prefix}_postal_code`]: last(n.postal_code),
    [`${prefix}_surname`]: last(n.surname),
    [`${prefix}_given_name`]: last(n.given_name),
    [`${prefix}_email_address`]: last(n.email_address),
    [`${prefix}_business_category`]: last(n.business_category),
    [`${prefix}_serial_number`]: last(n.serial_number),
  };
}

function keyBits(cert: ZCryptoCertificate): number | string {
  const k = cert.subject_key_info;
  return k.rsa_public_key?.length ?? (k.ecdsa_public_key?.length || undefined) ?? "";
}

/** "2014-06-23T09:56:32Z" → "2014-06-23 09:56:32". */
function reportDate(rfc3339: string): string {
  return rfc3339.replace("T", " ").replace(/Z$/, "");
}

function colons(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, "$1:");
}

function serialHex(decimal: string): string {
  const v = BigInt(decimal);
  return (v < 0n ? "-" + (-v).toString(16) : v.toString(16)).toUpperCase();
}
