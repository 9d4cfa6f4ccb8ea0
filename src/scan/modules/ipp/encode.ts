/**
 * Encoding IPP requests (RFC 8010 §3.1). Hand-written: the `ipp` npm package is old and the encoding we
 * need is tiny — an 8-byte header, then tag / name-length / name / value-length / value items. The item
 * builders are exported so that tests and the honeypot pillar can build responses with the same code.
 */
import { END_OF_ATTRIBUTES, OPERATION_GET_PRINTER_ATTRIBUTES, tag } from "./tags.js";

export interface IppVersion {
  major: number;
  minor: number;
}

export function formatIppVersion(v: IppVersion): string {
  return `${v.major}.${v.minor}`;
}

/** "2.0" → {2, 0}; undefined for anything that is not two small numbers. */
export function parseIppVersion(text: string): IppVersion | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major <= 255 && minor <= 255 ? { major, minor } : undefined;
}

/** version-number, operation-id (or status-code), request-id. */
export function ippHeader(version: IppVersion, code: number, requestId: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = version.major;
  b[1] = version.minor;
  b.writeUInt16BE(code, 2);
  b.writeInt32BE(requestId, 4);
  return b;
}

/** One attribute item; `name` is "" for an additional value of the previous attribute. */
export function ippItem(valueTag: number, name: string, value: Buffer | string): Buffer {
  const n = Buffer.from(name, "utf8");
  const v = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  if (n.length > 0xffff || v.length > 0xffff) throw new RangeError(`IPP item "${name}" longer than 65535 bytes`);
  const head = Buffer.alloc(1 + 2 + n.length + 2);
  head[0] = valueTag;
  head.writeUInt16BE(n.length, 1);
  n.copy(head, 3);
  head.writeUInt16BE(v.length, 3 + n.length);
  return Buffer.concat([head, v]);
}

/** integer or enum item (4-byte signed big-endian). */
export function ippInteger(valueTag: number, name: string, n: number): Buffer {
  const v = Buffer.alloc(4);
  v.writeInt32BE(n);
  return ippItem(valueTag, name, v);
}

export function ippBoolean(name: string, b: boolean): Buffer {
  return ippItem(tag.boolean, name, Buffer.from([b ? 1 : 0]));
}

/** A multi-valued attribute: the first value carries the name, the others an empty name. */
export function ippSetOf(valueTag: number, name: string, values: ReadonlyArray<string | Buffer>): Buffer {
  return Buffer.concat(values.map((v, i) => ippItem(valueTag, i === 0 ? name : "", v)));
}

export const ippEndOfAttributes = Buffer.from([END_OF_ATTRIBUTES]);

export interface GetPrinterAttributesOptions {
  version: IppVersion;
  requestId: number;
  /** e.g. ipp://192.0.2.7:631/ipp/print */
  printerUri: string;
  /**
   * Defaults to ["all"]. "all" already leaves out media-col-database (PWG 5100.7 excludes it from "all"),
   * which is the attribute that makes some printers' answers hundreds of kilobytes long.
   */
  requestedAttributes?: readonly string[];
  naturalLanguage?: string;
}

/** Get-Printer-Attributes (RFC 8011 §4.2.5), with the operation attributes in the order §4.1.4 requires. */
export function encodeGetPrinterAttributes(o: GetPrinterAttributesOptions): Buffer {
  return Buffer.concat([
    ippHeader(o.version, OPERATION_GET_PRINTER_ATTRIBUTES, o.requestId),
    Buffer.from([tag.operationAttributes]),
    ippItem(tag.charset, "attributes-charset", "utf-8"),
    ippItem(tag.naturalLanguage, "attributes-natural-language", o.naturalLanguage ?? "en"),
    ippItem(tag.uri, "printer-uri", o.printerUri),
    ippSetOf(tag.keyword, "requested-attributes", o.requestedAttributes ?? ["all"]),
    ippEndOfAttributes,
  ]);
}
