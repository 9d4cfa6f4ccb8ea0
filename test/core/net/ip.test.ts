import { isIP } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/core/errors.js";
import {
  bigintToIpv6,
  formatCidr,
  formatIp,
  formatRange,
  ipv4ToNumber,
  ipv6ToBigint,
  numberToIpv4,
  parseCidr,
  parseIp,
  parseRange,
  tryParseIp,
  unmapIpv4,
} from "../../../src/core/net/index.js";

/** The UsageError message `fn` throws; fails the test when it throws anything else or nothing. */
function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).message;
  }
  throw new Error("expected a UsageError, nothing was thrown");
}

describe("IPv4", () => {
  it.each([
    ["0.0.0.0", 0],
    ["0.0.0.1", 1],
    ["1.2.3.4", 0x01020304],
    ["10.0.0.1", 0x0a000001],
    ["127.0.0.1", 0x7f000001],
    ["128.0.0.0", 0x80000000],
    ["192.168.100.200", 0xc0a864c8],
    ["255.255.255.254", 0xfffffffe],
    ["255.255.255.255", 0xffffffff],
  ])("%s <-> %d", (text, n) => {
    expect(ipv4ToNumber(text)).toBe(n);
    expect(numberToIpv4(n)).toBe(text);
    expect(parseIp(text)).toEqual({ v: 4, n });
  });

  it.each([
    ["01.2.3.4", 'octet "01" has a leading zero (ambiguous: octal or decimal?)'],
    ["1.2.3.00", 'octet "00" has a leading zero'],
    ["010.0.0.1", 'octet "010" has a leading zero'],
    ["256.1.1.1", 'octet "256" is out of range 0-255'],
    ["1.2.3.1000", 'octet "1000" is out of range'],
    ["1.2.3", "too few octets (expected 4, got 3)"],
    ["1", "too few octets (expected 4, got 1)"],
    ["1.2.3.4.5", "too many octets"],
    ["1.2.3.4.", "too many octets"],
    [".1.2.3", "empty octet"],
    ["1..2.3", "empty octet"],
    ["1.2.3.", "empty octet"],
    ["1.2.3.-4", 'unexpected character "-"'],
    ["+1.2.3.4", 'unexpected character "+"'],
    [" 1.2.3.4", 'unexpected character " "'],
    ["1.2.3.4 ", 'unexpected character " "'],
    ["0x7f.0.0.1", 'unexpected character "x"'],
    ["1.2.3.a", 'unexpected character "a"'],
    ["１.2.3.4", "unexpected character"], // full-width digit
    ["", "empty text"],
  ])("rejects %j: %s", (text, why) => {
    const message = usageMessage(() => ipv4ToNumber(text));
    expect(message).toContain(JSON.stringify(text));
    expect(message).toContain(why);
  });

  it("numberToIpv4 refuses values that are not 32-bit unsigned integers (a caller bug, not user input)", () => {
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN, Infinity]) expect(() => numberToIpv4(bad)).toThrow(RangeError);
  });

  it("round-trips every 32-bit value (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(ipv4ToNumber(numberToIpv4(n))).toBe(n);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("IPv6 parsing", () => {
  it.each([
    ["::", 0n],
    ["::1", 1n],
    ["1::", 1n << 112n],
    ["0:0:0:0:0:0:0:0", 0n],
    ["0000:0000:0000:0000:0000:0000:0000:0001", 1n],
    ["2001:db8::1", 0x20010db8000000000000000000000001n],
    ["2001:DB8::1", 0x20010db8000000000000000000000001n],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", 0x20010db8000000000000000000000001n],
    ["1:2:3:4:5:6:7:8", 0x00010002000300040005000600070008n],
    ["1:2:3:4:5:6:7::", 0x00010002000300040005000600070000n],
    ["::2:3:4:5:6:7:8", 0x00000002000300040005000600070008n],
    ["1::8", 0x00010000000000000000000000000008n],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", (1n << 128n) - 1n],
    ["::ffff:1.2.3.4", 0xffff01020304n],
    ["::FFFF:1.2.3.4", 0xffff01020304n],
    ["::ffff:0102:0304", 0xffff01020304n],
    ["::1.2.3.4", 0x01020304n],
    ["64:ff9b::192.0.2.33", 0x0064ff9b0000000000000000c0000221n],
    ["1:2:3:4:5:6:1.2.3.4", 0x00010002000300040005000601020304n],
    ["fe80::1", 0xfe800000000000000000000000000001n],
  ])("%s", (text, n) => {
    expect(ipv6ToBigint(text)).toBe(n);
    expect(parseIp(text)).toEqual({ v: 6, n });
  });

  it.each([
    ["fe80::1%eth0", "zone ids (the '%' suffix) are not supported"],
    ["fe80::1%1", "zone ids"],
    ["[::1]", "remove the surrounding brackets"],
    ["1::2::3", "more than one '::'"],
    [":::", "':::' is not valid"],
    ["1:::2", "':::' is not valid"],
    [":1::", "empty group"],
    ["::1:", "empty group"],
    [":1:2:3:4:5:6:7", "empty group"],
    ["1:2:3:4:5:6:7:", "empty group"],
    ["1:2:3:4:5:6:7", "too few groups (expected 8, got 7)"],
    ["1:2:3:4:5:6:7:8:9", "too many groups (expected 8, got 9)"],
    ["1:2:3:4:5:6:7:8::", "too many groups for '::'"],
    ["::1:2:3:4:5:6:7:8", "too many groups for '::'"],
    ["1::2:3:4:5:6:7:8", "too many groups for '::'"],
    ["12345::", 'group "12345" has more than 4 hex digits'],
    ["00001::", "has more than 4 hex digits"],
    ["g::1", 'unexpected character "g"'],
    ["::1 ", 'unexpected character " "'],
    ["1.2.3.4::", 'embedded IPv4 "1.2.3.4" must be the last part'],
    ["::1.2.3.4:1", 'embedded IPv4 "1.2.3.4" must be the last part'],
    ["::ffff:01.2.3.4", 'embedded IPv4 "01.2.3.4" is not a valid dotted-decimal address'],
    ["::ffff:1.2.3", "is not a valid dotted-decimal address"],
    ["::ffff:256.1.1.1", "is not a valid dotted-decimal address"],
    ["1:2:3:4:5:6:7:1.2.3.4", "too many groups (expected 8, got 9)"],
    ["::-1", 'unexpected character "-"'],
  ])("rejects %j: %s", (text, why) => {
    const message = usageMessage(() => ipv6ToBigint(text));
    expect(message).toContain(JSON.stringify(text));
    expect(message).toContain(why);
    expect(tryParseIp(text)).toBeUndefined();
  });
});

describe("IPv6 formatting (RFC 5952)", () => {
  it.each([
    // RFC 5952 section 4: leading zeros, "::" for the longest run, first run on a tie, lowercase.
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8::0:1", "2001:db8::1"],
    ["2001:db8:0:0:0:0:2:1", "2001:db8::2:1"],
    ["2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // one 16-bit zero is never "::"
    ["2001:db8:0000:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"], // longest run wins
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // equal runs: the first
    ["2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:AAAA", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["1:0:0:0:0:0:0:0", "1::"],
    ["0:0:1:0:0:0:0:0", "0:0:1::"],
    ["1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"],
    ["fe80:0:0:0:0:0:0:1", "fe80::1"],
    // RFC 5952 section 5: IPv4-mapped addresses keep their dotted tail.
    ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
    ["::FFFF:C000:0201", "::ffff:192.0.2.1"],
    ["0:0:0:0:0:ffff:0:0", "::ffff:0.0.0.0"],
    // Other embedded forms are plain hex: only the mapped prefix has the recommendation.
    ["::1.2.3.4", "::102:304"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
  ])("%s -> %s", (text, canonical) => {
    expect(formatIp(parseIp(text))).toBe(canonical);
    expect(formatIp(parseIp(canonical))).toBe(canonical);
  });

  it("bigintToIpv6 refuses values outside 128 bits", () => {
    expect(() => bigintToIpv6(-1n)).toThrow(RangeError);
    expect(() => bigintToIpv6(1n << 128n)).toThrow(RangeError);
  });

  const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
  // Random values are almost never zero-rich, so also build addresses from few distinct groups.
  const zeroRich = fc
    .array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xdb8), { minLength: 8, maxLength: 8 })
    .map((groups) => groups.reduce((n, g) => (n << 16n) | BigInt(g), 0n));
  const addr6 = fc.oneof(u128, zeroRich);

  it("round-trips through text, and agrees with the WHATWG URL serializer (property)", () => {
    fc.assert(
      fc.property(addr6, (n) => {
        const text = bigintToIpv6(n);
        expect(ipv6ToBigint(text)).toBe(n);
        expect(ipv6ToBigint(text.toUpperCase())).toBe(n);
        // URL canonicalizes IPv6 hosts by the same compression rules, but always in hex.
        if (n >> 32n !== 0xffffn) expect(new URL(`http://[${text}]/`).hostname).toBe(`[${text}]`);
      }),
      { numRuns: 3000 },
    );
  });

  it("accepts exactly what node:net accepts, for random strings over the address alphabet (property)", () => {
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF:."), maxLength: 45 }),
      fc.string({ unit: fc.constantFrom(..."0129af:."), maxLength: 20 }),
      // Mutations of valid addresses: the interesting near misses.
      fc
        .tuple(addr6, fc.nat(40), fc.constantFrom("", ":", ".", "0", "::", "1.2.3.4", "00000"))
        .map(([n, at, ins]) => {
          const s = bigintToIpv6(n);
          const i = at % (s.length + 1);
          return s.slice(0, i) + ins + s.slice(i);
        }),
    );
    fc.assert(
      fc.property(text, (s) => {
        const ours = tryParseIp(s);
        expect(ours === undefined ? 0 : ours.v, s).toBe(isIP(s));
      }),
      { numRuns: 20000 },
    );
  });
});

describe("parseIp / formatIp", () => {
  it("names the text and explains when it is no address at all", () => {
    expect(usageMessage(() => parseIp(""))).toBe('invalid IP address "": expected IPv4 (192.0.2.1) or IPv6 (2001:db8::1)');
    expect(usageMessage(() => parseIp("localhost"))).toContain('"localhost"');
    expect(usageMessage(() => parseIp("10.0.0.0/8"))).toContain("a CIDR block, not a single address");
  });

  it("tryParseIp never throws", () => {
    expect(tryParseIp("10.1.2.3")).toEqual({ v: 4, n: 0x0a010203 });
    expect(tryParseIp("::1")).toEqual({ v: 6, n: 1n });
    for (const bad of ["", "x", "1.2.3", "fe80::1%eth0", "::g"]) expect(tryParseIp(bad)).toBeUndefined();
  });

  it("unmapIpv4 turns ::ffff:a.b.c.d into the IPv4 address and leaves others alone", () => {
    expect(unmapIpv4(parseIp("::ffff:192.0.2.1"))).toEqual({ v: 4, n: 0xc0000201 });
    expect(unmapIpv4(parseIp("::ffff:255.255.255.255"))).toEqual({ v: 4, n: 0xffffffff });
    expect(unmapIpv4(parseIp("::1.2.3.4"))).toEqual({ v: 6, n: 0x01020304n });
    expect(unmapIpv4(parseIp("1:0:0:0:0:ffff:1.2.3.4")).v).toBe(6);
    expect(unmapIpv4(parseIp("10.0.0.1"))).toEqual({ v: 4, n: 0x0a000001 });
  });
});

describe("CIDR", () => {
  it.each([
    ["10.0.0.0/8", "10.0.0.0/8", 0x0a000000, 0x0affffff],
    ["10.0.0.1/8", "10.0.0.0/8", 0x0a000000, 0x0affffff], // host bits set: normalized
    ["10.255.255.255/8", "10.0.0.0/8", 0x0a000000, 0x0affffff],
    ["0.0.0.0/0", "0.0.0.0/0", 0, 0xffffffff],
    ["255.255.255.255/0", "0.0.0.0/0", 0, 0xffffffff],
    ["255.255.255.255/32", "255.255.255.255/32", 0xffffffff, 0xffffffff],
    ["255.255.255.255/1", "128.0.0.0/1", 0x80000000, 0xffffffff],
    ["192.168.1.77/31", "192.168.1.76/31", 0xc0a8014c, 0xc0a8014d],
    ["1.2.3.4", "1.2.3.4/32", 0x01020304, 0x01020304], // bare address: host route
  ])("%s -> %s", (text, canonical, first, last) => {
    const cidr = parseCidr(text);
    expect(cidr).toEqual({ v: 4, first, last, prefix: Number(canonical.split("/")[1]) });
    expect(formatCidr(cidr)).toBe(canonical);
  });

  it.each([
    ["2001:db8::/32", "2001:db8::/32"],
    ["2001:db8::1/32", "2001:db8::/32"],
    ["::/0", "::/0"],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/0", "::/0"],
    ["::1", "::1/128"],
    ["fe80::1/10", "fe80::/10"],
    ["FC00::/7", "fc00::/7"],
    ["::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104"],
  ])("%s -> %s", (text, canonical) => {
    expect(formatCidr(parseCidr(text))).toBe(canonical);
  });

  it("gives IPv6 CIDRs exact bounds", () => {
    expect(parseCidr("2001:db8::/32")).toEqual({
      v: 6,
      first: 0x20010db8000000000000000000000000n,
      last: 0x20010db8ffffffffffffffffffffffffn,
      prefix: 32,
    });
    expect(parseCidr("::/0")).toEqual({ v: 6, first: 0n, last: (1n << 128n) - 1n, prefix: 0 });
  });

  it.each([
    ["10.0.0.0/33", "prefix length 33 is longer than 32"],
    ["::/129", "prefix length 129 is longer than 128"],
    ["10.0.0.0/08", 'prefix length "08" is not a decimal number'],
    ["10.0.0.0/", 'prefix length "" is not a decimal number'],
    ["10.0.0.0/-1", 'prefix length "-1"'],
    ["10.0.0.0/8/8", "more than one '/'"],
    ["10.0.0.0/ 8", 'prefix length " 8"'],
    ["010.0.0.0/8", 'octet "010" has a leading zero'],
    ["/8", "expected IPv4"],
    ["fe80::%eth0/64", "zone ids"],
  ])("rejects %j: %s", (text, why) => {
    const message = usageMessage(() => parseCidr(text));
    expect(message).toContain(`invalid CIDR ${JSON.stringify(text)}`);
    expect(message).toContain(why);
  });

  it("refuses host bits only when asked to", () => {
    expect(formatCidr(parseCidr("10.0.0.0/8", { rejectHostBits: true }))).toBe("10.0.0.0/8");
    expect(formatCidr(parseCidr("2001:db8::/32", { rejectHostBits: true }))).toBe("2001:db8::/32");
    expect(formatCidr(parseCidr("10.0.0.1", { rejectHostBits: true }))).toBe("10.0.0.1/32");
    expect(usageMessage(() => parseCidr("10.0.0.1/8", { rejectHostBits: true }))).toBe(
      'invalid CIDR "10.0.0.1/8": host bits are set below the prefix (did you mean 10.0.0.0/8?)',
    );
    expect(usageMessage(() => parseCidr("2001:db8::1/32", { rejectHostBits: true }))).toContain("did you mean 2001:db8::/32?");
  });

  it("normalizes any address and prefix to an aligned block containing it (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (n, prefix) => {
        const c = parseCidr(`${numberToIpv4(n)}/${prefix}`);
        expect(c.v).toBe(4);
        const size = 2 ** (32 - prefix);
        expect(Number(c.first) % size).toBe(0);
        expect(Number(c.last) - Number(c.first) + 1).toBe(size);
        expect(c.first <= n && n <= c.last).toBe(true);
        expect(parseCidr(formatCidr(c))).toEqual(c);
      }),
    );
  });
});

describe("parseRange", () => {
  it("accepts addresses, CIDRs and first-last ranges", () => {
    expect(parseRange("192.0.2.10-192.0.2.20")).toEqual({ v: 4, first: 0xc000020a, last: 0xc0000214 });
    expect(parseRange("192.0.2.10 - 192.0.2.20")).toEqual({ v: 4, first: 0xc000020a, last: 0xc0000214 });
    expect(parseRange("192.0.2.9-192.0.2.9")).toEqual({ v: 4, first: 0xc0000209, last: 0xc0000209 });
    expect(parseRange("2001:db8::1-2001:db8::ff")).toEqual({ v: 6, first: 0x20010db8000000000000000000000001n, last: 0x20010db80000000000000000000000ffn });
    expect(parseRange("10.0.0.0/8")).toMatchObject({ v: 4, first: 0x0a000000, last: 0x0affffff });
    expect(parseRange("::1")).toMatchObject({ v: 6, first: 1n, last: 1n });
  });

  it.each([
    ["10.0.0.9-10.0.0.1", "start 10.0.0.9 is after end 10.0.0.1"],
    ["10.0.0.1-::1", "mixes IPv4 and IPv6"],
    ["10.0.0.0/8-10.1.0.0", "a range is two addresses, not CIDRs"],
    ["10.0.0.1-", 'invalid IP address ""'],
    ["-10.0.0.1", 'invalid IP address ""'],
    ["10.0.0.1-10.0.0.2-10.0.0.3", 'unexpected character "-"'],
    ["10.0.0.1-10.0.0.256", 'octet "256" is out of range'],
  ])("rejects %j: %s", (text, why) => {
    const message = usageMessage(() => parseRange(text));
    expect(message).toContain(JSON.stringify(text));
    expect(message).toContain(why);
  });

  it("formatRange writes first-last, or one address", () => {
    expect(formatRange(parseRange("10.0.0.1-10.0.0.9"))).toBe("10.0.0.1-10.0.0.9");
    expect(formatRange(parseRange("2001:db8::/127"))).toBe("2001:db8::-2001:db8::1");
    expect(formatRange(parseRange("10.0.0.1"))).toBe("10.0.0.1");
  });
});
