/**
 * Policy built on the IANA special-purpose registries (iana-registry.ts): what a responsible
 * internet-wide scan must never touch, which ranges are "local" (reachable only with the explicit
 * --allow-local-targets flag), and what an address is, for tags.
 */
import { CidrSet } from "./cidr-set.js";
import type { Cidr, IpAddr } from "./ip.js";
import { formatCidr, parseCidr, parseIp, unmapIpv4 } from "./ip.js";
import { ianaSpecialPurpose } from "./iana-registry.js";
import type { SpecialPurposeEntry } from "./iana-registry.js";

export { ianaSpecialPurpose };
export type { SpecialPurposeCategory, SpecialPurposeEntry, SpecialPurposeRegistry } from "./iana-registry.js";

/**
 * Blocks outside "not globally reachable" that the builtin blocklist adds anyway, with the reason.
 * Each one would let an IPv6 probe reach IPv4 space (or dead space) that the IPv4 blocklist and
 * the operator's intent can no longer see.
 */
export const blocklistAdditions: readonly { readonly cidr: string; readonly reason: string }[] = Object.freeze([
  {
    cidr: "64:ff9b::/96",
    reason: "NAT64 well-known prefix (RFC 6052): globally reachable, but every address is an IPv4 host behind someone's translator; scan IPv4 directly",
  },
  { cidr: "::/96", reason: "IPv4-compatible addresses, deprecated by RFC 4291 section 2.5.5.1; embed IPv4 addresses" },
  { cidr: "fec0::/10", reason: "site-local unicast, deprecated by RFC 3879 but still routed inside some sites" },
]);

export interface LocalTargetRange {
  readonly cidr: string;
  readonly range: Cidr;
  readonly name: string;
}

/**
 * Ranges that reach the operator's own host or networks (loopback, RFC 1918 and unique-local,
 * link-local, CGNAT). They are in the builtin blocklist; a scan may reach them only with
 * --allow-local-targets, e.g. to test against a lab or a honeypot on the same network.
 */
export const localTargetRanges: readonly LocalTargetRange[] = Object.freeze(
  (
    [
      ["127.0.0.0/8", "IPv4 loopback"],
      ["::1/128", "IPv6 loopback"],
      ["10.0.0.0/8", "private (RFC 1918)"],
      ["172.16.0.0/12", "private (RFC 1918)"],
      ["192.168.0.0/16", "private (RFC 1918)"],
      ["fc00::/7", "IPv6 unique-local (RFC 4193)"],
      ["169.254.0.0/16", "IPv4 link-local"],
      ["fe80::/10", "IPv6 link-local"],
      ["100.64.0.0/10", "shared address space / CGNAT (RFC 6598)"],
    ] as const
  ).map(([text, name]) => {
    const range = parseCidr(text);
    return Object.freeze({ cidr: formatCidr(range), range, name });
  }),
);

let localSet: CidrSet | undefined;
let blocklistStrict: CidrSet | undefined;
let blocklistLocal: CidrSet | undefined;

/** The local target ranges as a frozen set. */
export function localTargetSet(): CidrSet {
  localSet ??= CidrSet.from(localTargetRanges.map((r) => r.range)).freeze();
  return localSet;
}

/**
 * Everything a responsible internet scan must never probe, as a frozen shared set:
 *  - every registry entry whose "Globally Reachable" is not true: false (private, loopback,
 *    documentation, benchmarking, reserved 240/4, broadcast, ...) or none (6to4, Teredo,
 *    deprecated rows). A false parent is blocked whole even where a more specific row is globally
 *    reachable (the PCP/TURN anycast /32s in 192.0.0.0/24, AMT, AS112-v6 and ORCHIDv2 inside
 *    2001::/23): those are shared service addresses, not hosts to survey, as ZMap's default does;
 *  - multicast 224.0.0.0/4 and ff00::/8: a probe there is a packet to a group, not a host;
 *  - `blocklistAdditions` (NAT64 well-known prefix, IPv4-compatible, site-local).
 * Left scannable: AS112 (192.31.196.0/24, 192.175.48.0/24, 2620:4f:8000::/48) and AMT
 * (192.52.193.0/24), globally routed anycast services on the public internet.
 *
 * With `allowLocalTargets` the local target ranges are taken out (the rest stays blocked).
 */
export function builtinBlocklist(options: { allowLocalTargets?: boolean } = {}): CidrSet {
  blocklistStrict ??= CidrSet.from([
    ...ianaSpecialPurpose.filter((e) => e.globallyReachable !== true).map((e) => e.range),
    ...blocklistAdditions.map((a) => a.cidr),
  ]).freeze();
  if (!options.allowLocalTargets) return blocklistStrict;
  blocklistLocal ??= blocklistStrict.subtract(localTargetSet()).freeze();
  return blocklistLocal;
}

function matching(addr: IpAddr): SpecialPurposeEntry[] {
  return ianaSpecialPurpose
    .filter((e) => e.range.v === addr.v && e.range.first <= addr.n && addr.n <= e.range.last)
    .sort((a, b) => b.range.prefix - a.range.prefix);
}

/**
 * The registry entries containing `addr`, most specific (longest prefix) first; [] for an ordinary
 * address. For an IPv4-mapped address (::ffff:a.b.c.d) the entries of the IPv4 address follow,
 * so ::ffff:127.0.0.1 is both "IPv4-mapped Address" and "Loopback".
 */
export function classifyIp(addr: IpAddr | string): SpecialPurposeEntry[] {
  const a = typeof addr === "string" ? parseIp(addr) : addr;
  const found = matching(a);
  const unmapped = unmapIpv4(a);
  return unmapped === a ? found : [...found, ...matching(unmapped)];
}

const GLOBAL_UNICAST_V6 = parseCidr("2000::/3");

/**
 * Whether packets to `addr` can be forwarded across the internet, per the registry: the most
 * specific entry decides (192.0.0.9 is reachable though 192.0.0.0/24 is not), no flag counts as
 * not reachable, and an address in no entry is reachable if IPv4, or if IPv6 inside 2000::/3, the
 * only space IANA allocates for global unicast.
 */
export function isGloballyReachable(addr: IpAddr | string): boolean {
  const a = typeof addr === "string" ? parseIp(addr) : addr;
  const most = matching(a)[0];
  if (most !== undefined) return most.globallyReachable === true;
  return a.v === 4 || (a.n >= GLOBAL_UNICAST_V6.first && a.n <= GLOBAL_UNICAST_V6.last);
}
