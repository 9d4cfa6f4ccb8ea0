/**
 * The shape of `data.ipp.result` (snake_case like ZGrab2's output). Every field is optional except the
 * request description, because a scan that breaks off keeps whatever it learnt.
 */
import type { IppValue } from "./decode.js";

/** name → value, or → array of values for a multi-valued (1setOf) attribute. */
export type IppAttributeMap = Record<string, IppValue | IppValue[]>;

/** One request of the scan (one connection each): resource path and IPP version fallbacks are tries. */
export interface IppTry {
  version: string;
  path: string;
  http_status?: number;
  status_code?: number;
  status_name?: string;
  /** Why this try did not produce the final answer, or how it failed. */
  error?: string;
}

/** Printer facts lifted out of the printer-attributes group (absent when the printer did not send them). */
export interface IppPrinterSummary {
  printer_name?: string;
  printer_info?: string;
  printer_location?: string;
  printer_make_and_model?: string;
  printer_more_info?: string;
  printer_device_id?: string;
  /** printer-device-id split into its IEEE 1284 keys (MFG, MDL, CMD, ...). */
  printer_device_id_fields?: Record<string, string>;
  printer_uuid?: string;
  printer_uri_supported?: string[];
  uri_security_supported?: string[];
  uri_authentication_supported?: string[];
  ipp_versions_supported?: string[];
  ipp_features_supported?: string[];
  printer_firmware_name?: string[];
  printer_firmware_string_version?: string[];
  /** octetString: text when printable, else hex. */
  printer_firmware_version?: string[];
  printer_organization?: string[];
  printer_organizational_unit?: string[];
  printer_wifi_ssid?: string;
  printer_dns_sd_name?: string;
  printer_geo_location?: string;
  /** "idle" / "processing" / "stopped". */
  printer_state?: string;
  printer_state_reasons?: string[];
  printer_state_message?: string;
  printer_is_accepting_jobs?: boolean;
  printer_up_time?: number;
  printer_current_time?: string;
  queued_job_count?: number;
  color_supported?: boolean;
  pages_per_minute?: number;
  document_format_supported?: string[];
  document_format_default?: string;
  /** Operation names ("Print-Job", "CUPS-Get-Printers", ...). */
  operations_supported?: string[];
  /** The `cups-version` attribute (CUPS 2.x sends it). */
  attr_cups_version?: string;
}

export interface IppResult extends IppPrinterSummary {
  /** True for IPPS (TLS from the first byte). */
  tls: boolean;
  tls_version?: string;
  tls_cipher?: string;
  /** The printer-uri and HTTP path of the request that gave the final answer. */
  printer_uri: string;
  path: string;
  /** IPP version of that request ("2.0", "1.1", "1.0"). */
  request_version: string;
  /** Every request made, in order. */
  tries: IppTry[];

  http_status?: number;
  http_reason?: string;
  /** Response headers, lower-cased names, repeated headers joined with ", ". */
  http_headers?: Record<string, string>;
  /** The Server header, e.g. "CUPS/2.4 IPP/2.1". */
  server?: string;
  content_type?: string;
  body_bytes?: number;
  /** False when the body broke off (the attributes below are then those decoded before the break). */
  body_complete?: boolean;

  /** Version in the IPP response header. */
  response_version?: string;
  status_code?: number;
  status_name?: string;
  request_id?: number;
  /** status-message operation attribute. */
  status_message?: string;
  /** Why the IPP body did not decode completely (the attributes are those read before the fault). */
  decode_error?: string;

  /**
   * "IPP/x.y" (Shadowserver's ipp_version column): the Server header's IPP/x.y token when there is one
   * (what ZGrab2 and Shadowserver report), else the highest ipp-versions-supported, else the response's.
   */
  ipp_version?: string;
  ipp_version_source?: "server-header" | "ipp-versions-supported" | "response";
  /** "CUPS/x.y[.z]" from the Server header, else "CUPS/" + the cups-version attribute. */
  cups_version?: string;

  operation_attributes?: IppAttributeMap;
  /** The printer-attributes group: every attribute the printer sent. */
  attributes?: IppAttributeMap;
  unsupported_attributes?: IppAttributeMap;
}
