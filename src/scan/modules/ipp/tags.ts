/**
 * IPP's numbers and their names (RFC 8010 §3.5 for tags, RFC 8011 §4.1.8 and the IANA IPP registry for
 * status codes and operations). Names are what results carry: tagging rules match "client-error-forbidden",
 * not 0x0401.
 */

/** Delimiter tags: 0x00–0x0f start an attribute group, except 0x03 which ends the attributes. */
export const END_OF_ATTRIBUTES = 0x03;

export const groupNames: Readonly<Record<number, string>> = {
  0x01: "operation-attributes",
  0x02: "job-attributes",
  0x04: "printer-attributes",
  0x05: "unsupported-attributes",
  0x06: "subscription-attributes",
  0x07: "event-notification-attributes",
  0x08: "resource-attributes",
  0x09: "document-attributes",
  0x0a: "system-attributes",
};

export const tag = {
  operationAttributes: 0x01,
  printerAttributes: 0x04,
  unsupportedAttributes: 0x05,
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  octetString: 0x30,
  dateTime: 0x31,
  resolution: 0x32,
  rangeOfInteger: 0x33,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  text: 0x41,
  name: 0x42,
  keyword: 0x44,
  uri: 0x45,
  uriScheme: 0x46,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
  extension: 0x7f,
} as const;

/** Syntax names of the value tags, as ipptool prints them. */
export const valueTagNames: Readonly<Record<number, string>> = {
  0x10: "unsupported",
  0x11: "default",
  0x12: "unknown",
  0x13: "no-value",
  0x15: "not-settable",
  0x16: "delete-attribute",
  0x17: "admin-define",
  0x21: "integer",
  0x22: "boolean",
  0x23: "enum",
  0x30: "octetString",
  0x31: "dateTime",
  0x32: "resolution",
  0x33: "rangeOfInteger",
  0x34: "collection",
  0x35: "textWithLanguage",
  0x36: "nameWithLanguage",
  0x37: "endCollection",
  0x41: "textWithoutLanguage",
  0x42: "nameWithoutLanguage",
  0x44: "keyword",
  0x45: "uri",
  0x46: "uriScheme",
  0x47: "charset",
  0x48: "naturalLanguage",
  0x49: "mimeMediaType",
  0x4a: "memberAttrName",
  0x7f: "extension",
};

export function groupName(t: number): string {
  return groupNames[t] ?? `group-0x${hex2(t)}`;
}

export function valueTagName(t: number): string {
  return valueTagNames[t] ?? `tag-0x${hex2(t)}`;
}

/** Out-of-band values (0x10–0x1f) carry no data: the tag is the value. */
export function isOutOfBand(t: number): boolean {
  return t >= 0x10 && t <= 0x1f;
}

/** Character-string tags (0x40–0x5f, RFC 8010 §3.5.2), decoded as UTF-8 text. */
export function isCharacterString(t: number): boolean {
  return t >= 0x40 && t <= 0x5f;
}

const statusNames: Readonly<Record<number, string>> = {
  0x0000: "successful-ok",
  0x0001: "successful-ok-ignored-or-substituted-attributes",
  0x0002: "successful-ok-conflicting-attributes",
  0x0003: "successful-ok-ignored-subscriptions",
  0x0005: "successful-ok-too-many-events",
  0x0007: "successful-ok-events-complete",
  0x0400: "client-error-bad-request",
  0x0401: "client-error-forbidden",
  0x0402: "client-error-not-authenticated",
  0x0403: "client-error-not-authorized",
  0x0404: "client-error-not-possible",
  0x0405: "client-error-timeout",
  0x0406: "client-error-not-found",
  0x0407: "client-error-gone",
  0x0408: "client-error-request-entity-too-large",
  0x0409: "client-error-request-value-too-long",
  0x040a: "client-error-document-format-not-supported",
  0x040b: "client-error-attributes-or-values-not-supported",
  0x040c: "client-error-uri-scheme-not-supported",
  0x040d: "client-error-charset-not-supported",
  0x040e: "client-error-conflicting-attributes",
  0x040f: "client-error-compression-not-supported",
  0x0410: "client-error-compression-error",
  0x0411: "client-error-document-format-error",
  0x0412: "client-error-document-access-error",
  0x0413: "client-error-attributes-not-settable",
  0x0414: "client-error-ignored-all-subscriptions",
  0x0415: "client-error-too-many-subscriptions",
  0x0418: "client-error-document-password-error",
  0x0419: "client-error-document-permission-error",
  0x041a: "client-error-document-security-error",
  0x041b: "client-error-document-unprintable-error",
  0x041c: "client-error-account-info-needed",
  0x041d: "client-error-account-closed",
  0x041e: "client-error-account-limit-reached",
  0x041f: "client-error-account-authorization-failed",
  0x0420: "client-error-not-fetchable",
  0x0500: "server-error-internal-error",
  0x0501: "server-error-operation-not-supported",
  0x0502: "server-error-service-unavailable",
  0x0503: "server-error-version-not-supported",
  0x0504: "server-error-device-error",
  0x0505: "server-error-temporary-error",
  0x0506: "server-error-not-accepting-jobs",
  0x0507: "server-error-busy",
  0x0508: "server-error-job-canceled",
  0x0509: "server-error-multiple-document-jobs-not-supported",
  0x050a: "server-error-printer-is-deactivated",
  0x050b: "server-error-too-many-jobs",
  0x050c: "server-error-too-many-documents",
};

export const STATUS_BAD_REQUEST = 0x0400;
export const STATUS_NOT_FOUND = 0x0406;
export const STATUS_VERSION_NOT_SUPPORTED = 0x0503;

/** The registered name, or the class and number for codes the registry does not know. */
export function statusName(code: number): string {
  const known = statusNames[code];
  if (known) return known;
  const cls = code < 0x0100 ? "successful" : code < 0x0200 ? "informational" : code < 0x0400 ? "redirection" : code < 0x0500 ? "client-error" : code < 0x0600 ? "server-error" : "unknown";
  return `${cls}-0x${code.toString(16).padStart(4, "0")}`;
}

/** Status codes 0x0000–0x03ff are successes (with or without remarks); 0x0400 and up are errors. */
export function isSuccessStatus(code: number): boolean {
  return code < 0x0400;
}

const operationNames: Readonly<Record<number, string>> = {
  0x0002: "Print-Job",
  0x0003: "Print-URI",
  0x0004: "Validate-Job",
  0x0005: "Create-Job",
  0x0006: "Send-Document",
  0x0007: "Send-URI",
  0x0008: "Cancel-Job",
  0x0009: "Get-Job-Attributes",
  0x000a: "Get-Jobs",
  0x000b: "Get-Printer-Attributes",
  0x000c: "Hold-Job",
  0x000d: "Release-Job",
  0x000e: "Restart-Job",
  0x0010: "Pause-Printer",
  0x0011: "Resume-Printer",
  0x0012: "Purge-Jobs",
  0x0013: "Set-Printer-Attributes",
  0x0014: "Set-Job-Attributes",
  0x0015: "Get-Printer-Supported-Values",
  0x0016: "Create-Printer-Subscriptions",
  0x0017: "Create-Job-Subscriptions",
  0x0018: "Get-Subscription-Attributes",
  0x0019: "Get-Subscriptions",
  0x001a: "Renew-Subscription",
  0x001b: "Cancel-Subscription",
  0x001c: "Get-Notifications",
  0x0022: "Enable-Printer",
  0x0023: "Disable-Printer",
  0x0024: "Pause-Printer-After-Current-Job",
  0x0025: "Hold-New-Jobs",
  0x0026: "Release-Held-New-Jobs",
  0x0027: "Deactivate-Printer",
  0x0028: "Activate-Printer",
  0x0029: "Restart-Printer",
  0x002a: "Shutdown-Printer",
  0x002b: "Startup-Printer",
  0x002c: "Reprocess-Job",
  0x002d: "Cancel-Current-Job",
  0x002e: "Suspend-Current-Job",
  0x002f: "Resume-Job",
  0x0030: "Promote-Job",
  0x0031: "Schedule-Job-After",
  0x0033: "Cancel-Document",
  0x0034: "Get-Document-Attributes",
  0x0035: "Get-Documents",
  0x0036: "Delete-Document",
  0x0037: "Set-Document-Attributes",
  0x0038: "Cancel-Jobs",
  0x0039: "Cancel-My-Jobs",
  0x003a: "Resubmit-Job",
  0x003b: "Close-Job",
  0x003c: "Identify-Printer",
  0x003d: "Validate-Document",
  0x003e: "Add-Document-Images",
  0x003f: "Acknowledge-Document",
  0x0040: "Acknowledge-Identify-Printer",
  0x0041: "Acknowledge-Job",
  0x0042: "Fetch-Document",
  0x0043: "Fetch-Job",
  0x0044: "Get-Output-Device-Attributes",
  0x0045: "Update-Active-Jobs",
  0x0046: "Deregister-Output-Device",
  0x0047: "Update-Document-Status",
  0x0048: "Update-Job-Status",
  0x0049: "Update-Output-Device-Attributes",
  0x004a: "Get-Next-Document-Data",
  0x4001: "CUPS-Get-Default",
  0x4002: "CUPS-Get-Printers",
  0x4003: "CUPS-Add-Modify-Printer",
  0x4004: "CUPS-Delete-Printer",
  0x4005: "CUPS-Get-Classes",
  0x4006: "CUPS-Add-Modify-Class",
  0x4007: "CUPS-Delete-Class",
  0x4008: "CUPS-Accept-Jobs",
  0x4009: "CUPS-Reject-Jobs",
  0x400a: "CUPS-Set-Default",
  0x400b: "CUPS-Get-Devices",
  0x400c: "CUPS-Get-PPDs",
  0x400d: "CUPS-Move-Job",
  0x400e: "CUPS-Authenticate-Job",
  0x400f: "CUPS-Get-PPD",
  0x4027: "CUPS-Get-Document",
  0x4028: "CUPS-Create-Local-Printer",
};

export const OPERATION_GET_PRINTER_ATTRIBUTES = 0x000b;

export function operationName(id: number): string {
  return operationNames[id] ?? `0x${id.toString(16).padStart(4, "0")}`;
}

const printerStates: Readonly<Record<number, string>> = { 3: "idle", 4: "processing", 5: "stopped" };

export function printerStateName(value: number): string {
  return printerStates[value] ?? String(value);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}
