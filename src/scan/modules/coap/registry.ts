/**
 * Names from the IANA CoRE Parameters registry (codes, options, content formats), so results carry
 * "2.05 Content" and "application/link-format" rather than bare numbers.
 */

export type CoapMessageType = "CON" | "NON" | "ACK" | "RST";
export const messageTypes: readonly CoapMessageType[] = ["CON", "NON", "ACK", "RST"];

export type CoapCodeClass = "empty" | "request" | "success" | "client-error" | "server-error" | "signaling" | "reserved";

const codeDetails: Record<string, string> = {
  "0.00": "Empty",
  "0.01": "GET",
  "0.02": "POST",
  "0.03": "PUT",
  "0.04": "DELETE",
  "0.05": "FETCH",
  "0.06": "PATCH",
  "0.07": "iPATCH",
  "2.01": "Created",
  "2.02": "Deleted",
  "2.03": "Valid",
  "2.04": "Changed",
  "2.05": "Content",
  "2.31": "Continue",
  "4.00": "Bad Request",
  "4.01": "Unauthorized",
  "4.02": "Bad Option",
  "4.03": "Forbidden",
  "4.04": "Not Found",
  "4.05": "Method Not Allowed",
  "4.06": "Not Acceptable",
  "4.08": "Request Entity Incomplete",
  "4.09": "Conflict",
  "4.12": "Precondition Failed",
  "4.13": "Request Entity Too Large",
  "4.15": "Unsupported Content-Format",
  "4.22": "Unprocessable Entity",
  "4.29": "Too Many Requests",
  "5.00": "Internal Server Error",
  "5.01": "Not Implemented",
  "5.02": "Bad Gateway",
  "5.03": "Service Unavailable",
  "5.04": "Gateway Timeout",
  "5.05": "Proxying Not Supported",
  "5.08": "Hop Limit Reached",
  "7.00": "Unassigned",
  "7.01": "CSM",
  "7.02": "Ping",
  "7.03": "Pong",
  "7.04": "Release",
  "7.05": "Abort",
};

/** "c.dd" text of a code byte (3-bit class, 5-bit detail), as RFC 7252 writes it. */
export function codeText(code: number): string {
  return `${code >> 5}.${String(code & 0x1f).padStart(2, "0")}`;
}

export function codeClass(code: number): CoapCodeClass {
  if (code === 0) return "empty";
  switch (code >> 5) {
    case 0:
      return "request";
    case 2:
      return "success";
    case 4:
      return "client-error";
    case 5:
      return "server-error";
    case 7:
      return "signaling";
    default:
      return "reserved";
  }
}

export function codeDetail(code: number): string | undefined {
  return codeDetails[codeText(code)];
}

/** How an option's value is shown: RFC 7252 §3.2 formats. */
export type OptionFormat = "empty" | "opaque" | "uint" | "string";

const optionTable: Record<number, { name: string; format: OptionFormat }> = {
  1: { name: "If-Match", format: "opaque" },
  3: { name: "Uri-Host", format: "string" },
  4: { name: "ETag", format: "opaque" },
  5: { name: "If-None-Match", format: "empty" },
  6: { name: "Observe", format: "uint" },
  7: { name: "Uri-Port", format: "uint" },
  8: { name: "Location-Path", format: "string" },
  9: { name: "OSCORE", format: "opaque" },
  11: { name: "Uri-Path", format: "string" },
  12: { name: "Content-Format", format: "uint" },
  14: { name: "Max-Age", format: "uint" },
  15: { name: "Uri-Query", format: "string" },
  16: { name: "Hop-Limit", format: "uint" },
  17: { name: "Accept", format: "uint" },
  19: { name: "Q-Block1", format: "uint" },
  20: { name: "Location-Query", format: "string" },
  21: { name: "EDHOC", format: "empty" },
  23: { name: "Block2", format: "uint" },
  27: { name: "Block1", format: "uint" },
  28: { name: "Size2", format: "uint" },
  31: { name: "Q-Block2", format: "uint" },
  35: { name: "Proxy-Uri", format: "string" },
  39: { name: "Proxy-Scheme", format: "string" },
  60: { name: "Size1", format: "uint" },
  252: { name: "Echo", format: "opaque" },
  258: { name: "No-Response", format: "uint" },
  292: { name: "Request-Tag", format: "opaque" },
  2049: { name: "OCF-Accept-Content-Format-Version", format: "uint" },
  2053: { name: "OCF-Content-Format-Version", format: "uint" },
};

export const OPTION = {
  uriPath: 11,
  contentFormat: 12,
  uriQuery: 15,
  block2: 23,
  block1: 27,
  size2: 28,
  etag: 4,
} as const;

export function optionName(num: number): string {
  return optionTable[num]?.name ?? `Unknown-${num}`;
}

export function optionFormat(num: number): OptionFormat {
  return optionTable[num]?.format ?? "opaque";
}

const contentFormats: Record<number, string> = {
  0: "text/plain;charset=utf-8",
  16: "application/cose;cose-type=cose-encrypt0",
  17: "application/cose;cose-type=cose-mac0",
  18: "application/cose;cose-type=cose-sign1",
  40: "application/link-format",
  41: "application/xml",
  42: "application/octet-stream",
  47: "application/exi",
  50: "application/json",
  51: "application/json-patch+json",
  52: "application/merge-patch+json",
  60: "application/cbor",
  61: "application/cwt",
  62: "application/multipart-core",
  63: "application/cbor-seq",
  110: "application/senml+json",
  111: "application/sensml+json",
  112: "application/senml+cbor",
  113: "application/sensml+cbor",
  256: "application/coap-group+json",
  11542: "application/vnd.oma.lwm2m+tlv",
  11543: "application/vnd.oma.lwm2m+json",
  11544: "application/vnd.oma.lwm2m+cbor",
};

export const LINK_FORMAT = 40;

export function contentFormatName(cf: number): string | undefined {
  return contentFormats[cf];
}
