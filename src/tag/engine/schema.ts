/**
 * Field names the scan pillar emits, per kind (docs/scan-modules/*.md), so that lint can flag a path
 * that no record will ever have (`subject.cn` for `subject.common_name`). A tree: `true` accepts
 * anything below; a nested object lists the names accepted one level down. Kinds not listed here are
 * not checked.
 */
type Schema = { readonly [name: string]: Schema | true };

const name: Schema = Object.fromEntries(
  [
    "common_name",
    "serial_number",
    "country",
    "locality",
    "province",
    "street_address",
    "organization",
    "organizational_unit",
    "postal_code",
    "domain_component",
    "email_address",
    "jurisdiction_locality",
    "jurisdiction_province",
    "jurisdiction_country",
    "surname",
    "given_name",
    "business_category",
  ].map((n) => [n, true]),
);

const generalNames: Schema = {
  dns_names: true,
  email_addresses: true,
  ip_addresses: true,
  uniform_resource_identifiers: true,
  directory_names: name,
  other_names: true,
  registered_ids: true,
  edi_party_names: true,
};

const algorithm: Schema = { name: true, oid: true };

const x509: Schema = {
  version: true,
  serial_number: true,
  signature_algorithm: algorithm,
  subject: name,
  issuer: name,
  subject_dn: true,
  issuer_dn: true,
  validity: { start: true, end: true, length: true },
  subject_key_info: {
    key_algorithm: algorithm,
    rsa_public_key: { exponent: true, modulus: true, length: true },
    ecdsa_public_key: { curve: true, length: true, x: true, y: true, pub: true },
    dsa_public_key: { p: true, q: true, g: true, y: true },
    fingerprint_sha256: true,
  },
  extensions: {
    key_usage: true,
    basic_constraints: { is_ca: true, max_path_len: true },
    subject_alt_name: generalNames,
    issuer_alt_name: generalNames,
    name_constraints: true,
    crl_distribution_points: true,
    authority_key_id: true,
    subject_key_id: true,
    extended_key_usage: true,
    certificate_policies: true,
    authority_info_access: { ocsp_urls: true, issuer_urls: true },
    ct_poison: true,
    signed_certificate_timestamps: true,
  },
  unknown_extensions: { id: true, critical: true, value: true },
  signature: { signature_algorithm: algorithm, value: true, valid: true, self_signed: true },
  fingerprint_md5: true,
  fingerprint_sha1: true,
  fingerprint_sha256: true,
  fingerprint_sha512: true,
  tbs_fingerprint: true,
  tbs_noct_fingerprint: true,
  spki_subject_fingerprint: true,
  validation_level: true,
  names: true,
  redacted: true,
  self_signed: true,
};

const flat = (names: string): Schema => Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, true]));

export const resultSchemas: Readonly<Record<string, Schema>> = {
  x509,
  tls: flat("server_name handshake_time_ms handshake_log with_sni"),
  mqtt: flat(`protocol_version client_id tls response_type raw_response raw_response_truncated connect_return_code hex_code
    code session_present anonymous_access properties subscribe broker_version`),
  coap: flat(`message_type code code_class code_detail message_id token options content_format content_format_name payload
    payload_encoding payload_size payload_truncated resources link_format_errors link_format_truncated rst empty_ack
    separate_response blockwise response_size request_size amplification rtt_ms request bytes_sent bytes_received
    datagrams_received ignored_datagrams retransmissions malformed_response`),
  ipp: flat(`tls tls_version tls_cipher printer_uri path request_version tries http_status http_reason http_headers server
    content_type body_bytes body_complete response_version status_code status_name request_id status_message decode_error
    operation_attributes attributes unsupported_attributes ipp_version ipp_version_source cups_version printer_name
    printer_info printer_location printer_make_and_model printer_more_info printer_device_id printer_device_id_fields
    printer_uuid printer_uri_supported uri_security_supported uri_authentication_supported ipp_versions_supported
    ipp_features_supported printer_firmware_name printer_firmware_string_version printer_firmware_version
    printer_organization printer_organizational_unit printer_wifi_ssid printer_dns_sd_name printer_geo_location
    printer_state printer_state_reasons printer_state_message printer_is_accepting_jobs printer_up_time
    printer_current_time queued_job_count color_supported pages_per_minute document_format_supported
    document_format_default operations_supported attr_cups_version`),
};

/**
 * Whether records of `kind` can have `segments` (index steps skipped). Undefined when the kind has no
 * schema here; otherwise the first unknown name, or null when all are known.
 */
export function unknownSegment(kind: string, segments: readonly (string | number)[]): string | null | undefined {
  let schema: Schema | true | undefined = resultSchemas[kind];
  if (schema === undefined) return undefined;
  for (const seg of segments) {
    if (typeof seg === "number") continue;
    if (schema === true) return null;
    const next: Schema | true | undefined = Object.hasOwn(schema, seg) ? schema[seg] : undefined;
    if (next === undefined) return seg;
    schema = next;
  }
  return null;
}
