/**
 * The aggregate keys of one event: which (dimension, key) pairs it counts towards in `honeypot_daily`.
 * Keys are bounded so a 4 KiB attacker URL cannot exceed PostgreSQL's btree row limit: a long value keeps
 * a prefix and gains a hash of the whole, so distinct values stay distinct.
 */
import { createHash } from "node:crypto";
import { formatCidr, ipv6Cidr, tryParseIpv6 } from "../../core/net/index.js";

export const dimensions = ["country", "asn", "net24", "sensor", "protocol", "credential", "url", "command"] as const;
export type Dimension = (typeof dimensions)[number];

/** Country or ASN not known (no database configured, or the address is not in it). */
export const UNKNOWN = "unknown";

const MAX_KEY = 512;

export function boundKey(value: string): string {
  if (value.length <= MAX_KEY) return value;
  return `${value.slice(0, MAX_KEY - 40)}…#${createHash("sha256").update(value).digest("hex").slice(0, 32)}`;
}

/** `a.b.c.0/24` for IPv4; the /48 for IPv6 (the usual end-site allocation, the /24's counterpart). */
export function net24Of(ip: string): string {
  if (!ip.includes(":")) return `${ip.slice(0, ip.lastIndexOf("."))}.0/24`;
  const n = tryParseIpv6(ip);
  return n === undefined ? ip : formatCidr(ipv6Cidr(n, 48));
}

/** Credential pair key: JSON `[username, password]`, unambiguous whatever the strings hold. */
export function credentialKey(username: string | undefined, password: string | undefined): string {
  return JSON.stringify([username ?? "", password ?? ""]);
}

export function parseCredentialKey(key: string): { username: string; password: string } | undefined {
  try {
    const v = JSON.parse(key) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string") return { username: v[0], password: v[1] };
  } catch {
    // a bounded (hashed) key is no longer JSON: shown as it is
  }
  return undefined;
}

/** Fingerprint of a session's command lines, in order: the first 16 bytes of SHA-256, hex. */
export function commandFingerprint(commands: readonly string[]): string {
  // JSON of the array: unambiguous even if a line holds a newline.
  return createHash("sha256").update(JSON.stringify(commands)).digest("hex").slice(0, 32);
}

export function isDownload(eventid: string): boolean {
  return eventid.endsWith(".file_download");
}
