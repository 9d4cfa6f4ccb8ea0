/**
 * Object identifiers and the names zcrypto gives them in its JSON (github.com/zmap/zcrypto x509 and pkix),
 * so that tagging rules written against ZGrab2/Censys output match ours.
 */

/** Distinguished-name attributes zcrypto puts into `subject`/`issuer` objects, by its JSON key. */
export const NAME_FIELDS: Record<string, string> = {
  "2.5.4.3": "common_name",
  "2.5.4.5": "serial_number",
  "2.5.4.6": "country",
  "2.5.4.7": "locality",
  "2.5.4.8": "province",
  "2.5.4.9": "street_address",
  "2.5.4.10": "organization",
  "2.5.4.11": "organizational_unit",
  "2.5.4.17": "postal_code",
  "0.9.2342.19200300.100.1.25": "domain_component",
  "1.2.840.113549.1.9.1": "email_address",
  "1.3.6.1.4.1.311.60.2.1.1": "jurisdiction_locality",
  "1.3.6.1.4.1.311.60.2.1.2": "jurisdiction_province",
  "1.3.6.1.4.1.311.60.2.1.3": "jurisdiction_country",
  // Not in zcrypto's JSON (it drops them), but Shadowserver's SSL report has columns for them.
  "2.5.4.4": "surname",
  "2.5.4.42": "given_name",
  "2.5.4.15": "business_category",
};

/** Short names used in `subject_dn`/`issuer_dn` (zcrypto's table follows OpenSSL's short names). */
export const NAME_SHORT: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.9": "street",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.12": "title",
  "2.5.4.13": "description",
  "2.5.4.15": "businessCategory",
  "2.5.4.17": "postalCode",
  "2.5.4.41": "name",
  "2.5.4.42": "GN",
  "2.5.4.43": "initials",
  "2.5.4.44": "generationQualifier",
  "2.5.4.46": "dnQualifier",
  "2.5.4.65": "pseudonym",
  "2.5.4.97": "organizationIdentifier",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "emailAddress",
  "1.2.840.113549.1.9.2": "unstructuredName",
  "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL",
  "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
  "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
};

/** Signature algorithms zcrypto knows, with its names; anything else is "unknown_algorithm". */
export const SIGNATURE_ALGORITHMS: Record<string, string> = {
  "1.2.840.113549.1.1.2": "MD2-RSA",
  "1.2.840.113549.1.1.4": "MD5-RSA",
  "1.2.840.113549.1.1.5": "SHA1-RSA",
  "1.3.14.3.2.29": "SHA1-RSA",
  "1.2.840.113549.1.1.11": "SHA256-RSA",
  "1.2.840.113549.1.1.12": "SHA384-RSA",
  "1.2.840.113549.1.1.13": "SHA512-RSA",
  "1.2.840.10040.4.3": "DSA-SHA1",
  "2.16.840.1.101.3.4.3.2": "DSA-SHA256",
  "1.2.840.10045.4.1": "ECDSA-SHA1",
  "1.2.840.10045.4.3.2": "ECDSA-SHA256",
  "1.2.840.10045.4.3.3": "ECDSA-SHA384",
  "1.2.840.10045.4.3.4": "ECDSA-SHA512",
  "1.3.101.112": "Ed25519",
};

export const OID_RSA_PSS = "1.2.840.113549.1.1.10";

/** RSASSA-PSS is named by the hash in its parameters; zcrypto supports these three. */
export const PSS_HASHES: Record<string, string> = {
  "2.16.840.1.101.3.4.2.1": "SHA256-RSAPSS",
  "2.16.840.1.101.3.4.2.2": "SHA384-RSAPSS",
  "2.16.840.1.101.3.4.2.3": "SHA512-RSAPSS",
};

export const KEY_RSA = "1.2.840.113549.1.1.1";
export const KEY_DSA = "1.2.840.10040.4.1";
export const KEY_EC = "1.2.840.10045.2.1";

export const KEY_ALGORITHMS: Record<string, string> = {
  [KEY_RSA]: "RSA",
  [KEY_DSA]: "DSA",
  [KEY_EC]: "ECDSA",
  "1.3.101.112": "Ed25519",
  "1.3.101.110": "X25519",
};

/** Named curves: Go's names (P-256 ...) where Go has the curve, OpenSSL's otherwise; and their size in bits. */
export const CURVES: Record<string, { name: string; bits: number }> = {
  "1.2.840.10045.3.1.1": { name: "P-192", bits: 192 },
  "1.3.132.0.33": { name: "P-224", bits: 224 },
  "1.2.840.10045.3.1.7": { name: "P-256", bits: 256 },
  "1.3.132.0.34": { name: "P-384", bits: 384 },
  "1.3.132.0.35": { name: "P-521", bits: 521 },
  "1.3.132.0.10": { name: "secp256k1", bits: 256 },
  "1.3.36.3.3.2.8.1.1.7": { name: "brainpoolP256r1", bits: 256 },
  "1.3.36.3.3.2.8.1.1.11": { name: "brainpoolP384r1", bits: 384 },
  "1.3.36.3.3.2.8.1.1.13": { name: "brainpoolP512r1", bits: 512 },
};

/** Extended key usages: zcrypto's boolean flag names (auxExtendedKeyUsage). */
export const EXT_KEY_USAGES: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "server_auth",
  "1.3.6.1.5.5.7.3.2": "client_auth",
  "1.3.6.1.5.5.7.3.3": "code_signing",
  "1.3.6.1.5.5.7.3.4": "email_protection",
  "1.3.6.1.5.5.7.3.5": "ipsec_end_system",
  "1.3.6.1.5.5.7.3.6": "ipsec_tunnel",
  "1.3.6.1.5.5.7.3.7": "ipsec_user",
  "1.3.6.1.5.5.7.3.8": "time_stamping",
  "1.3.6.1.5.5.7.3.9": "ocsp_signing",
  "1.3.6.1.5.5.7.3.10": "dvcs",
  "1.3.6.1.5.5.7.3.11": "sbgp_cert_aa_service_auth",
  "1.3.6.1.5.5.7.3.13": "eap_over_ppp",
  "1.3.6.1.5.5.7.3.14": "eap_over_lan",
  "2.5.29.37.0": "any",
  "2.16.840.1.113730.4.1": "netscape_server_gated_crypto",
  "1.3.6.1.4.1.311.10.3.3": "microsoft_server_gated_crypto",
  "1.3.6.1.4.1.311.10.3.1": "microsoft_cert_trust_list_signing",
  "1.3.6.1.4.1.311.10.3.2": "microsoft_timestamp_signing",
  "1.3.6.1.4.1.311.10.3.4": "microsoft_encrypted_file_system",
  "1.3.6.1.4.1.311.10.3.4.1": "microsoft_efs_recovery",
  "1.3.6.1.4.1.311.10.3.12": "microsoft_document_signing",
  "1.3.6.1.4.1.311.20.2.2": "microsoft_smartcard_logon",
  "1.3.6.1.4.1.311.61.1.1": "microsoft_kernel_mode_code_signing",
  "1.2.840.113635.100.4.1": "apple_code_signing",
};

/** Key usage bits in BIT STRING order, with zcrypto's flag names. */
export const KEY_USAGE_BITS = [
  "digital_signature",
  "content_commitment",
  "key_encipherment",
  "data_encipherment",
  "key_agreement",
  "certificate_sign",
  "crl_sign",
  "encipher_only",
  "decipher_only",
] as const;

export const EXT = {
  SUBJECT_KEY_ID: "2.5.29.14",
  KEY_USAGE: "2.5.29.15",
  SUBJECT_ALT_NAME: "2.5.29.17",
  ISSUER_ALT_NAME: "2.5.29.18",
  BASIC_CONSTRAINTS: "2.5.29.19",
  NAME_CONSTRAINTS: "2.5.29.30",
  CRL_DISTRIBUTION_POINTS: "2.5.29.31",
  CERTIFICATE_POLICIES: "2.5.29.32",
  AUTHORITY_KEY_ID: "2.5.29.35",
  EXT_KEY_USAGE: "2.5.29.37",
  AUTHORITY_INFO_ACCESS: "1.3.6.1.5.5.7.1.1",
  CT_POISON: "1.3.6.1.4.1.11129.2.4.3",
  SCT_LIST: "1.3.6.1.4.1.11129.2.4.2",
} as const;

export const AIA_OCSP = "1.3.6.1.5.5.7.48.1";
export const AIA_CA_ISSUERS = "1.3.6.1.5.5.7.48.2";
export const QUALIFIER_CPS = "1.3.6.1.5.5.7.2.1";
export const QUALIFIER_USER_NOTICE = "1.3.6.1.5.5.7.2.2";

/** Policy OIDs that mark Extended Validation (CA/Browser Forum plus the CA-specific ones zcrypto lists). */
export const EV_POLICIES = new Set([
  "2.23.140.1.1",
  "2.23.140.1.3",
  "2.23.140.1.31",
  "1.3.6.1.4.1.17326.10.14.2.1.2",
  "1.3.6.1.4.1.17326.10.14.2.2.2",
  "1.3.6.1.4.1.17326.10.8.12.1.2",
  "1.3.6.1.4.1.17326.10.8.12.2.2",
  "1.3.159.1.17.1",
  "1.3.6.1.4.1.34697.2.1",
  "1.3.6.1.4.1.34697.2.2",
  "1.3.6.1.4.1.34697.2.3",
  "1.3.6.1.4.1.34697.2.4",
  "1.3.6.1.4.1.13177.10.1.3.10",
  "2.16.578.1.26.1.3.3",
  "1.3.6.1.4.1.36305.2",
  "1.3.6.1.4.1.22234.2.5.2.3.1",
  "1.2.616.1.113527.2.5.1.1",
  "1.3.6.1.4.1.29836.1.10",
  "1.3.6.1.4.1.6449.1.2.1.5.1",
  "1.3.6.1.4.1.6334.1.100.1",
  "2.16.840.1.114412.2.1",
  "1.3.6.1.4.1.4788.2.202.1",
  "2.16.840.1.114028.10.1.2",
  "2.16.792.3.0.4.1.1.4",
  "1.3.6.1.4.1.14370.1.6",
  "1.3.6.1.4.1.4146.1.1",
  "2.16.840.1.114413.1.7.23.3",
  "1.3.6.1.4.1.14777.6.1.1",
  "1.3.6.1.4.1.14777.6.1.2",
  "1.3.6.1.4.1.782.1.2.1.8.1",
  "1.3.6.1.4.1.8024.0.2.100.1.2",
  "2.16.840.1.114404.1.1.2.4.1",
  "1.2.392.200091.100.721.1",
  "2.16.528.1.1003.1.2.7",
  "1.3.6.1.4.1.23223.1.1.1",
  "2.16.840.1.114414.1.7.23.3",
  "2.16.840.1.114414.1.7.24.3",
  "2.16.756.1.89.1.2.1.1",
  "2.16.756.1.83.21.0",
  "2.16.840.1.113733.1.7.48.1",
  "1.3.6.1.4.1.40869.1.1.22.3",
  "1.3.6.1.4.1.7879.13.24.1",
  "2.16.840.1.113733.1.7.23.6",
  "2.16.840.1.114171.500.9",
  "2.16.156.112554.3",
  "2.16.756.5.14.7.4.8",
  "2.16.792.3.0.3.1.1.5",
]);

export const OV_POLICIES = new Set([
  "2.23.140.1.2.2",
  "2.23.140.1.2.3",
  "2.16.840.1.114412.1.1",
  "1.3.6.1.4.1.4788.2.200.1",
  "2.16.840.1.114413.1.7.23.2",
  "2.16.528.1.1003.1.2.5.6",
  "1.3.6.1.4.1.8024.0.2.100.1.1",
  "2.16.840.1.114414.1.7.23.2",
  "2.16.792.3.0.3.1.1.2",
]);

export const DV_POLICIES = new Set(["2.23.140.1.2.1"]);
