/** IP utilities shared by every pillar: address parsing and formatting, CIDR sets, IANA special-purpose ranges. */
export type { Cidr, IpAddr, Ipv4Addr, Ipv4Cidr, Ipv4Range, Ipv6Addr, Ipv6Cidr, Ipv6Range, IpRange } from "./ip.js";
export {
  formatCidr,
  formatIp,
  formatRange,
  ipEquals,
  ipv4Cidr,
  ipv6Cidr,
  parseCidr,
  parseIp,
  parseRange,
  tryParseIp,
  unmapIpv4,
} from "./ip.js";
export { ipv4ToNumber, isIpv4Number, numberToIpv4, tryParseIpv4 } from "./ipv4.js";
export { bigintToIpv6, ipv6ToBigint, isIpv6Bigint, tryParseIpv6 } from "./ipv6.js";
export { rangeToCidrs } from "./cidr-split.js";
export { CidrSet } from "./cidr-set.js";
export type { CidrSetItem } from "./cidr-set.js";
export { loadBlocklistFile, parseBlocklist } from "./blocklist-file.js";
export {
  blocklistAdditions,
  builtinBlocklist,
  classifyIp,
  ianaSpecialPurpose,
  isGloballyReachable,
  localTargetRanges,
  localTargetSet,
} from "./iana.js";
export type { LocalTargetRange, SpecialPurposeCategory, SpecialPurposeEntry, SpecialPurposeRegistry } from "./iana.js";
