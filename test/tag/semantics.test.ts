/** What each operator means on one value, on lists, on missing paths; captures; the record envelope. */
import { describe, expect, it } from "vitest";
import { holds, tagWith, ruleText } from "./helpers.js";

describe("operators on one value", () => {
  it("= compares strings exactly, numbers by value (also decimal strings), booleans as booleans", () => {
    expect(holds('a = "Abc"', { a: "Abc" })).toBe(true);
    expect(holds('a = "abc"', { a: "Abc" })).toBe(false);
    expect(holds('a = "1"', { a: 1 })).toBe(false);
    expect(holds("a = 1", { a: 1 })).toBe(true);
    expect(holds("a = 1", { a: 1.0 })).toBe(true);
    expect(holds("a = 1.5", { a: "1.5" })).toBe(true);
    expect(holds("a = 1", { a: "1x" })).toBe(false);
    expect(holds("a = 1", { a: true })).toBe(false);
    expect(holds("a = true", { a: true })).toBe(true);
    expect(holds("a = true", { a: "true" })).toBe(false);
    expect(holds("a = false", { a: false })).toBe(true);
    expect(holds('a = "x"', { a: { b: "x" } })).toBe(false);
  });

  it("!= holds for a present value that differs", () => {
    expect(holds('a != "x"', { a: "y" })).toBe(true);
    expect(holds('a != "x"', { a: "x" })).toBe(false);
    expect(holds('a != "x"', { a: 5 })).toBe(true);
    expect(holds("a != 5", { a: "5" })).toBe(false);
  });

  it("~= compares case-insensitively", () => {
    expect(holds('a ~= "FRITZ!Box"', { a: "fritz!box" })).toBe(true);
    expect(holds('a ~= "straße"', { a: "STRASSE" })).toBe(false);
    expect(holds('a ~= "ÄÖ"', { a: "äö" })).toBe(true);
    expect(holds('a ~= "x"', { a: "xy" })).toBe(false);
  });

  it("=~ and !~ run re2 patterns, with flags", () => {
    expect(holds("a =~ /\\.asuscomm\\.com$/", { a: "x.asuscomm.com" })).toBe(true);
    expect(holds("a =~ /\\.asuscomm\\.com$/", { a: "x.ASUSCOMM.com" })).toBe(false);
    expect(holds("a =~ /\\.asuscomm\\.com$/i", { a: "x.ASUSCOMM.com" })).toBe(true);
    expect(holds("a =~ /^b$/m", { a: "a\nb\nc" })).toBe(true);
    expect(holds("a =~ /a.b/", { a: "a\nb" })).toBe(false);
    expect(holds("a =~ /a.b/s", { a: "a\nb" })).toBe(true);
    expect(holds("a =~ /x\\/y/", { a: "x/y" })).toBe(true);
    expect(holds("a =~ /1/", { a: 1 })).toBe(false);
    expect(holds("a !~ /x/", { a: "abc" })).toBe(true);
    expect(holds("a !~ /b/", { a: "abc" })).toBe(false);
    expect(holds("a !~ /b/", { a: 5 })).toBe(true);
  });

  it("contains, startswith, endswith and their case-insensitive forms see strings only", () => {
    expect(holds('a contains "ritz"', { a: "FRITZ!Box 7590" })).toBe(false);
    expect(holds('a icontains "ritz"', { a: "FRITZ!Box 7590" })).toBe(true);
    expect(holds('a contains "RITZ"', { a: "FRITZ!Box 7590" })).toBe(true);
    expect(holds('a startswith "FRITZ"', { a: "FRITZ!Box" })).toBe(true);
    expect(holds('a startswith "Box"', { a: "FRITZ!Box" })).toBe(false);
    expect(holds('a istartswith "fritz"', { a: "FRITZ!Box" })).toBe(true);
    expect(holds('a endswith "Box"', { a: "FRITZ!Box" })).toBe(true);
    expect(holds('a iendswith "BOX"', { a: "FRITZ!Box" })).toBe(true);
    expect(holds('a contains "1"', { a: 1 })).toBe(false);
    expect(holds('a contains ""', { a: "" })).toBe(true);
  });

  it("in: strings, numbers, booleans, addresses in CIDRs (IPv4, IPv6, IPv4-mapped)", () => {
    const cond = 'a in ["x", 4, true, 10.0.0.0/8, 2001:db8::/32, 192.0.2.1]';
    expect(holds(cond, { a: "x" })).toBe(true);
    expect(holds(cond, { a: "y" })).toBe(false);
    expect(holds(cond, { a: 4 })).toBe(true);
    expect(holds(cond, { a: "4" })).toBe(true);
    expect(holds(cond, { a: true })).toBe(true);
    expect(holds(cond, { a: false })).toBe(false);
    expect(holds(cond, { a: "10.200.3.4" })).toBe(true);
    expect(holds(cond, { a: "11.0.0.1" })).toBe(false);
    expect(holds(cond, { a: "2001:db8:1::5" })).toBe(true);
    expect(holds(cond, { a: "2001:db9::5" })).toBe(false);
    expect(holds(cond, { a: "::ffff:10.1.2.3" })).toBe(true);
    expect(holds(cond, { a: "192.0.2.1" })).toBe(true);
    expect(holds(cond, { a: "192.0.2.2" })).toBe(false);
    expect(holds(cond, { a: "not an address" })).toBe(false);
    expect(holds('a in ["10.0.0.1"]', { a: "10.0.0.1" })).toBe(true);
  });

  it("< <= > >= compare numbers and decimal strings", () => {
    expect(holds("a < 1024", { a: 512 })).toBe(true);
    expect(holds("a < 1024", { a: 1024 })).toBe(false);
    expect(holds("a <= 1024", { a: 1024 })).toBe(true);
    expect(holds("a > 1024", { a: "2048" })).toBe(true);
    expect(holds("a >= -1.5", { a: -1.5 })).toBe(true);
    expect(holds("a > 1", { a: "2048 bits" })).toBe(false);
    expect(holds("a > 1", { a: true })).toBe(false);
    expect(holds("a > 1", { a: [0, 5] })).toBe(true);
  });

  it("exists: present and not null", () => {
    expect(holds("a exists", { a: 0 })).toBe(true);
    expect(holds("a exists", { a: "" })).toBe(true);
    expect(holds("a exists", { a: {} })).toBe(true);
    expect(holds("a exists", { a: null })).toBe(false);
    expect(holds("a exists", {})).toBe(false);
    expect(holds("a exists", { a: [] })).toBe(false);
    expect(holds("a exists", { a: [null] })).toBe(false);
    expect(holds("a.b exists", { a: "string" })).toBe(false);
  });
});

describe("paths, lists and missing values", () => {
  const cert = {
    subject: { common_name: ["a.example", "b.example"] },
    extensions: { subject_alt_name: { dns_names: ["x", "y"] } },
    resources: [{ path: "/a", rt: ["oic.r.light", "oic.r.switch"] }, { path: "/b" }, { path: "/c", rt: "core.rd" }],
    nested: [[1, 2], [3, [4]]],
  };

  it("a path that lands on a list means any element", () => {
    expect(holds('subject.common_name = "b.example"', cert)).toBe(true);
    expect(holds('subject.common_name = "c.example"', cert)).toBe(false);
    expect(holds('subject.common_name != "a.example"', cert)).toBe(true);
    expect(holds('subject.common_name endswith ".example"', cert)).toBe(true);
  });

  it("a path that passes through lists flattens them", () => {
    expect(holds('resources.rt = "oic.r.switch"', cert)).toBe(true);
    expect(holds('resources.rt = "core.rd"', cert)).toBe(true);
    expect(holds('resources.path = "/b"', cert)).toBe(true);
    expect(holds("nested = 4", cert)).toBe(true);
    expect(holds("nested = 5", cert)).toBe(false);
  });

  it("[N] picks one element", () => {
    expect(holds('subject.common_name[1] = "b.example"', cert)).toBe(true);
    expect(holds('subject.common_name[0] = "b.example"', cert)).toBe(false);
    expect(holds('subject.common_name[5] = "b.example"', cert)).toBe(false);
    expect(holds('resources[2].rt = "core.rd"', cert)).toBe(true);
    expect(holds('resources[0].rt = "core.rd"', cert)).toBe(false);
    expect(holds("nested[1] = 4", cert)).toBe(true);
    expect(holds('subject[0].common_name = "a.example"', cert)).toBe(false);
  });

  it("all(path) needs every value to pass and at least one value", () => {
    expect(holds('all(subject.common_name) endswith ".example"', cert)).toBe(true);
    expect(holds('all(subject.common_name) = "a.example"', cert)).toBe(false);
    expect(holds('all(missing) = "x"', cert)).toBe(false);
    expect(holds('all(a) = "x"', { a: [] })).toBe(false);
    expect(holds('all(resources.path) startswith "/"', cert)).toBe(true);
    expect(holds('all(resources.rt) startswith "oic"', cert)).toBe(false);
    expect(holds('all(subject.common_name) != "c.example"', cert)).toBe(true);
    expect(holds('all(subject.common_name) != "a.example"', cert)).toBe(false);
  });

  it("any(path) is the bare path spelt out", () => {
    expect(holds('any(subject.common_name) = "b.example"', cert)).toBe(true);
    expect(holds('any(subject.common_name) != "a.example"', cert)).toBe(true);
    expect(holds('any(subject.common_name) = "z"', cert)).toBe(false);
  });

  it("a missing path fails every test, and `not` inverts that", () => {
    for (const test of ['x = "a"', 'x != "a"', "x =~ /./", "x !~ /./", "x < 1", 'x in ["a"]', "x exists", 'x contains ""']) {
      expect(holds(test, cert), test).toBe(false);
      expect(holds(`not ${test}`, cert), `not ${test}`).toBe(true);
    }
    expect(holds('subject.nothing.deeper = "a"', cert)).toBe(false);
  });

  it("and, or, not and parentheses combine", () => {
    expect(holds('subject.common_name = "a.example" and extensions.subject_alt_name.dns_names = "y"', cert)).toBe(true);
    expect(holds('subject.common_name = "z" or extensions.subject_alt_name.dns_names = "y"', cert)).toBe(true);
    expect(holds('not subject.common_name = "z" and not (x exists or y exists)', cert)).toBe(true);
    expect(holds('not (subject.common_name = "a.example" and x exists)', cert)).toBe(true);
    expect(holds('subject.common_name = "z" or subject.common_name = "a.example" and x exists', cert)).toBe(false);
  });

  it("never reaches inherited properties", () => {
    expect(holds("constructor exists", {})).toBe(false);
    expect(holds("toString exists", { a: 1 })).toBe(false);
    expect(holds("a.hasOwnProperty exists", { a: {} })).toBe(false);
    expect(holds("a.length = 3", { a: "abc" })).toBe(false);
    expect(holds("__proto__ = 1", JSON.parse('{"__proto__": 1}'))).toBe(true);
    expect(holds("constructor = 1", { constructor: 1 })).toBe(true);
  });

  it("quoted path names reach keys with dots", () => {
    expect(holds('a."b.c" = 1', { a: { "b.c": 1 } })).toBe(true);
  });
});

describe("the record around the result ($ fields)", () => {
  it("$port, $ip, $status, $module, $domain read the scan record", () => {
    const env = { ip: "192.0.2.7", port: 8443, status: "success", module: "tls", domain: "printer.example" };
    expect(holds("$port = 8443", {}, env)).toBe(true);
    expect(holds("$ip in [192.0.2.0/24]", {}, env)).toBe(true);
    expect(holds('$status = "success" and $module = "tls"', {}, env)).toBe(true);
    expect(holds('$domain endswith ".example"', {}, env)).toBe(true);
    expect(holds("$port = 8443", {}, {})).toBe(false);
  });
});

describe("captures in tag values", () => {
  const tags = (when: string, tag: string, root: unknown) => tagWith([ruleText({ when, tag, appliesTo: "x509" })], "x509", root)[0];

  it("${1} and ${name} take groups of the regex that matched", () => {
    expect(tags("a =~ /^(RT)-(?<model>\\w+)$/", 'model="${model}" product="${1}-x"', { a: "RT-AX88U" })).toMatchObject({ model: "AX88U", product: "RT-x" });
  });

  it("take the first value that matched on a list", () => {
    expect(tags("a =~ /^v(\\d+)$/", 'version="${1}"', { a: ["x", "v2", "v3"] })).toMatchObject({ version: "2" });
    expect(tags("all(a) =~ /^v(\\d+)$/", 'version="${1}"', { a: ["v7", "v3"] })).toMatchObject({ version: "7" });
  });

  it("take the first regex, in written order, that matched and has the group", () => {
    const when = "(a =~ /^A(\\d)$/ or b =~ /^B(\\d)$/) and c =~ /^C/";
    expect(tags(when, 'version="${1}"', { a: "A1", b: "B2", c: "C" })).toMatchObject({ version: "1" });
    expect(tags(when, 'version="${1}"', { a: "x", b: "B2", c: "C" })).toMatchObject({ version: "2" });
    expect(tags('c =~ /^C/ and b =~ /^B(\\d)$/', 'version="${1}"', { b: "B2", c: "C" })).toMatchObject({ version: "2" });
  });

  it("leave the key out when the group did not take part", () => {
    const t = tags("a =~ /^(?:x(?<x>\\d)|y(?<y>\\d))$/", 'model="${x}" version="${y}" vendor="V"', { a: "y5" });
    expect(t).toMatchObject({ version: "5", vendor: "V" });
    expect(t).not.toHaveProperty("model");
  });

  it("a capture is only taken from an =~ test that held outside `not`", () => {
    const t = tags('a =~ /^(x)$/ or b = "z"', 'model="${1}" vendor="V"', { b: "z" });
    expect(t).toMatchObject({ vendor: "V" });
    expect(t).not.toHaveProperty("model");
  });
});
