/**
 * IPv4 text <-> unsigned 32-bit number. Only strict dotted-decimal is accepted: exactly four decimal
 * octets, no leading zeros, no signs, no whitespace. inet_aton's legacy forms ("10.1", "0x7f.1",
 * "017.0.0.1") are refused because tools disagree on what they mean, and a scanner that reads a
 * target or blocklist line differently from the operator could probe the wrong network.
 */
import { UsageError } from "../errors.js";

/** Why `text` is not a strict dotted-quad, or undefined when it is one (then `out[0]` holds its value). */
function explainIpv4(text: string, out: [number]): string | undefined {
  let value = 0;
  let octets = 0;
  let i = 0;
  const len = text.length;
  if (len === 0) return "empty text";
  while (true) {
    const start = i;
    let octet = 0;
    while (i < len) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      i++;
    }
    const digits = i - start;
    if (digits === 0) {
      if (i < len && text[i] !== ".") return `unexpected character ${JSON.stringify(text[i])}`;
      return "empty octet";
    }
    const octetText = text.slice(start, i);
    if (digits > 1 && text.charCodeAt(start) === 48) {
      return `octet "${octetText}" has a leading zero (ambiguous: octal or decimal?)`;
    }
    if (digits > 3 || octet > 255) return `octet "${octetText}" is out of range 0-255`;
    value = value * 256 + octet;
    octets++;
    if (i === len) break;
    if (text[i] !== ".") return `unexpected character ${JSON.stringify(text[i])}`;
    if (octets === 4) return "too many octets (expected 4)";
    i++;
  }
  if (octets !== 4) return `too few octets (expected 4, got ${octets})`;
  out[0] = value;
  return undefined;
}

const scratch: [number] = [0];

/** The address as an unsigned 32-bit number, or undefined when `text` is not strict dotted-decimal. */
export function tryParseIpv4(text: string): number | undefined {
  return explainIpv4(text, scratch) === undefined ? scratch[0] : undefined;
}

/** Parses strict dotted-decimal IPv4 ("192.0.2.1") to an unsigned 32-bit number; throws UsageError naming the text and the reason. */
export function ipv4ToNumber(text: string): number {
  const why = explainIpv4(text, scratch);
  if (why !== undefined) throw new UsageError(`invalid IPv4 address ${JSON.stringify(text)}: ${why}`);
  return scratch[0];
}

/** True when `n` is an integer usable as an IPv4 address (0 .. 2^32-1). */
export function isIpv4Number(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

/** Dotted-decimal text of an unsigned 32-bit number. A value out of range is a bug in the caller: RangeError. */
export function numberToIpv4(n: number): string {
  if (!isIpv4Number(n)) throw new RangeError(`not an IPv4 address number: ${n}`);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
