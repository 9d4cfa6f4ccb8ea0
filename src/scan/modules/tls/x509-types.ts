/**
 * The parsed-certificate shape: zcrypto's JSON (what ZGrab2 and Censys emit under `parsed`), field for
 * field, so tagging rules port between them. Byte strings are base64 (as Go's encoding/json writes []byte),
 * fingerprints and key ids lowercase hex. A few additions are marked "iotscope".
 */

/** pkix.Name as zcrypto marshals it: one array per attribute type, in certificate order. */
export interface ZCryptoName {
  common_name?: string[];
  serial_number?: string[];
  country?: string[];
  locality?: string[];
  province?: string[];
  street_address?: string[];
  organization?: string[];
  organizational_unit?: string[];
  postal_code?: string[];
  domain_component?: string[];
  email_address?: string[];
  jurisdiction_locality?: string[];
  jurisdiction_province?: string[];
  jurisdiction_country?: string[];
  /** iotscope: zcrypto drops these three; Shadowserver reports them. */
  surname?: string[];
  given_name?: string[];
  business_category?: string[];
}

export interface ZCryptoGeneralNames {
  dns_names?: string[];
  email_addresses?: string[];
  ip_addresses?: string[];
  uniform_resource_identifiers?: string[];
  directory_names?: ZCryptoName[];
  other_names?: Array<{ id: string; value: string }>;
  registered_ids?: string[];
  edi_party_names?: Array<{ name_assigner?: string; party_name?: string }>;
}

export interface ZCryptoKeyUsage {
  digital_signature?: true;
  content_commitment?: true;
  key_encipherment?: true;
  data_encipherment?: true;
  key_agreement?: true;
  certificate_sign?: true;
  crl_sign?: true;
  encipher_only?: true;
  decipher_only?: true;
  /** The bits as an integer, bit i = 1 << i (Go's x509.KeyUsage). */
  value: number;
}

export interface ZCryptoSubtreeIp {
  cidr: string;
  begin?: string;
  end?: string;
  mask?: string;
}

export interface ZCryptoNameConstraints {
  critical: boolean;
  permitted_names?: string[];
  permitted_email_addresses?: string[];
  permitted_ip_addresses?: ZCryptoSubtreeIp[];
  permitted_directory_names?: ZCryptoName[];
  excluded_names?: string[];
  excluded_email_addresses?: string[];
  excluded_ip_addresses?: ZCryptoSubtreeIp[];
  excluded_directory_names?: ZCryptoName[];
}

export interface ZCryptoPolicy {
  id: string;
  cps?: string[];
  user_notice?: Array<{
    explicit_text?: string;
    notice_reference?: Array<{ organization?: string; notice_numbers?: number[] }>;
  }>;
}

export interface ZCryptoSct {
  version: number;
  log_id: string;
  timestamp: number;
  extensions?: string;
  signature: string;
}

/** Extended key usage: one `true` flag per known purpose, unknown OIDs listed. */
export type ZCryptoExtKeyUsage = { unknown?: string[] } & { [purpose: string]: true | string[] | undefined };

export interface ZCryptoExtensions {
  key_usage?: ZCryptoKeyUsage;
  basic_constraints?: { is_ca: boolean; max_path_len?: number };
  subject_alt_name?: ZCryptoGeneralNames;
  issuer_alt_name?: ZCryptoGeneralNames;
  name_constraints?: ZCryptoNameConstraints;
  crl_distribution_points?: string[];
  /** Hex. */
  authority_key_id?: string;
  /** Hex. */
  subject_key_id?: string;
  extended_key_usage?: ZCryptoExtKeyUsage;
  certificate_policies?: ZCryptoPolicy[];
  authority_info_access?: { ocsp_urls?: string[]; issuer_urls?: string[] };
  ct_poison?: boolean;
  signed_certificate_timestamps?: ZCryptoSct[];
}

export interface ZCryptoAlgorithm {
  name: string;
  oid: string;
}

export interface ZCryptoSubjectKeyInfo {
  /** zcrypto writes only the name; the oid is iotscope's, useful when the name is "unknown". */
  key_algorithm: ZCryptoAlgorithm;
  rsa_public_key?: { exponent: number; modulus: string; length: number };
  ecdsa_public_key?: { curve: string; length: number; x?: string; y?: string; pub: string };
  dsa_public_key?: { p: string; q: string; g: string; y: string };
  /** SHA-256 of the DER SubjectPublicKeyInfo, hex. */
  fingerprint_sha256: string;
}

export type ValidationLevel = "unknown" | "DV" | "OV" | "EV";

export interface ZCryptoCertificate {
  version: number;
  /** Decimal, signed (Go's big.Int.String()). */
  serial_number: string;
  signature_algorithm: ZCryptoAlgorithm;
  issuer: ZCryptoName;
  issuer_dn: string;
  /** RFC 3339 UTC, clamped to 1970..9999 as zcrypto does; length in seconds, unclamped. */
  validity: { start: string; end: string; length: number };
  subject: ZCryptoName;
  subject_dn: string;
  subject_key_info: ZCryptoSubjectKeyInfo;
  extensions: ZCryptoExtensions;
  unknown_extensions?: Array<{ id: string; critical: boolean; value: string }>;
  signature: {
    signature_algorithm: ZCryptoAlgorithm;
    value: string;
    /** Verified against the issuer: true when self-signed, or (in a scan) when the next certificate sent signs it. */
    valid: boolean;
    self_signed: boolean;
  };
  fingerprint_md5: string;
  fingerprint_sha1: string;
  fingerprint_sha256: string;
  /** iotscope: Shadowserver reports a SHA-512 fingerprint. */
  fingerprint_sha512: string;
  tbs_noct_fingerprint: string;
  spki_subject_fingerprint: string;
  tbs_fingerprint: string;
  validation_level: ValidationLevel;
  names?: string[];
  redacted: boolean;
  /** iotscope: same as signature.self_signed (issuer == subject and the signature verifies with its own key). */
  self_signed: boolean;
}

/** One certificate as a scan records it: always the DER, and either the parse or why it failed. */
export interface CertificateRecord {
  /** DER, base64. */
  raw: string;
  parsed?: ZCryptoCertificate;
  parse_error?: string;
}
