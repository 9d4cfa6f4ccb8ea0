/**
 * IPv6 text <-> 128-bit bigint. Parsing accepts every RFC 4291 section 2.2 text form: full, "::"
 * compressed, upper or lower case, 1-4 hex digits a group, and a trailing embedded dotted IPv4
 * ("::ffff:192.0.2.1", "64:ff9b::198.51.100.7"). Formatting is the RFC 5952 canonical form.
 *
 * Zone ids ("fe80::1%eth0") are refused with their own message: a zone names an interface on one
 * host, so it has no meaning in a target list, a blocklist or a shared dataset.
 */
import { UsageError } from "../errors.js";
import { tryParseIpv4 } from "./ipv4.js";

export const IPV6_MAX = (1n << 128n) - 1n;

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * Appends the 16-bit groups written in `part` (a side of "::", or the whole address) to `groups`.
 * `mayEndInIpv4` says whether `part` ends the address, the only place an embedded IPv4 may sit.
 */
function readGroups(part: string, mayEndInIpv4: boolean, groups: number[]): string | undefined {
  if (part === "") return undefined;
  const fields = part.split(":");
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f]!;
    if (field === "") return "empty group (a stray ':')";
    if (field.includes(".")) {
      if (!mayEndInIpv4 || f !== fields.length - 1) {
        return `embedded IPv4 "${field}" must be the last part of the address`;
      }
      const v4 = tryParseIpv4(field);
      if (v4 === undefined) return `embedded IPv4 "${field}" is not a valid dotted-decimal address`;
      groups.push(v4 >>> 16, v4 & 0xffff);
      continue;
    }
    if (field.length > 4) return `group "${field}" has more than 4 hex digits`;
    // Only hex digits are left: explainIpv6 refused every other character up front.
    groups.push(parseInt(field, 16));
  }
  return undefined;
}

/** Why `text` is not an IPv6 address, or undefined when it is one (then `out[0]` holds its value). */
function explainIpv6(text: string, out: [bigint]): string | undefined {
  if (text === "") return "empty text";
  if (text.includes("%")) return "zone ids (the '%' suffix) are not supported: remove the zone";
  if (text.startsWith("[")) return "remove the surrounding brackets";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isHexDigit(c) && c !== 58 /* : */ && c !== 46 /* . */) {
      return `unexpected character ${JSON.stringify(text[i])}`;
    }
  }
  if (text.includes(":::")) return "':::' is not valid";
  const gap = text.indexOf("::");
  if (gap !== -1 && text.indexOf("::", gap + 1) !== -1) return "more than one '::'";
  if (gap === -1 && !text.includes(":")) return "no ':' (not an IPv6 address)";

  const head: number[] = [];
  const tail: number[] = [];
  let why: string | undefined;
  if (gap === -1) {
    why = readGroups(text, true, head);
  } else {
    const tailText = text.slice(gap + 2);
    // An embedded IPv4 before "::" is never last, so the head may not hold one.
    why = readGroups(text.slice(0, gap), false, head) ?? readGroups(tailText, true, tail);
  }
  if (why !== undefined) return why;

  const written = head.length + tail.length;
  if (gap === -1 && written !== 8) return `${written < 8 ? "too few" : "too many"} groups (expected 8, got ${written})`;
  if (gap !== -1 && written > 7) return `too many groups for '::' (at most 7 besides '::', got ${written})`;

  const groups = head.concat(new Array<number>(8 - written).fill(0), tail);
  let n = 0n;
  for (let i = 0; i < 8; i += 2) n = (n << 32n) | BigInt(groups[i]! * 0x10000 + groups[i + 1]!);
  out[0] = n;
  return undefined;
}

const scratch: [bigint] = [0n];

/** The address as a 128-bit bigint, or undefined when `text` is not an IPv6 address. */
export function tryParseIpv6(text: string): bigint | undefined {
  return explainIpv6(text, scratch) === undefined ? scratch[0] : undefined;
}

/** Parses any RFC 4291 IPv6 text form to a bigint; throws UsageError naming the text and the reason. */
export function ipv6ToBigint(text: string): bigint {
  const why = explainIpv6(text, scratch);
  if (why !== undefined) throw new UsageError(`invalid IPv6 address ${JSON.stringify(text)}: ${why}`);
  return scratch[0];
}

/** True when `n` fits in 128 unsigned bits. */
export function isIpv6Bigint(n: bigint): boolean {
  return n >= 0n && n <= IPV6_MAX;
}

/**
 * RFC 5952 canonical text: lowercase, no leading zeros, the longest run of two or more zero groups
 * (the first one on a tie) as "::", a lone zero group written "0". IPv4-mapped addresses
 * (::ffff:0:0/96) keep the dotted tail, as RFC 5952 section 5 recommends, because that is how people
 * recognise them. A value out of range is a bug in the caller: RangeError.
 */
export function bigintToIpv6(n: bigint): string {
  if (typeof n !== "bigint" || !isIpv6Bigint(n)) throw new RangeError(`not an IPv6 address number: ${String(n)}`);
  const words = [Number(n >> 96n), Number((n >> 64n) & 0xffffffffn), Number((n >> 32n) & 0xffffffffn), Number(n & 0xffffffffn)];
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) {
    const v4 = words[3]!;
    return `::ffff:${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`;
  }
  const groups: number[] = [];
  for (const w of words) groups.push(w >>> 16, w & 0xffff);

  let bestStart = -1;
  let bestLen = 1; // a run must be at least 2 groups long to be compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(":");
  if (bestStart === -1) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}
