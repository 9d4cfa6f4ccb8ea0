import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../../src/core/errors.js";
import { CidrSet, formatCidr, loadBlocklistFile, parseBlocklist } from "../../../src/core/net/index.js";

const cidrs = (set: CidrSet): string[] => set.toCidrs().map(formatCidr);

function errorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error("expected a UsageError, nothing was thrown");
}

describe("parseBlocklist", () => {
  it("reads addresses, CIDRs and ranges of both families, skipping comments and blank lines", () => {
    const text = [
      "# operator opt-outs",
      "",
      "192.0.2.7",
      "198.51.100.0/24   # whole customer network",
      "  203.0.113.10-203.0.113.19  ",
      "10.0.0.1/8",
      "\t",
      "2001:db8::/48",
      "2001:db8:1::1 - 2001:db8:1::3",
      "   # indented comment",
    ].join("\n");
    const set = parseBlocklist(text, "optout.txt");
    expect(cidrs(set)).toEqual([
      "10.0.0.0/8",
      "192.0.2.7/32",
      "198.51.100.0/24",
      "203.0.113.10/31",
      "203.0.113.12/30",
      "203.0.113.16/30",
      "2001:db8::/48",
      "2001:db8:1::1/128",
      "2001:db8:1::2/127",
    ]);
  });

  it("tolerates CRLF line ends, a BOM and a missing final newline", () => {
    const set = parseBlocklist("\uFEFF10.0.0.0/8\r\n# c\r\n192.0.2.0/24", "win.txt");
    expect(cidrs(set)).toEqual(["10.0.0.0/8", "192.0.2.0/24"]);
  });

  it("returns an empty set for an empty or comment-only file", () => {
    expect(parseBlocklist("", "empty.txt").isEmpty()).toBe(true);
    expect(parseBlocklist("# nothing\n\n", "c.txt").isEmpty()).toBe(true);
  });

  it("adds into a given set, so several files make one blocklist", () => {
    const into = new CidrSet();
    parseBlocklist("10.0.0.0/8", "a.txt", into);
    parseBlocklist("11.0.0.0/8", "b.txt", into);
    expect(cidrs(into)).toEqual(["10.0.0.0/7"]);
  });

  it.each([
    ["10.0.0.256", 3, 'cannot read blocklist entry "10.0.0.256": invalid IPv4 address "10.0.0.256": octet "256" is out of range 0-255'],
    ["010.0.0.1", 3, 'octet "010" has a leading zero'],
    ["10.0.0.0/33", 3, "prefix length 33 is longer than 32"],
    ["10.0.0.9-10.0.0.1", 3, "start 10.0.0.9 is after end 10.0.0.1"],
    ["10.0.0.1 10.0.0.2", 3, 'cannot read blocklist entry "10.0.0.1 10.0.0.2"'],
    ["example.com", 3, 'cannot read blocklist entry "example.com"'],
    ["fe80::1%eth0", 3, "zone ids"],
  ])("names file, line and text of a bad line: %j", (bad, line, why) => {
    const err = errorOf(() => parseBlocklist(`# header\n192.0.2.0/24\n${bad}\n10.0.0.0/8\n`, "/etc/iotscope/blocklist.txt"));
    expect(err.message.startsWith(`/etc/iotscope/blocklist.txt:${line}: `)).toBe(true);
    expect(err.message).toContain(why);
  });

  it("counts lines from 1 including comments, blanks and CRLF", () => {
    const err = errorOf(() => parseBlocklist("# a\r\n\r\n10.0.0.0/8\r\n\r\nnope\r\n", "x.txt"));
    expect(err.message).toBe('x.txt:5: cannot read blocklist entry "nope": invalid IP address "nope": expected IPv4 (192.0.2.1) or IPv6 (2001:db8::1)');
  });
});

describe("loadBlocklistFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "iotscope-net-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads a file from disk", async () => {
    const file = path.join(dir, "blocklist.txt");
    await writeFile(file, "# test\n192.0.2.0/24\n2001:db8::/32\n");
    const set = await loadBlocklistFile(file);
    expect(cidrs(set)).toEqual(["192.0.2.0/24", "2001:db8::/32"]);
  });

  it("names the file path in line errors", async () => {
    const file = path.join(dir, "bad.txt");
    await writeFile(file, "192.0.2.0/24\n1.2.3.4/40\n");
    await expect(loadBlocklistFile(file)).rejects.toThrow(`${file}:2: cannot read blocklist entry "1.2.3.4/40"`);
  });

  it("turns a missing file into a UsageError naming it", async () => {
    const file = path.join(dir, "missing.txt");
    const err = await loadBlocklistFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain(`cannot read blocklist file ${file}`);
    expect((err as UsageError).message).toContain("ENOENT");
  });
});
