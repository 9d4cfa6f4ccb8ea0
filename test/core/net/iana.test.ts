import { describe, expect, it } from "vitest";
import {
  blocklistAdditions,
  builtinBlocklist,
  CidrSet,
  classifyIp,
  formatCidr,
  formatIp,
  ianaSpecialPurpose,
  isGloballyReachable,
  localTargetRanges,
  parseCidr,
} from "../../../src/core/net/index.js";
import type { IpAddr, SpecialPurposeEntry } from "../../../src/core/net/index.js";

const names = (addr: string): string[] => classifyIp(addr).map((e) => e.name);
const cidrsOf = (addr: string): string[] => classifyIp(addr).map((e) => e.cidr);
const ends = (e: { range: SpecialPurposeEntry["range"] }): IpAddr[] =>
  e.range.v === 4
    ? [{ v: 4, n: e.range.first }, { v: 4, n: e.range.last }]
    : [{ v: 6, n: e.range.first }, { v: 6, n: e.range.last }];

describe("ianaSpecialPurpose", () => {
  it("holds the blocks of both registries and the multicast blocks, in canonical form", () => {
    const all = ianaSpecialPurpose.map((e) => e.cidr);
    for (const cidr of [
      "0.0.0.0/8",
      "10.0.0.0/8",
      "100.64.0.0/10",
      "127.0.0.0/8",
      "169.254.0.0/16",
      "172.16.0.0/12",
      "192.0.0.0/24",
      "192.0.0.0/29",
      "192.0.0.170/32",
      "192.0.2.0/24",
      "192.31.196.0/24",
      "192.52.193.0/24",
      "192.88.99.0/24",
      "192.168.0.0/16",
      "192.175.48.0/24",
      "198.18.0.0/15",
      "198.51.100.0/24",
      "203.0.113.0/24",
      "224.0.0.0/4",
      "240.0.0.0/4",
      "255.255.255.255/32",
      "::1/128",
      "::/128",
      "::ffff:0.0.0.0/96",
      "64:ff9b::/96",
      "64:ff9b:1::/48",
      "100::/64",
      "100:0:0:1::/64",
      "2001::/23",
      "2001::/32",
      "2001:2::/48",
      "2001:20::/28",
      "2001:db8::/32",
      "2002::/16",
      "2620:4f:8000::/48",
      "3fff::/20",
      "5f00::/16",
      "fc00::/7",
      "fe80::/10",
      "ff00::/8",
    ]) {
      expect(all, cidr).toContain(cidr);
    }
    expect(new Set(all).size).toBe(all.length);
  });

  it("stores each block normalized, with a name, an RFC and a parsed range that matches its text", () => {
    for (const e of ianaSpecialPurpose) {
      expect(formatCidr(parseCidr(e.cidr))).toBe(e.cidr);
      expect(parseCidr(e.cidr)).toEqual(e.range);
      expect(e.name).not.toBe("");
      expect(e.rfc).toMatch(/^RFC \d+/);
      expect(Object.isFrozen(e)).toBe(true);
    }
  });

  it("copies the registry's Globally Reachable column", () => {
    const flag = (cidr: string): boolean | null | undefined => ianaSpecialPurpose.find((e) => e.cidr === cidr)?.globallyReachable;
    expect(flag("10.0.0.0/8")).toBe(false);
    expect(flag("192.0.0.9/32")).toBe(true);
    expect(flag("192.31.196.0/24")).toBe(true);
    expect(flag("64:ff9b::/96")).toBe(true);
    expect(flag("2002::/16")).toBeNull(); // "N/A"
    expect(flag("2001::/32")).toBeNull(); // "N/A"
    expect(flag("192.88.99.0/24")).toBeNull(); // deprecated, flags removed by RFC 7526
    expect(ianaSpecialPurpose.find((e) => e.cidr === "192.88.99.0/24")?.terminated).toBe("2015-03");
  });
});

describe("classifyIp", () => {
  it.each([
    ["8.8.8.8", []],
    ["1.1.1.1", []],
    ["2606:4700:4700::1111", []],
    ["10.1.2.3", ["10.0.0.0/8"]],
    ["172.31.255.255", ["172.16.0.0/12"]],
    ["172.32.0.0", []],
    ["192.168.0.1", ["192.168.0.0/16"]],
    ["100.64.0.1", ["100.64.0.0/10"]],
    ["100.128.0.0", []],
    ["127.0.0.1", ["127.0.0.0/8"]],
    ["169.254.169.254", ["169.254.0.0/16"]],
    ["192.0.2.5", ["192.0.2.0/24"]],
    ["198.51.100.1", ["198.51.100.0/24"]],
    ["203.0.113.255", ["203.0.113.0/24"]],
    ["198.19.255.255", ["198.18.0.0/15"]],
    ["0.0.0.0", ["0.0.0.0/32", "0.0.0.0/8"]],
    ["0.1.2.3", ["0.0.0.0/8"]],
    ["192.0.0.9", ["192.0.0.9/32", "192.0.0.0/24"]],
    ["192.0.0.1", ["192.0.0.0/29", "192.0.0.0/24"]],
    ["192.88.99.2", ["192.88.99.2/32", "192.88.99.0/24"]],
    ["224.0.0.251", ["224.0.0.0/4"]],
    ["239.255.255.250", ["224.0.0.0/4"]],
    ["240.0.0.1", ["240.0.0.0/4"]],
    ["255.255.255.255", ["255.255.255.255/32", "240.0.0.0/4"]],
    ["2001:db8::1", ["2001:db8::/32"]],
    ["3fff::1", ["3fff::/20"]],
    ["fe80::1", ["fe80::/10"]],
    ["fd12:3456::1", ["fc00::/7"]],
    ["::1", ["::1/128"]],
    ["::", ["::/128"]],
    ["ff02::1", ["ff00::/8"]],
    ["2001::1", ["2001::/32", "2001::/23"]],
    ["2001:1::3", ["2001:1::3/128", "2001::/23"]],
    ["5f00::1", ["5f00::/16"]],
    ["64:ff9b::8.8.8.8", ["64:ff9b::/96"]],
    ["2002:c000:0201::1", ["2002::/16"]],
  ])("%s -> %j", (addr, expected) => {
    expect(cidrsOf(addr)).toEqual(expected);
  });

  it("names the registry entry and its category", () => {
    expect(classifyIp("10.1.2.3")).toMatchObject([{ name: "Private-Use", rfc: "RFC 1918", category: "private", globallyReachable: false }]);
    expect(classifyIp("100.64.0.1")).toMatchObject([{ category: "cgnat" }]);
    expect(classifyIp("192.0.2.5")).toMatchObject([{ name: "Documentation (TEST-NET-1)", category: "documentation" }]);
    expect(classifyIp("2001:db8::1")).toMatchObject([{ category: "documentation", rfc: "RFC 3849" }]);
    expect(classifyIp("fe80::1")).toMatchObject([{ category: "link-local" }]);
    expect(classifyIp("255.255.255.255")[0]).toMatchObject({ category: "broadcast" });
  });

  it("classifies an IPv4-mapped address as mapped and as the IPv4 address it carries", () => {
    expect(names("::ffff:127.0.0.1")).toEqual(["IPv4-mapped Address", "Loopback"]);
    expect(names("::ffff:10.0.0.1")).toEqual(["IPv4-mapped Address", "Private-Use"]);
    expect(names("::ffff:8.8.8.8")).toEqual(["IPv4-mapped Address"]);
  });
});

describe("isGloballyReachable", () => {
  it.each([
    ["8.8.8.8", true],
    ["10.1.2.3", false],
    ["100.64.0.1", false],
    ["192.0.2.5", false],
    ["192.0.0.9", true], // the specific anycast entry wins over its non-global /24
    ["192.0.0.8", false],
    ["192.31.196.1", true],
    ["224.0.0.1", false], // multicast: no flag, not counted reachable
    ["2606:4700::1", true],
    ["2001:db8::1", false],
    ["2002::1", false], // N/A
    ["::ffff:8.8.8.8", false], // mapped addresses never travel as such
    ["4000::1", false], // outside 2000::/3: unallocated
    ["fe80::1", false],
  ])("%s -> %s", (addr, expected) => {
    expect(isGloballyReachable(addr)).toBe(expected);
  });
});

describe("builtinBlocklist", () => {
  const blocklist = builtinBlocklist();

  it("is shared and frozen", () => {
    expect(builtinBlocklist()).toBe(blocklist);
    expect(blocklist.frozen).toBe(true);
    expect(() => blocklist.add("8.8.8.8")).toThrow(TypeError);
  });

  it("blocks every entry that is not globally reachable, multicast and the additions, end to end", () => {
    for (const e of ianaSpecialPurpose.filter((x) => x.globallyReachable !== true)) {
      for (const a of ends(e)) expect(blocklist.has(a), `${e.cidr} ${formatIp(a)}`).toBe(true);
    }
    for (const a of blocklistAdditions) {
      for (const addr of ends({ range: parseCidr(a.cidr) })) expect(blocklist.has(addr), a.cidr).toBe(true);
    }
  });

  it("covers exactly the expected blocks", () => {
    expect(blocklist.toCidrs().map(formatCidr)).toEqual([
      "0.0.0.0/8",
      "10.0.0.0/8",
      "100.64.0.0/10",
      "127.0.0.0/8",
      "169.254.0.0/16",
      "172.16.0.0/12",
      "192.0.0.0/24",
      "192.0.2.0/24",
      "192.88.99.0/24",
      "192.168.0.0/16",
      "198.18.0.0/15",
      "198.51.100.0/24",
      "203.0.113.0/24",
      "224.0.0.0/3", // multicast 224/4 and reserved 240/4, which holds 255.255.255.255
      "::/96",
      "::ffff:0.0.0.0/96",
      "64:ff9b::/96",
      "64:ff9b:1::/48",
      "100::/63", // discard-only 100::/64 and dummy 100:0:0:1::/64
      "2001::/23",
      "2001:db8::/32",
      "2002::/16",
      "3fff::/20",
      "5f00::/16",
      "fc00::/7",
      "fe80::/9", // link-local fe80::/10 and deprecated site-local fec0::/10
      "ff00::/8",
    ]);
  });

  it.each([
    ["8.8.8.8", false],
    ["1.0.0.0", false],
    ["9.255.255.255", false],
    ["10.0.0.0", true],
    ["11.0.0.0", false],
    ["100.63.255.255", false],
    ["100.64.0.0", true],
    ["100.127.255.255", true],
    ["100.128.0.0", false],
    ["192.0.0.9", true], // PCP anycast inside the blocked 192.0.0.0/24
    ["192.31.196.1", false], // AS112: globally routed anycast, scannable
    ["192.52.193.1", false], // AMT
    ["192.175.48.6", false], // AS112
    ["223.255.255.255", false],
    ["224.0.0.0", true],
    ["255.255.255.255", true],
    ["0.0.0.0", true],
    ["2606:4700:4700::1111", false],
    ["2620:4f:8000::6", false], // AS112 IPv6
    ["2001:4860:4860::8888", false],
    ["2001:1::1", true], // inside 2001::/23
    ["64:ff9b::8.8.8.8", true], // NAT64: an IPv4 host through someone's translator
    ["::ffff:8.8.8.8", true],
    ["::8.8.8.8", true],
    ["fec0::1", true],
    ["ff02::1", true],
  ])("%s blocked: %s", (addr, expected) => {
    expect(blocklist.has(addr)).toBe(expected);
  });
});

describe("local targets", () => {
  it("lists loopback, private, unique-local, link-local and CGNAT ranges", () => {
    expect(localTargetRanges.map((r) => r.cidr).sort()).toEqual(
      ["10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7", "fe80::/10"].sort(),
    );
  });

  it("are blocked by default and allowed only with allowLocalTargets, which keeps everything else blocked", () => {
    const strict = builtinBlocklist();
    const local = builtinBlocklist({ allowLocalTargets: true });
    expect(local.frozen).toBe(true);
    const localSet = CidrSet.from(localTargetRanges.map((r) => r.range));
    expect(strict.intersect(localSet).equals(localSet)).toBe(true);
    expect(local.intersect(localSet).isEmpty()).toBe(true);
    expect(local.union(localSet).equals(strict)).toBe(true);
    for (const addr of ["127.0.0.1", "10.1.2.3", "192.168.1.1", "172.16.0.1", "169.254.1.1", "100.64.0.1", "::1", "fd00::1", "fe80::1"]) {
      expect(strict.has(addr), addr).toBe(true);
      expect(local.has(addr), addr).toBe(false);
    }
    for (const addr of ["192.0.2.1", "224.0.0.1", "255.255.255.255", "0.0.0.0", "::", "::2", "2001:db8::1", "ff02::1", "fec0::1"]) {
      expect(local.has(addr), addr).toBe(true);
    }
  });
});
