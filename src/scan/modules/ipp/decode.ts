/**
 * Decoding an IPP message (RFC 8010 §3) from untrusted bytes: every length is checked against what is
 * left before reading, nothing is allocated from a peer-given size beyond the bytes actually present, and
 * groups, attributes, values and collection depth are capped. Requests and responses share the format, so
 * the honeypot pillar decodes requests with the same function.
 *
 * Hand-written rather than the `ipp` npm package: that package is old (last release for Node 0.x era), its
 * parser trusts lengths, and the wire format is small — a header and tag/length/value items.
 */
import { ProbeError } from "../types.js";
import { END_OF_ATTRIBUTES, groupName, isCharacterString, isOutOfBand, tag, valueTagName } from "./tags.js";

/** A string in a language other than the message's (textWithLanguage / nameWithLanguage). */
export interface IppTextWithLanguage {
  language: string;
  text: string;
}
export interface IppResolution {
  x: number;
  y: number;
  /** "dpi", "dpcm", or `unit-<n>` for a value RFC 8011 does not define. */
  units: string;
}
export interface IppRange {
  lower: number;
  upper: number;
}
/** unknown / unsupported / no-value and the other out-of-band tags: the tag is the whole value. */
export interface IppOutOfBand {
  out_of_band: string;
}
/** A value whose tag is unknown or whose length does not fit its syntax, kept as hex. */
export interface IppOpaque {
  tag: number;
  hex: string;
}
/** A collection: member name → value, or array when the member has several values. */
export interface IppCollection {
  [member: string]: IppValue | IppValue[];
}
export type IppValue = string | number | boolean | IppTextWithLanguage | IppResolution | IppRange | IppOutOfBand | IppOpaque | IppCollection;

export interface IppAttribute {
  name: string;
  /** Syntax of the first value ("keyword", "integer", "collection", ...); 1setOf may mix syntaxes. */
  syntax: string;
  values: IppValue[];
}
export interface IppGroup {
  tag: number;
  name: string;
  attributes: IppAttribute[];
}
export interface IppMessage {
  version_major: number;
  version_minor: number;
  /** status-code in a response, operation-id in a request. */
  code: number;
  request_id: number;
  groups: IppGroup[];
  /** Bytes after end-of-attributes-tag (document data in a Print-Job request; should be 0 in a response). */
  trailing_bytes: number;
}

/** Caps that keep a hostile message from costing more than its bytes are worth. */
export const ippLimits = {
  maxGroups: 1024,
  maxAttributes: 10_000,
  /** Values of all attributes and collection members together. */
  maxValues: 50_000,
  /** Nested collections deeper than this are refused (real printers nest 3–4 levels). */
  maxCollectionDepth: 16,
};

/** Decodes a complete IPP message; throws ProbeError("protocol-error") on anything malformed. */
export function decodeIppMessage(buf: Buffer): IppMessage {
  const partial = decodeIppMessagePartial(buf);
  if (partial.error !== undefined) throw new ProbeError("protocol-error", partial.error);
  return partial.message!;
}

/**
 * Decodes as much as is well-formed: for a truncated or corrupt message, `message` holds the groups and
 * attributes read before the fault (when at least the 8-byte header was there) and `error` says what went
 * wrong. Scans keep such partial results.
 */
export function decodeIppMessagePartial(buf: Buffer): { message?: IppMessage; error?: string } {
  if (buf.length < 8) return { error: `IPP message of ${buf.length} bytes is shorter than its 8-byte header` };
  const message: IppMessage = {
    version_major: buf[0]!,
    version_minor: buf[1]!,
    code: buf.readUInt16BE(2),
    request_id: buf.readInt32BE(4),
    groups: [],
    trailing_bytes: 0,
  };
  try {
    new Decoder(buf).attributes(message);
    return { message };
  } catch (err) {
    if (err instanceof ProbeError) return { message, error: err.message };
    throw err;
  }
}

interface Item {
  tag: number;
  name: string;
  value: Buffer;
}

class Decoder {
  private pos = 8;
  private attributeCount = 0;
  private valueCount = 0;

  constructor(private readonly buf: Buffer) {}

  attributes(message: IppMessage): void {
    let group: IppGroup | undefined;
    let last: IppAttribute | undefined;
    for (;;) {
      if (this.pos >= this.buf.length) throw fail(`no end-of-attributes-tag (message ends at byte ${this.buf.length})`);
      const t = this.buf[this.pos]!;
      if (t === END_OF_ATTRIBUTES) {
        this.pos++;
        message.trailing_bytes = this.buf.length - this.pos;
        return;
      }
      if (t < 0x10) {
        this.pos++;
        if (message.groups.length >= ippLimits.maxGroups) throw fail(`more than ${ippLimits.maxGroups} attribute groups`);
        group = { tag: t, name: groupName(t), attributes: [] };
        message.groups.push(group);
        last = undefined;
        continue;
      }
      if (!group) throw fail(`value tag 0x${t.toString(16)} before any attribute-group tag`);
      const item = this.item();
      if (item.tag === tag.endCollection || item.tag === tag.memberAttrName) {
        throw fail(`${valueTagName(item.tag)} outside a collection (attribute "${item.name || last?.name || "?"}")`);
      }
      if (item.name === "") {
        if (!last) throw fail("additional value (empty name) with no attribute before it");
        last.values.push(this.value(item, 0));
        continue;
      }
      if (++this.attributeCount > ippLimits.maxAttributes) throw fail(`more than ${ippLimits.maxAttributes} attributes`);
      last = { name: item.name, syntax: valueTagName(item.tag), values: [] };
      group.attributes.push(last);
      last.values.push(this.value(item, 0));
    }
  }

  /** One tag / name-length / name / value-length / value item (RFC 8010 §3.1.4). */
  private item(): Item {
    const t = this.byte("value tag");
    const nameLength = this.u16("name-length");
    const name = this.take(nameLength, "name").toString("utf8");
    const valueLength = this.u16(name ? `value-length of "${name}"` : "value-length");
    const value = this.take(valueLength, name ? `value of "${name}"` : "value");
    if (++this.valueCount > ippLimits.maxValues) throw fail(`more than ${ippLimits.maxValues} values`);
    return { tag: t, name, value };
  }

  private value(item: Item, depth: number): IppValue {
    // A collection's members follow its begCollection item (RFC 8010 §3.1.6); its own value is empty.
    if (item.tag === tag.begCollection) return this.collection(depth + 1);
    return decodeIppValue(item.tag, item.value);
  }

  private collection(depth: number): IppCollection {
    if (depth > ippLimits.maxCollectionDepth) throw fail(`collections nested deeper than ${ippLimits.maxCollectionDepth}`);
    const members = new Map<string, IppValue[]>();
    let current: IppValue[] | undefined;
    for (;;) {
      if (this.pos >= this.buf.length) throw fail("collection not terminated by endCollection");
      if (this.buf[this.pos]! < 0x10) throw fail(`delimiter tag 0x${this.buf[this.pos]!.toString(16)} inside a collection`);
      const item = this.item();
      if (item.name !== "") throw fail(`named attribute "${item.name}" inside a collection`);
      if (item.tag === tag.endCollection) return collectionObject(members);
      if (item.tag === tag.memberAttrName) {
        const member = item.value.toString("utf8");
        if (member === "") throw fail("memberAttrName with an empty member name");
        current = members.get(member);
        if (!current) {
          if (members.size >= ippLimits.maxAttributes) throw fail(`collection with more than ${ippLimits.maxAttributes} members`);
          current = [];
          members.set(member, current);
        }
        continue;
      }
      if (!current) throw fail(`collection value (${valueTagName(item.tag)}) before any memberAttrName`);
      current.push(this.value(item, depth));
    }
  }

  private byte(what: string): number {
    if (this.pos + 1 > this.buf.length) throw fail(`truncated before ${what}`);
    return this.buf[this.pos++]!;
  }

  private u16(what: string): number {
    if (this.pos + 2 > this.buf.length) throw fail(`truncated in ${what}`);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  private take(n: number, what: string): Buffer {
    const left = this.buf.length - this.pos;
    if (n > left) throw fail(`${what} claims ${n} bytes but only ${left} remain`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function fail(why: string): ProbeError {
  return new ProbeError("protocol-error", `IPP: ${why}`);
}

/** Member names set with defineProperty: a member called "__proto__" must stay a plain key. */
function collectionObject(members: Map<string, IppValue[]>): IppCollection {
  const out: IppCollection = {};
  for (const [name, values] of members) setOwn(out, name, values.length === 1 ? values[0]! : values);
  return out;
}

export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes one non-collection value by its tag. Lengths that do not fit the syntax (an integer of 3
 * bytes) and unknown tags become `{tag, hex}` instead of failing the message: a scanner records odd
 * printers, it does not reject them.
 */
export function decodeIppValue(t: number, v: Buffer): IppValue {
  if (isOutOfBand(t)) return { out_of_band: valueTagName(t) };
  switch (t) {
    case tag.integer:
    case tag.enum:
      return v.length === 4 ? v.readInt32BE(0) : opaque(t, v);
    case tag.boolean:
      return v.length === 1 ? v[0] !== 0 : opaque(t, v);
    case tag.octetString:
      return printableText(v) ?? opaque(t, v);
    case tag.dateTime:
      return dateTime(v) ?? opaque(t, v);
    case tag.resolution:
      return v.length === 9 ? { x: v.readInt32BE(0), y: v.readInt32BE(4), units: resolutionUnits(v[8]!) } : opaque(t, v);
    case tag.rangeOfInteger:
      return v.length === 8 ? { lower: v.readInt32BE(0), upper: v.readInt32BE(4) } : opaque(t, v);
    case tag.textWithLanguage:
    case tag.nameWithLanguage:
      return withLanguage(v) ?? opaque(t, v);
    default:
      return isCharacterString(t) ? v.toString("utf8") : opaque(t, v);
  }
}

function opaque(t: number, v: Buffer): IppOpaque {
  return { tag: t, hex: v.toString("hex") };
}

function resolutionUnits(u: number): string {
  return u === 3 ? "dpi" : u === 4 ? "dpcm" : `unit-${u}`;
}

/** octetString as text when it is valid UTF-8 without control characters (most printers put text there). */
function printableText(v: Buffer): string | undefined {
  let text: string;
  try {
    text = utf8Strict.decode(v);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? undefined : text;
}

/** RFC 2579 DateAndTime (11 octets) as ISO 8601 with its UTC offset, e.g. 2026-11-25T12:33:13.0+00:00. */
function dateTime(v: Buffer): string | undefined {
  if (v.length !== 11) return undefined;
  const year = v.readUInt16BE(0);
  const [month, day, hour, minute, second, deci, dir, offH, offM] = [v[2]!, v[3]!, v[4]!, v[5]!, v[6]!, v[7]!, v[8]!, v[9]!, v[10]!];
  const sign = String.fromCharCode(dir);
  const valid =
    month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60 && deci <= 9 && (sign === "+" || sign === "-") && offH <= 14 && offM <= 59;
  if (!valid) return undefined;
  const p2 = (n: number) => String(n).padStart(2, "0");
  return `${String(year).padStart(4, "0")}-${p2(month)}-${p2(day)}T${p2(hour)}:${p2(minute)}:${p2(second)}.${deci}${sign}${p2(offH)}:${p2(offM)}`;
}

/** textWithLanguage: language length, language, text length, text — all inside the value. */
function withLanguage(v: Buffer): IppTextWithLanguage | undefined {
  if (v.length < 2) return undefined;
  const langLength = v.readUInt16BE(0);
  if (2 + langLength + 2 > v.length) return undefined;
  const textLength = v.readUInt16BE(2 + langLength);
  if (2 + langLength + 2 + textLength !== v.length) return undefined;
  return { language: v.toString("utf8", 2, 2 + langLength), text: v.toString("utf8", 4 + langLength) };
}
