import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/core/errors.js";
import { CidrSet, formatCidr, ipv4ToNumber, parseIp, rangeToCidrs, parseRange } from "../../../src/core/net/index.js";

const v4 = ipv4ToNumber;
const cidrs = (set: CidrSet): string[] => set.toCidrs().map(formatCidr);

describe("CidrSet", () => {
  it("starts empty", () => {
    const set = new CidrSet();
    expect(set.isEmpty()).toBe(true);
    expect(set.size).toEqual({ v4: 0, v6: 0n });
    expect(set.hasV4(0)).toBe(false);
    expect(set.has("::")).toBe(false);
    expect(cidrs(set)).toEqual([]);
  });

  it("accepts CIDR, address and range strings and parsed values", () => {
    const set = CidrSet.from([
      "10.0.0.0/8",
      "192.0.2.7",
      "198.51.100.10-198.51.100.20",
      "2001:db8::/32",
      parseIp("::1"),
      parseRange("203.0.113.0/25"),
    ]);
    expect(set.has("10.255.255.255")).toBe(true);
    expect(set.has("11.0.0.0")).toBe(false);
    expect(set.has("192.0.2.7")).toBe(true);
    expect(set.has("192.0.2.8")).toBe(false);
    expect(set.has("198.51.100.9")).toBe(false);
    expect(set.has("198.51.100.10")).toBe(true);
    expect(set.has("198.51.100.20")).toBe(true);
    expect(set.has("198.51.100.21")).toBe(false);
    expect(set.has("203.0.113.127")).toBe(true);
    expect(set.has("203.0.113.128")).toBe(false);
    expect(set.has("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(true);
    expect(set.has("2001:db9::")).toBe(false);
    expect(set.has("::1")).toBe(true);
    expect(set.has("::2")).toBe(false);
    expect(set.size).toEqual({ v4: 2 ** 24 + 1 + 11 + 128, v6: 2n ** 96n + 1n });
  });

  it("keeps families apart: ::ffff:10.0.0.1 is IPv6, not 10.0.0.1", () => {
    const set = CidrSet.from(["10.0.0.0/8"]);
    expect(set.has("::ffff:10.0.0.1")).toBe(false);
    expect(set.hasV6(0xffff0a000001n)).toBe(false);
  });

  it("merges overlapping and adjacent ranges into one interval", () => {
    const set = CidrSet.from(["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0-10.0.1.9", "10.0.0.5", "10.0.1.5-10.0.2.0"]);
    expect([...set.intervalsV4()]).toEqual([[v4("10.0.0.0"), v4("10.0.2.0")]]);
    expect(cidrs(set)).toEqual(["10.0.0.0/23", "10.0.2.0/32"]);
  });

  it("handles the edges of the address space", () => {
    const all = CidrSet.from(["0.0.0.0/0", "::/0"]);
    expect(all.size).toEqual({ v4: 2 ** 32, v6: 2n ** 128n });
    expect(all.hasV4(0)).toBe(true);
    expect(all.hasV4(0xffffffff)).toBe(true);
    expect(all.hasV6((1n << 128n) - 1n)).toBe(true);
    expect(cidrs(all)).toEqual(["0.0.0.0/0", "::/0"]);

    const top = CidrSet.from(["255.255.255.255", "255.255.255.254/32", "0.0.0.0"]);
    expect(cidrs(top)).toEqual(["0.0.0.0/32", "255.255.255.254/31"]);
    expect(top.hasV4(0xfffffffd)).toBe(false);
  });

  it("hasV4 answers false, never garbage, for numbers that are not addresses", () => {
    const all = CidrSet.from(["0.0.0.0/0"]);
    for (const bad of [-1, 2 ** 32, 2 ** 32 + 5, Number.NaN, Infinity, -Infinity]) expect(all.hasV4(bad)).toBe(false);
  });

  it("uses the /16 index on large sets with the same answers", () => {
    const set = new CidrSet();
    // 5,000 separate /30s spread over the space, plus two blocks straddling /16 boundaries.
    for (let i = 0; i < 5000; i++) set.addV4Range(i * 858_993, i * 858_993 + 3);
    set.add("10.0.255.250-10.1.0.5");
    set.add("255.255.255.0/24");
    expect(set.intervalCount.v4).toBe(5002);
    for (let i = 0; i < 5000; i += 7) {
      const s = i * 858_993;
      if (s > 0) expect(set.hasV4(s - 1)).toBe(false);
      expect(set.hasV4(s)).toBe(true);
      expect(set.hasV4(s + 3)).toBe(true);
      expect(set.hasV4(s + 4)).toBe(false);
    }
    expect(set.has("10.0.255.249")).toBe(false);
    expect(set.has("10.0.255.250")).toBe(true);
    expect(set.has("10.1.0.0")).toBe(true);
    expect(set.has("10.1.0.5")).toBe(true);
    expect(set.has("10.1.0.6")).toBe(false);
    expect(set.hasV4(0xffffffff)).toBe(true);
  });

  it("adds after queries: lazy merging picks up later additions", () => {
    const set = CidrSet.from(["10.0.0.0/24"]);
    expect(set.has("10.0.1.1")).toBe(false);
    set.add("10.0.1.0/24");
    expect(set.has("10.0.1.1")).toBe(true);
    expect(cidrs(set)).toEqual(["10.0.0.0/23"]);
  });

  it("union, subtract, intersect return new sets and leave their inputs alone", () => {
    const a = CidrSet.from(["10.0.0.0/8", "2001:db8::/32"]);
    const b = CidrSet.from(["10.1.0.0/16", "192.0.2.0/24", "2001:db8:1::/48"]);
    expect(cidrs(a.union(b))).toEqual(["10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"]);
    expect(cidrs(a.intersect(b))).toEqual(["10.1.0.0/16", "2001:db8:1::/48"]);
    expect(cidrs(a.subtract(b))).toEqual([
      "10.0.0.0/16",
      "10.2.0.0/15",
      "10.4.0.0/14",
      "10.8.0.0/13",
      "10.16.0.0/12",
      "10.32.0.0/11",
      "10.64.0.0/10",
      "10.128.0.0/9",
      "2001:db8::/48",
      "2001:db8:2::/47",
      "2001:db8:4::/46",
      "2001:db8:8::/45",
      "2001:db8:10::/44",
      "2001:db8:20::/43",
      "2001:db8:40::/42",
      "2001:db8:80::/41",
      "2001:db8:100::/40",
      "2001:db8:200::/39",
      "2001:db8:400::/38",
      "2001:db8:800::/37",
      "2001:db8:1000::/36",
      "2001:db8:2000::/35",
      "2001:db8:4000::/34",
      "2001:db8:8000::/33",
    ]);
    expect(cidrs(a)).toEqual(["10.0.0.0/8", "2001:db8::/32"]);
    expect(cidrs(b)).toEqual(["10.1.0.0/16", "192.0.2.0/24", "2001:db8:1::/48"]);
  });

  it("subtracting everything leaves nothing; subtracting nothing leaves a copy", () => {
    const a = CidrSet.from(["1.2.3.0/24", "::1"]);
    expect(a.subtract(CidrSet.from(["0.0.0.0/0", "::/0"])).isEmpty()).toBe(true);
    expect(a.subtract(new CidrSet()).equals(a)).toBe(true);
  });

  it("merge adds another set in place", () => {
    const a = CidrSet.from(["10.0.0.0/24"]);
    const returned = a.merge(CidrSet.from(["10.0.1.0/24", "::/127"]));
    expect(returned).toBe(a);
    expect(cidrs(a)).toEqual(["10.0.0.0/23", "::/127"]);
  });

  it("freeze refuses further changes; clone gives a mutable copy", () => {
    const a = CidrSet.from(["10.0.0.0/8"]).freeze();
    expect(a.frozen).toBe(true);
    expect(() => a.add("11.0.0.0/8")).toThrow(TypeError);
    expect(() => a.merge(new CidrSet())).toThrow(TypeError);
    const b = a.clone().add("11.0.0.0/8");
    expect(cidrs(b)).toEqual(["10.0.0.0/7"]);
    expect(cidrs(a)).toEqual(["10.0.0.0/8"]);
  });

  it("iterates intervals and ranges in address order, IPv4 first", () => {
    const set = CidrSet.from(["::1", "10.0.0.0/31", "1.1.1.1"]);
    expect([...set.intervalsV4()]).toEqual([
      [v4("1.1.1.1"), v4("1.1.1.1")],
      [v4("10.0.0.0"), v4("10.0.0.1")],
    ]);
    expect([...set.intervalsV6()]).toEqual([[1n, 1n]]);
    expect([...set.ranges()].map((r) => r.v)).toEqual([4, 4, 6]);
  });

  it("rejects bad input with the errors of the parsers, and bad numbers with RangeError", () => {
    expect(() => CidrSet.from(["10.0.0.0/33"])).toThrow(UsageError);
    expect(() => new CidrSet().has("not-an-ip")).toThrow(UsageError);
    expect(() => new CidrSet().addV4Range(5, 4)).toThrow(RangeError);
    expect(() => new CidrSet().addV4Range(0, 2 ** 32)).toThrow(RangeError);
    expect(() => new CidrSet().addV4Range(0.5, 1)).toThrow(RangeError);
    expect(() => new CidrSet().addV6Range(0n, 1n << 128n)).toThrow(RangeError);
  });
});

describe("rangeToCidrs", () => {
  it.each([
    ["10.0.0.0-10.0.0.255", ["10.0.0.0/24"]],
    ["10.0.0.1-10.0.0.6", ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]],
    ["0.0.0.0-255.255.255.255", ["0.0.0.0/0"]],
    ["128.0.0.0-255.255.255.254", ["128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4", "240.0.0.0/5", "248.0.0.0/6", "252.0.0.0/7", "254.0.0.0/8", "255.0.0.0/9", "255.128.0.0/10", "255.192.0.0/11", "255.224.0.0/12", "255.240.0.0/13", "255.248.0.0/14", "255.252.0.0/15", "255.254.0.0/16", "255.255.0.0/17", "255.255.128.0/18", "255.255.192.0/19", "255.255.224.0/20", "255.255.240.0/21", "255.255.248.0/22", "255.255.252.0/23", "255.255.254.0/24", "255.255.255.0/25", "255.255.255.128/26", "255.255.255.192/27", "255.255.255.224/28", "255.255.255.240/29", "255.255.255.248/30", "255.255.255.252/31", "255.255.255.254/32"]],
    ["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ["::/0"]],
    ["::1-::2", ["::1/128", "::2/128"]],
  ])("%s", (range, expected) => {
    expect(rangeToCidrs(parseRange(range)).map(formatCidr)).toEqual(expected);
  });

  it("splits 0.0.0.1-255.255.255.255 into one block per bit", () => {
    const out = rangeToCidrs(parseRange("0.0.0.1-255.255.255.255")).map(formatCidr);
    expect(out).toHaveLength(32);
    expect(out[0]).toBe("0.0.0.1/32");
    expect(out[31]).toBe("128.0.0.0/1");
  });
});
