import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/core/errors.js";
import { CidrSet, numberToIpv4 } from "../../../src/core/net/index.js";
import { planTargets } from "../../../src/scan/engine/plan.js";
import { loadTargets, parsePorts, TargetSpace } from "../../../src/scan/engine/targets.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "iotscope-targets-"));

/** Naive oracle: every IPv4 address of the raw ranges not in the raw blocklist, sorted, then IPv6 in order. */
function naiveAddresses(ranges: [number, number][], blocked: [number, number][]): number[] {
  const set = new Set<number>();
  for (const [a, b] of ranges) for (let x = a; x <= b; x++) if (!blocked.some(([s, e]) => s <= x && x <= e)) set.add(x);
  return [...set].sort((a, b) => a - b);
}

// Small ranges inside a random /16, so that naive expansion stays cheap but intervals interleave.
const rangeArb = (base: number) =>
  fc.tuple(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 300 })).map(([off, len]) => [base + off, base + off + len] as [number, number]);

describe("target space", () => {
  it("maps every index to the address × port a naive expansion gives", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xfff0 }).map((h) => h * 65536),
        fc.nat(),
        fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }),
        (base, seed, ports) => {
          const ranges = fc.sample(fc.array(rangeArb(base), { minLength: 1, maxLength: 6 }), { numRuns: 1, seed })[0]!;
          const blocked = fc.sample(fc.array(rangeArb(base), { maxLength: 4 }), { numRuns: 1, seed: seed + 1 })[0]!;
          const input = { v4: new CidrSet(), v6: [], domains: new Map<string, string>() };
          for (const [a, b] of ranges) input.v4.addV4Range(a, b);
          const block = new CidrSet();
          for (const [a, b] of blocked) block.addV4Range(a, b);
          const sortedPorts = [...ports].sort((a, b) => a - b);
          const space = TargetSpace.build(input, block, sortedPorts);
          const expected = naiveAddresses(ranges, blocked);
          expect(space.addresses).toBe(expected.length);
          expect(space.size).toBe(expected.length * ports.length);
          for (let i = 0; i < space.size; i++) {
            const t = space.at(i);
            expect(t).toEqual({ ip: numberToIpv4(expected[Math.floor(i / ports.length)]!), v: 4, port: sortedPorts[i % ports.length] });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("round-trips through its stored form with the same digest", () => {
    const input = { v4: CidrSet.from(["192.0.2.0/30", "198.51.100.7"]), v6: [1n, 5n], domains: new Map([["198.51.100.7", "a.example"]]) };
    const space = TargetSpace.build(input, new CidrSet(), [80, 443]);
    const back = TargetSpace.fromJSON(JSON.parse(JSON.stringify(space.toJSON())));
    expect(back.digest()).toBe(space.digest());
    for (let i = 0; i < space.size; i++) expect(back.at(i)).toEqual(space.at(i));
    expect(space.at(8)).toEqual({ ip: "198.51.100.7", v: 4, port: 80, domain: "a.example" });
    expect(space.at(10)).toEqual({ ip: "::1", v: 6, port: 80 });
  });

  it("subtracts the blocklist from a whole /8 without enumerating it", () => {
    const input = { v4: CidrSet.from(["11.0.0.0/8"]), v6: [], domains: new Map<string, string>() };
    const block = CidrSet.from(["11.0.0.0/16", "11.255.255.255"]);
    const space = TargetSpace.build(input, block, [1883]);
    expect(space.size).toBe(2 ** 24 - 2 ** 16 - 1);
    expect(space.at(0).ip).toBe("11.1.0.0");
    expect(space.at(space.size - 1).ip).toBe("11.255.255.254");
    // Addresses before 11.128.0.0: 11.1.0.0 … 11.127.255.255.
    expect(space.at(0x800000 - 0x10000).ip).toBe("11.128.0.0");
  });
});

describe("target specs", () => {
  it("reads addresses, CIDRs, ranges and @files with comments, an IPv6 hitlist and host names", async () => {
    const dir = tmp();
    writeFileSync(
      path.join(dir, "hitlist.txt"),
      ["# IPv6 hitlist", "2001:db8::1", "2001:db8::2  # trailing comment", "", "2001:db8::1", "192.0.2.9,printer.example"].join("\n"),
    );
    const input = await loadTargets(["198.51.100.0/30", "203.0.113.5-203.0.113.6", "@hitlist.txt"], dir);
    expect(input.v4.size.v4).toBe(4 + 2 + 1);
    expect(input.v6).toEqual([0x20010db8n << 96n | 1n, 0x20010db8n << 96n | 2n]);
    expect(input.domains.get("192.0.2.9")).toBe("printer.example");
  });

  it("refuses to enumerate IPv6 and names the line", async () => {
    await expect(loadTargets(["2001:db8::/64"])).rejects.toThrow(/IPv6 targets must be listed, not enumerated; give a hitlist file/);
    const dir = tmp();
    writeFileSync(path.join(dir, "t.txt"), "2001:db8::1\n2001:db8::/127\n");
    await expect(loadTargets(["@t.txt"], dir)).rejects.toThrow(/t\.txt:2: IPv6 targets must be listed/);
    await expect(loadTargets(["2001:db8::/128"])).resolves.toMatchObject({ v6: [0x20010db8n << 96n] });
  });

  it("names the bad line of a target file, and a missing file", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "t.txt"), "192.0.2.1\n192.0.2.300\n");
    await expect(loadTargets(["@t.txt"], dir)).rejects.toThrow(/t\.txt:2: invalid IPv4 address "192\.0\.2\.300"/);
    await expect(loadTargets(["@missing.txt"], dir)).rejects.toBeInstanceOf(UsageError);
  });

  it("parses port lists", () => {
    expect(parsePorts("443,80,80")).toEqual([80, 443]);
    expect(parsePorts("8000-8002")).toEqual([8000, 8001, 8002]);
    for (const bad of ["0", "65536", "a", "", "9-1"]) expect(() => parsePorts(bad)).toThrow(UsageError);
  });
});

describe("planning targets against the blocklist", () => {
  it("subtracts the built-in blocklist, --blocklist files and the opt-out list, and counts what it removed", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "block.txt"), "11.0.0.0/30 # ours\n");
    writeFileSync(path.join(dir, "optout.txt"), "11.0.0.8-11.0.0.9\n2001:db8:1::5\n");
    const plan = await planTargets({
      targets: ["11.0.0.0/28", "192.168.1.1", "2606:4700::1", "2001:db8:1::5", "2606:4700::2"],
      ports: [80],
      blocklistFiles: ["block.txt"],
      optoutFile: "optout.txt",
      cwd: dir,
    });
    // 16 + 1 + 3 requested; 4 (file) + 2 (opt-out v4) + 1 (private) + 1 (opt-out v6; also documentation space) removed.
    expect(plan.requestedAddresses).toBe(20);
    expect(plan.blocklistedAddresses).toBe(8);
    expect(plan.localAddresses).toBe(1);
    const ips = Array.from({ length: plan.space.size }, (_, i) => plan.space.at(i).ip);
    expect(ips).toEqual([...["4", "5", "6", "7", "10", "11", "12", "13", "14", "15"].map((o) => `11.0.0.${o}`), "2606:4700::1", "2606:4700::2"]);
  });

  it("refuses local targets without --allow-local-targets, naming the flag", async () => {
    await expect(planTargets({ targets: ["127.0.0.1/30"], ports: [80] })).rejects.toThrow(/--allow-local-targets/);
    await expect(planTargets({ targets: ["10.1.2.3", "::1"], ports: [80] })).rejects.toThrow(/--allow-local-targets/);
    const plan = await planTargets({ targets: ["127.0.0.1/30"], ports: [80], allowLocalTargets: true });
    expect(plan.space.size).toBe(4);
  });

  it("counts local targets mixed with public ones as blocklisted", async () => {
    const plan = await planTargets({ targets: ["127.0.0.1", "11.0.0.1"], ports: [80] });
    expect(plan.space.size).toBe(1);
    expect(plan.blocklistedAddresses).toBe(1);
  });

  it("says so when the blocklist leaves nothing", async () => {
    await expect(planTargets({ targets: ["192.0.2.0/24", "2001:db8::1"], ports: [80] })).rejects.toThrow(/all 257 target addresses are blocklisted/);
  });
});
