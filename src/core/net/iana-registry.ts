/**
 * The IANA Special-Purpose Address Registries (RFC 6890, as updated by RFC 8190 and later
 * assignments), transcribed by hand, plus the two multicast blocks from the multicast registries.
 *
 *   https://www.iana.org/assignments/iana-ipv4-special-registry/iana-ipv4-special-registry.xhtml
 *   https://www.iana.org/assignments/iana-ipv6-special-registry/iana-ipv6-special-registry.xhtml
 *   https://www.iana.org/assignments/multicast-addresses/multicast-addresses.xhtml (224.0.0.0/4)
 *   https://www.iana.org/assignments/ipv6-multicast-addresses/ipv6-multicast-addresses.xhtml (ff00::/8)
 *
 * List date: 2025-10: the registries as updated through 2025, including the 2024-2025 rows
 * 3fff::/20 (RFC 9637), 5f00::/16 (RFC 9602), 2001:1::3/128 (RFC 9665) and 100:0:0:1::/64
 * (RFC 9780). When IANA adds a row, add it here and to the tests. `globallyReachable` is copied
 * from the registry's "Globally Reachable" column.
 */
import type { Cidr } from "./ip.js";
import { formatCidr, parseCidr } from "./ip.js";

/** Our grouping of registry rows, for tags and for blocklist policy; not an IANA field. */
export type SpecialPurposeCategory =
  | "this-network" // 0.0.0.0/8: only valid as a source while a host learns its address
  | "unspecified" // ::/128
  | "private" // RFC 1918, IPv6 unique-local
  | "cgnat" // RFC 6598 shared address space between an ISP's CGNAT and its customers
  | "loopback"
  | "link-local"
  | "protocol-assignment" // IETF containers: 192.0.0.0/24, 2001::/23
  | "translation" // NAT64, DS-Lite/464XLAT, NAT64 discovery
  | "ipv4-mapped" // ::ffff:0:0/96, an IPv4 address in an IPv6 socket API, never on the wire
  | "tunnel" // 6to4, Teredo, 6a44
  | "anycast" // shared service addresses: PCP, TURN, DNS-SD SRP, AS112, AMT
  | "identifier" // ORCHIDv2, drone DETs: identifiers, not locators
  | "segment-routing" // SRv6 SIDs, inside an SR domain only
  | "documentation"
  | "benchmarking"
  | "discard" // 100::/64 remotely triggered black hole
  | "reserved"
  | "broadcast"
  | "multicast";

export type SpecialPurposeRegistry = "ipv4-special" | "ipv6-special" | "ipv4-multicast" | "ipv6-multicast";

export interface SpecialPurposeEntry {
  /** Canonical CIDR text, e.g. "100.64.0.0/10". */
  readonly cidr: string;
  readonly range: Cidr;
  /** The registry's name for the block. */
  readonly name: string;
  /** The registry's reference, e.g. "RFC 1918" or "RFC 1122 section 3.2.1.3". */
  readonly rfc: string;
  readonly category: SpecialPurposeCategory;
  /**
   * The registry's "Globally Reachable": true, false, or null where it gives none: "N/A" for
   * 6to4 and Teredo (it depends on the embedded IPv4 address), the blank of terminated rows,
   * and the multicast blocks (reachability depends on the scope of each group).
   */
  readonly globallyReachable: boolean | null;
  readonly registry: SpecialPurposeRegistry;
  /** The registry's termination date for deprecated rows ("2015-03"). */
  readonly terminated?: string;
}

type Row = [cidr: string, name: string, rfc: string, category: SpecialPurposeCategory, global: boolean | null, terminated?: string];

const IPV4_SPECIAL: Row[] = [
  ["0.0.0.0/8", '"This network"', "RFC 791 section 3.2", "this-network", false],
  ["0.0.0.0/32", '"This host on this network"', "RFC 1122 section 3.2.1.3", "this-network", false],
  ["10.0.0.0/8", "Private-Use", "RFC 1918", "private", false],
  ["100.64.0.0/10", "Shared Address Space", "RFC 6598", "cgnat", false],
  ["127.0.0.0/8", "Loopback", "RFC 1122 section 3.2.1.3", "loopback", false],
  ["169.254.0.0/16", "Link Local", "RFC 3927", "link-local", false],
  ["172.16.0.0/12", "Private-Use", "RFC 1918", "private", false],
  ["192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890 section 2.1", "protocol-assignment", false],
  ["192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335", "translation", false],
  ["192.0.0.8/32", "IPv4 dummy address", "RFC 7600", "reserved", false],
  ["192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723", "anycast", true],
  ["192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155", "anycast", true],
  ["192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 section 2.2", "translation", false],
  ["192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 section 2.2", "translation", false],
  ["192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737", "documentation", false],
  ["192.31.196.0/24", "AS112-v4", "RFC 7535", "anycast", true],
  ["192.52.193.0/24", "AMT", "RFC 7450", "anycast", true],
  ["192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", "RFC 7526", "tunnel", null, "2015-03"],
  ["192.88.99.2/32", "6a44-relay anycast address", "RFC 6751", "tunnel", false],
  ["192.168.0.0/16", "Private-Use", "RFC 1918", "private", false],
  ["192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534", "anycast", true],
  ["198.18.0.0/15", "Benchmarking", "RFC 2544", "benchmarking", false],
  ["198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737", "documentation", false],
  ["203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737", "documentation", false],
  ["240.0.0.0/4", "Reserved", "RFC 1112 section 4", "reserved", false],
  ["255.255.255.255/32", "Limited Broadcast", "RFC 8190, RFC 919 section 7", "broadcast", false],
];

const IPV6_SPECIAL: Row[] = [
  ["::1/128", "Loopback Address", "RFC 4291", "loopback", false],
  ["::/128", "Unspecified Address", "RFC 4291", "unspecified", false],
  ["::ffff:0.0.0.0/96", "IPv4-mapped Address", "RFC 4291", "ipv4-mapped", false],
  ["64:ff9b::/96", "IPv4-IPv6 Translat.", "RFC 6052", "translation", true],
  ["64:ff9b:1::/48", "IPv4-IPv6 Translat.", "RFC 8215", "translation", false],
  ["100::/64", "Discard-Only Address Block", "RFC 6666", "discard", false],
  ["100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780", "reserved", false],
  ["2001::/23", "IETF Protocol Assignments", "RFC 2928", "protocol-assignment", false],
  ["2001::/32", "TEREDO", "RFC 4380, RFC 8190", "tunnel", null],
  ["2001:1::1/128", "Port Control Protocol Anycast", "RFC 7723", "anycast", true],
  ["2001:1::2/128", "Traversal Using Relays around NAT Anycast", "RFC 8155", "anycast", true],
  ["2001:1::3/128", "DNS-SD Service Registration Protocol Anycast Address", "RFC 9665", "anycast", true],
  ["2001:2::/48", "Benchmarking", "RFC 5180, RFC Errata 1752", "benchmarking", false],
  ["2001:3::/32", "AMT", "RFC 7450", "anycast", true],
  ["2001:4:112::/48", "AS112-v6", "RFC 7535", "anycast", true],
  ["2001:10::/28", "Deprecated (previously ORCHID)", "RFC 4843", "reserved", null, "2014-03"],
  ["2001:20::/28", "ORCHIDv2", "RFC 7343", "identifier", true],
  ["2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", "identifier", true],
  ["2001:db8::/32", "Documentation", "RFC 3849", "documentation", false],
  ["2002::/16", "6to4", "RFC 3056", "tunnel", null],
  ["2620:4f:8000::/48", "Direct Delegation AS112 Service", "RFC 7534", "anycast", true],
  ["3fff::/20", "Documentation", "RFC 9637", "documentation", false],
  ["5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602", "segment-routing", false],
  ["fc00::/7", "Unique-Local", "RFC 4193, RFC 8190", "private", false],
  ["fe80::/10", "Link-Local Unicast", "RFC 4291", "link-local", false],
];

function entries(rows: Row[], registry: SpecialPurposeRegistry): SpecialPurposeEntry[] {
  return rows.map(([text, name, rfc, category, globallyReachable, terminated]) => {
    const range = parseCidr(text);
    const entry: SpecialPurposeEntry = { cidr: formatCidr(range), range, name, rfc, category, globallyReachable, registry };
    return Object.freeze(terminated === undefined ? entry : { ...entry, terminated });
  });
}

/** Every registry row, plus 224.0.0.0/4 and ff00::/8 from the multicast registries: IPv4 first, registry order. */
export const ianaSpecialPurpose: readonly SpecialPurposeEntry[] = Object.freeze([
  ...entries(IPV4_SPECIAL, "ipv4-special"),
  ...entries([["224.0.0.0/4", "Multicast", "RFC 5771", "multicast", null]], "ipv4-multicast"),
  ...entries(IPV6_SPECIAL, "ipv6-special"),
  ...entries([["ff00::/8", "Multicast", "RFC 4291 section 2.7", "multicast", null]], "ipv6-multicast"),
]);
