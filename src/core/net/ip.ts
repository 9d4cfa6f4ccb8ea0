/**
 * The tagged address, range and CIDR types every pillar shares, and their text forms.
 * IPv4 values are unsigned 32-bit numbers (fast, and exact in a double); IPv6 values are 128-bit
 * bigints. Text parsing is strict and throws UsageError naming the text and the reason, because
 * addresses mostly come from users (targets, blocklists, filters).
 */
import { UsageError } from "../errors.js";
import { ipv4ToNumber, isIpv4Number, numberToIpv4, tryParseIpv4 } from "./ipv4.js";
import { bigintToIpv6, ipv6ToBigint, IPV6_MAX, isIpv6Bigint, tryParseIpv6 } from "./ipv6.js";

export type Ipv4Addr = { readonly v: 4; readonly n: number };
export type Ipv6Addr = { readonly v: 6; readonly n: bigint };
export type IpAddr = Ipv4Addr | Ipv6Addr;

/** An inclusive range of addresses of one family, first <= last. */
export type Ipv4Range = { readonly v: 4; readonly first: number; readonly last: number };
export type Ipv6Range = { readonly v: 6; readonly first: bigint; readonly last: bigint };
export type IpRange = Ipv4Range | Ipv6Range;

/** A CIDR block is a range whose bounds are aligned to `prefix`, so it is usable wherever a range is. */
export type Ipv4Cidr = Ipv4Range & { readonly prefix: number };
export type Ipv6Cidr = Ipv6Range & { readonly prefix: number };
export type Cidr = Ipv4Cidr | Ipv6Cidr;

const MAPPED_PREFIX = 0xffffn << 32n; // ::ffff:0:0/96, IPv4-mapped IPv6 (RFC 4291 section 2.5.5.2)

/** The address in `text` (IPv4 dotted-decimal or any IPv6 text form), or undefined. Never throws: for hot paths such as socket peers. */
export function tryParseIp(text: string): IpAddr | undefined {
  if (text.includes(":")) {
    const n = tryParseIpv6(text);
    return n === undefined ? undefined : { v: 6, n };
  }
  const n = tryParseIpv4(text);
  return n === undefined ? undefined : { v: 4, n };
}

/** Parses an IPv4 or IPv6 address; throws UsageError naming the text and why it is not one. */
export function parseIp(text: string): IpAddr {
  if (text.includes("/")) throw new UsageError(`invalid IP address ${JSON.stringify(text)}: a CIDR block, not a single address`);
  if (text.includes(":")) return { v: 6, n: ipv6ToBigint(text) };
  if (text.includes(".")) return { v: 4, n: ipv4ToNumber(text) };
  throw new UsageError(`invalid IP address ${JSON.stringify(text)}: expected IPv4 (192.0.2.1) or IPv6 (2001:db8::1)`);
}

/** Canonical text: dotted-decimal for IPv4, RFC 5952 for IPv6. */
export function formatIp(addr: IpAddr): string {
  return addr.v === 4 ? numberToIpv4(addr.n) : bigintToIpv6(addr.n);
}

/**
 * For an IPv4-mapped IPv6 address (::ffff:a.b.c.d) the IPv4 address it stands for, else `addr`
 * itself. Dual-stack sockets report IPv4 peers in the mapped form; policy must judge the IPv4 host.
 */
export function unmapIpv4(addr: IpAddr): IpAddr {
  if (addr.v === 6 && addr.n >> 32n === 0xffffn) return { v: 4, n: Number(addr.n - MAPPED_PREFIX) };
  return addr;
}

/** Two addresses are equal when family and value match (::ffff:1.2.3.4 is not 1.2.3.4: unmap first). */
export function ipEquals(a: IpAddr, b: IpAddr): boolean {
  return a.v === b.v && a.n === b.n;
}

function parsePrefix(text: string, prefixText: string, max: number): number {
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) {
    throw new UsageError(`invalid CIDR ${JSON.stringify(text)}: prefix length "${prefixText}" is not a decimal number without leading zeros`);
  }
  const prefix = Number(prefixText);
  if (prefix > max) throw new UsageError(`invalid CIDR ${JSON.stringify(text)}: prefix length ${prefix} is longer than ${max}`);
  return prefix;
}

/** The IPv4 CIDR of `prefix` bits containing `n`. Division, not bit operators, which would wrap at 2^31. */
export function ipv4Cidr(n: number, prefix: number): Ipv4Cidr {
  if (!isIpv4Number(n) || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new RangeError(`not an IPv4 CIDR: ${n}/${prefix}`);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(n / size) * size;
  return { v: 4, first, last: first + size - 1, prefix };
}

/** The IPv6 CIDR of `prefix` bits containing `n`. */
export function ipv6Cidr(n: bigint, prefix: number): Ipv6Cidr {
  if (!isIpv6Bigint(n) || !Number.isInteger(prefix) || prefix < 0 || prefix > 128) throw new RangeError(`not an IPv6 CIDR: ${String(n)}/${prefix}`);
  const hostMask = (1n << BigInt(128 - prefix)) - 1n;
  const first = n & (IPV6_MAX ^ hostMask);
  return { v: 6, first, last: first | hostMask, prefix };
}

/**
 * Parses "addr/prefix". A bare address is accepted as a host route (/32 or /128).
 * Host bits set below the prefix ("10.0.0.1/8") are accepted and cleared, giving 10.0.0.0/8: people
 * write a host with its netmask meaning "that host's network", and refusing would only make them
 * do the masking by hand. formatCidr shows the normalized block, so the widening is visible.
 * Where widening is risky (a scan target list), pass `rejectHostBits` to refuse such text instead.
 */
export function parseCidr(text: string, options: { rejectHostBits?: boolean } = {}): Cidr {
  const slash = text.indexOf("/");
  if (slash === -1) {
    const addr = parseIp(text);
    return addr.v === 4 ? { v: 4, first: addr.n, last: addr.n, prefix: 32 } : { v: 6, first: addr.n, last: addr.n, prefix: 128 };
  }
  if (text.indexOf("/", slash + 1) !== -1) throw new UsageError(`invalid CIDR ${JSON.stringify(text)}: more than one '/'`);
  const addrText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  let addr: IpAddr;
  try {
    addr = parseIp(addrText);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`invalid CIDR ${JSON.stringify(text)}: ${err.message}`, { cause: err });
    throw err;
  }
  const cidr = addr.v === 4 ? ipv4Cidr(addr.n, parsePrefix(text, prefixText, 32)) : ipv6Cidr(addr.n, parsePrefix(text, prefixText, 128));
  if (options.rejectHostBits && cidr.first !== addr.n) {
    throw new UsageError(`invalid CIDR ${JSON.stringify(text)}: host bits are set below the prefix (did you mean ${formatCidr(cidr)}?)`);
  }
  return cidr;
}

/** "first/prefix" with the canonical address text. */
export function formatCidr(cidr: Cidr): string {
  return `${cidr.v === 4 ? numberToIpv4(cidr.first) : bigintToIpv6(cidr.first)}/${cidr.prefix}`;
}

/**
 * Parses what a target or blocklist line may hold: an address, a CIDR, or an inclusive range
 * "first-last" of one family (spaces around '-' allowed), e.g. "192.0.2.10-192.0.2.20".
 */
export function parseRange(text: string): IpRange {
  const dash = text.indexOf("-");
  if (dash === -1) return parseCidr(text);
  const quoted = JSON.stringify(text);
  const firstText = text.slice(0, dash).trim();
  const lastText = text.slice(dash + 1).trim();
  if (firstText.includes("/") || lastText.includes("/")) throw new UsageError(`invalid range ${quoted}: a range is two addresses, not CIDRs`);
  let first: IpAddr;
  let last: IpAddr;
  try {
    first = parseIp(firstText);
    last = parseIp(lastText);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`invalid range ${quoted}: ${err.message}`, { cause: err });
    throw err;
  }
  let range: IpRange;
  if (first.v === 4 && last.v === 4) range = { v: 4, first: first.n, last: last.n };
  else if (first.v === 6 && last.v === 6) range = { v: 6, first: first.n, last: last.n };
  else throw new UsageError(`invalid range ${quoted}: mixes IPv4 and IPv6`);
  if (range.first > range.last) throw new UsageError(`invalid range ${quoted}: start ${formatIp(first)} is after end ${formatIp(last)}`);
  return range;
}

/** "first-last" text of a range (a single address when first = last). */
export function formatRange(range: IpRange): string {
  const [a, b] =
    range.v === 4 ? [numberToIpv4(range.first), numberToIpv4(range.last)] : [bigintToIpv6(range.first), bigintToIpv6(range.last)];
  return a === b ? a : `${a}-${b}`;
}
