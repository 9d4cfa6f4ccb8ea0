/**
 * Pure functions from a decoded IPP response (and the HTTP Server header) to the result's fields: the
 * attribute maps, the printer facts that tagging rules and Shadowserver-style reports need, and the IPP /
 * CUPS versions.
 */
import { setOwn, type IppGroup, type IppMessage, type IppValue } from "./decode.js";
import { parseIppVersion } from "./encode.js";
import type { IppAttributeMap, IppPrinterSummary, IppResult } from "./result.js";
import { operationName, printerStateName, statusName, tag } from "./tags.js";

/** A group's attributes as name → value (one value) or → array (1setOf); repeated names are merged. */
export function attributeMap(group: IppGroup): IppAttributeMap {
  const values = new Map<string, IppValue[]>();
  for (const a of group.attributes) {
    const list = values.get(a.name);
    if (list) list.push(...a.values);
    else values.set(a.name, [...a.values]);
  }
  const out: IppAttributeMap = {};
  for (const [name, list] of values) setOwn(out, name, list.length === 1 ? list[0]! : list);
  return out;
}

/** The IPP part of the result: header fields, attribute maps and the printer summary. */
export function describeResponse(message: IppMessage): Partial<IppResult> {
  const out: Partial<IppResult> = {
    response_version: `${message.version_major}.${message.version_minor}`,
    status_code: message.code,
    status_name: statusName(message.code),
    request_id: message.request_id,
  };
  const operation = message.groups.find((g) => g.tag === tag.operationAttributes);
  const printer = message.groups.find((g) => g.tag === tag.printerAttributes);
  const unsupported = message.groups.find((g) => g.tag === tag.unsupportedAttributes);
  if (operation) {
    out.operation_attributes = attributeMap(operation);
    const message = firstText(out.operation_attributes["status-message"]);
    if (message !== undefined) out.status_message = message;
  }
  if (printer) {
    out.attributes = attributeMap(printer);
    Object.assign(out, summarizePrinter(out.attributes));
  }
  if (unsupported) out.unsupported_attributes = attributeMap(unsupported);
  return out;
}

export function summarizePrinter(a: IppAttributeMap): IppPrinterSummary {
  const s: IppPrinterSummary = {};
  const one = (key: keyof IppPrinterSummary, attr: string) => {
    const v = firstText(a[attr]);
    if (v !== undefined) (s as Record<string, unknown>)[key] = v;
  };
  const many = (key: keyof IppPrinterSummary, attr: string) => {
    const v = allText(a[attr]);
    if (v !== undefined) (s as Record<string, unknown>)[key] = v;
  };
  const num = (key: keyof IppPrinterSummary, attr: string) => {
    const v = first(a[attr]);
    if (typeof v === "number") (s as Record<string, unknown>)[key] = v;
  };
  const bool = (key: keyof IppPrinterSummary, attr: string) => {
    const v = first(a[attr]);
    if (typeof v === "boolean") (s as Record<string, unknown>)[key] = v;
  };
  one("printer_name", "printer-name");
  one("printer_info", "printer-info");
  one("printer_location", "printer-location");
  one("printer_make_and_model", "printer-make-and-model");
  one("printer_more_info", "printer-more-info");
  one("printer_device_id", "printer-device-id");
  if (s.printer_device_id !== undefined) s.printer_device_id_fields = parseDeviceId(s.printer_device_id);
  one("printer_uuid", "printer-uuid");
  many("printer_uri_supported", "printer-uri-supported");
  many("uri_security_supported", "uri-security-supported");
  many("uri_authentication_supported", "uri-authentication-supported");
  many("ipp_versions_supported", "ipp-versions-supported");
  many("ipp_features_supported", "ipp-features-supported");
  many("printer_firmware_name", "printer-firmware-name");
  many("printer_firmware_string_version", "printer-firmware-string-version");
  many("printer_firmware_version", "printer-firmware-version");
  many("printer_organization", "printer-organization");
  many("printer_organizational_unit", "printer-organizational-unit");
  one("printer_wifi_ssid", "printer-wifi-ssid");
  one("printer_dns_sd_name", "printer-dns-sd-name");
  one("printer_geo_location", "printer-geo-location");
  const state = first(a["printer-state"]);
  if (typeof state === "number") s.printer_state = printerStateName(state);
  many("printer_state_reasons", "printer-state-reasons");
  one("printer_state_message", "printer-state-message");
  bool("printer_is_accepting_jobs", "printer-is-accepting-jobs");
  num("printer_up_time", "printer-up-time");
  one("printer_current_time", "printer-current-time");
  num("queued_job_count", "queued-job-count");
  bool("color_supported", "color-supported");
  num("pages_per_minute", "pages-per-minute");
  many("document_format_supported", "document-format-supported");
  one("document_format_default", "document-format-default");
  const ops = list(a["operations-supported"]).filter((v): v is number => typeof v === "number");
  if (ops.length > 0) s.operations_supported = ops.map(operationName);
  one("attr_cups_version", "cups-version");
  return s;
}

/** IEEE 1284 device ID ("MFG:Acme;MDL:LaserJet 9000;CMD:PWG,URF;") as key → value. */
export function parseDeviceId(id: string): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const part of id.split(";")) {
    const colon = part.indexOf(":");
    if (colon <= 0) continue;
    if (++n > 64) break;
    setOwn(out, part.slice(0, colon).trim(), part.slice(colon + 1).trim());
  }
  return out;
}

/** The IPP/x.y and CUPS/x.y tokens of a Server header ("CUPS/2.2 IPP/2.1"), as sent. */
export function serverVersions(server: string | undefined): { ipp?: string; cups?: string } {
  const out: { ipp?: string; cups?: string } = {};
  for (const token of (server ?? "").split(/[\s,]+/)) {
    if (out.ipp === undefined && /^IPP\/\d+(\.\d+)*$/i.test(token)) out.ipp = `IPP/${token.slice(4)}`;
    if (out.cups === undefined && /^CUPS\/\d+(\.\d+)*/i.test(token)) out.cups = `CUPS/${token.slice(5)}`;
  }
  return out;
}

/** The ipp_version / ipp_version_source / cups_version fields (see IppResult for the precedence). */
export function versionFields(server: string | undefined, r: Partial<IppResult>): Pick<IppResult, "ipp_version" | "ipp_version_source" | "cups_version"> {
  const fromServer = serverVersions(server);
  const out: Pick<IppResult, "ipp_version" | "ipp_version_source" | "cups_version"> = {};
  const highest = highestVersion(r.ipp_versions_supported ?? []);
  if (fromServer.ipp !== undefined) {
    out.ipp_version = fromServer.ipp;
    out.ipp_version_source = "server-header";
  } else if (highest !== undefined) {
    out.ipp_version = `IPP/${highest}`;
    out.ipp_version_source = "ipp-versions-supported";
  } else if (r.response_version !== undefined) {
    out.ipp_version = `IPP/${r.response_version}`;
    out.ipp_version_source = "response";
  }
  if (fromServer.cups !== undefined) out.cups_version = fromServer.cups;
  else if (r.attr_cups_version !== undefined) out.cups_version = `CUPS/${r.attr_cups_version}`;
  return out;
}

function highestVersion(versions: string[]): string | undefined {
  let best: { text: string; rank: number } | undefined;
  for (const text of versions) {
    const v = parseIppVersion(text);
    if (!v) continue;
    const rank = v.major * 256 + v.minor;
    if (!best || rank > best.rank) best = { text: `${v.major}.${v.minor}`, rank };
  }
  return best?.text;
}

function list(v: IppValue | IppValue[] | undefined): IppValue[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function first(v: IppValue | IppValue[] | undefined): IppValue | undefined {
  return list(v)[0];
}

/** A value as text: strings as they are, text-with-language's text, opaque octets as hex; else nothing. */
export function valueText(v: IppValue | undefined): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (v && typeof v === "object" && Object.keys(v).length === 2) {
    // Shapes decodeIppValue makes; a collection that happens to have such members has other keys too.
    if ("text" in v && typeof v.text === "string" && "language" in v) return v.text;
    if ("hex" in v && typeof v.hex === "string" && "tag" in v) return v.hex;
  }
  return undefined;
}

function firstText(v: IppValue | IppValue[] | undefined): string | undefined {
  return valueText(first(v));
}

function allText(v: IppValue | IppValue[] | undefined): string[] | undefined {
  const texts = list(v)
    .map(valueText)
    .filter((t): t is string => t !== undefined);
  return texts.length > 0 ? texts : undefined;
}
