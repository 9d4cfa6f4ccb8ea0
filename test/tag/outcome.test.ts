/** Which rule wins a key, testing and disabled rules, provenance, and what the tagger reads from its input. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileRuleSet, loadRules, TagInputError, tagValuesOf, allTagValuesOf } from "../../src/tag/index.js";
import { parseValid, ruleText, tagWith } from "./helpers.js";

const fixtures = path.join(import.meta.dirname, "fixtures");
const derBase64 = readFileSync(path.join(fixtures, "asus-rt-ax88u.der.b64"), "utf8").trim();

function tlsRecord(parsed: unknown, extra: Record<string, unknown> = {}) {
  return {
    ip: "192.0.2.7",
    port: 443,
    module: "tls",
    status: "success",
    timestamp: "2024-05-01T12:00:00.000Z",
    data: {
      tls: {
        status: "success",
        protocol: "tls",
        timestamp: "2024-05-01T12:00:00.000Z",
        result: { handshake_log: { server_hello: { version: { name: "TLSv1.0", value: 769 } }, server_certificates: { certificate: { raw: "AA==", parsed } } }, ...extra },
      },
    },
  };
}

describe("order decides which rule's value wins a key", () => {
  const rule = (name: string, order: number, tag: string, state = "active") => ruleText({ name, order, tag, state, when: 'a = "x"' });

  it("lower order wins; the loser keeps its value in `overridden`", () => {
    const tags = tagWith([rule("B", 20, 'vendor="Two" product="P"'), rule("A", 10, 'vendor="One" device_type="router"')], "x509", { a: "x" });
    expect(tags.map((t) => [t.rule, tagValuesOf(t), t.overridden])).toEqual([
      ["A", { vendor: "One", device_type: "router" }, undefined],
      ["B", { product: "P" }, { vendor: "Two" }],
    ]);
    expect(allTagValuesOf(tags[1]!)).toEqual({ product: "P", vendor: "Two" });
  });

  it("equal orders: the name decides, whatever the file order", () => {
    const a = rule("Alpha", 10, 'vendor="A"');
    const b = rule("Beta", 10, 'vendor="B"');
    for (const texts of [[a, b], [b, a]]) {
      expect(tagWith(texts, "x509", { a: "x" }).map((t) => [t.rule, t.vendor])).toEqual([
        ["Alpha", "A"],
        ["Beta", undefined],
      ]);
    }
  });

  it("testing rules are reported apart and never override an active value", () => {
    const tags = tagWith([rule("T", 1, 'vendor="Testing" model="M"', "testing"), rule("A", 10, 'vendor="Active"')], "x509", { a: "x" });
    expect(tags.map((t) => [t.rule, t.state, tagValuesOf(t)])).toEqual([
      ["A", "active", { vendor: "Active" }],
      ["T", "testing", { vendor: "Testing", model: "M" }],
    ]);
  });

  it("disabled rules are not evaluated", () => {
    expect(tagWith([rule("D", 1, 'vendor="D"', "disabled")], "x509", { a: "x" })).toEqual([]);
  });

  it("counts hits per rule, testing ones included", () => {
    const rules = parseValid(rule("A", 10, 'vendor="A"') + rule("T", 5, 'vendor="T"', "testing"));
    const tagger = compileRuleSet(rules);
    tagger.tagSubject("x509", { root: { a: "x" }, env: {} });
    tagger.tagSubject("x509", { root: { a: "x" }, env: {} });
    tagger.tagSubject("x509", { root: { a: "y" }, env: {} });
    expect(tagger.hits()).toEqual([
      { rule: "T", group: "Test", state: "testing", hits: 2 },
      { rule: "A", group: "Test", state: "active", hits: 2 },
    ]);
  });
});

describe("provenance", () => {
  it("names rule, group, order, file, line, hash, kind, matched fields and port", async () => {
    const set = await loadRules(path.join(fixtures, "basic"));
    const tagger = compileRuleSet(set);
    const [tag] = tagger.tagRecord(tlsRecord({ subject: { common_name: ["home.asuscomm.com"] }, issuer: { organization: ["Let's Encrypt"] } }));
    const rule = set.rules.find((r) => r.name === "FX_asus_aicloud")!;
    expect(tag).toEqual({
      vendor: "ASUS",
      device_type: "router",
      product: "AiCloud",
      rule: "FX_asus_aicloud",
      state: "active",
      group: "ASUS",
      order: 10,
      kind: "x509",
      fields: ["issuer.organization", "subject.common_name"],
      file: "asus.rules",
      line: 3,
      hash: rule.hash,
      port: 443,
    });
  });
});

describe("what the tagger reads", () => {
  const texts = [
    ruleText({ name: "X", order: 10, appliesTo: "x509", when: 'subject.common_name = "RT-AX88U"', tag: 'vendor="ASUS"' }),
    ruleText({ name: "Both", order: 30, appliesTo: "x509, tls", when: 'subject.common_name exists or handshake_log exists', tag: 'category="seen"' }),
    ruleText({ name: "Tls", order: 20, appliesTo: "tls", when: 'handshake_log.server_hello.version.name = "TLSv1.0"', tag: 'category="old-tls"' }),
    ruleText({ name: "Any", order: 40, appliesTo: "any", when: "$port = 443", tag: 'service="https"' }),
    ruleText({ name: "OkOnly", order: 50, appliesTo: "tls", when: '$status = "success" and handshake_log exists', tag: 'os="ok"' }),
  ];
  const tagger = compileRuleSet(texts.flatMap((t) => parseValid(t)));

  it("a TLS record: tls rules on the result, x509 rules on the leaf certificate, `any` on the result", () => {
    const tags = tagger.tagRecord(tlsRecord({ subject: { common_name: ["RT-AX88U"] } }));
    expect(tags.map((t) => [t.rule, t.kind])).toEqual([
      ["X", "x509"],
      ["Tls", "tls"],
      ["Both", "tls"],
      ["Any", "tls"],
      ["OkOnly", "tls"],
    ]);
    expect(tags.every((t) => t.port === 443)).toBe(true);
  });

  it("`any` rules do not see certificates", () => {
    expect(tagger.tagCertificate({ parsed: { subject: { common_name: ["RT-AX88U"] } } }).map((t) => t.rule)).toEqual(["X", "Both"]);
  });

  it("a record that is not a success is still tagged from its result; rules can ask for $status", () => {
    const record = tlsRecord({ subject: { common_name: ["RT-AX88U"] } });
    record.status = "protocol-error";
    record.data.tls.status = "protocol-error";
    expect(tagger.tagRecord(record).map((t) => t.rule)).toEqual(["X", "Tls", "Both", "Any"]);
  });

  it("a record without a result gives no tags", () => {
    const record = { ip: "192.0.2.1", port: 443, module: "tls", status: "connection-refused", data: { tls: { status: "connection-refused", protocol: "tls" } } };
    expect(tagger.tagRecord(record)).toEqual([]);
  });

  it("ZGrab2 records without the flat copies work (module from data)", () => {
    const { ip, data } = tlsRecord({ subject: { common_name: ["RT-AX88U"] } });
    expect(tagger.tag({ ip, data }).map((t) => t.rule)).toEqual(["X", "Tls", "Both", "OkOnly"]);
  });

  it("a bare certificate with only `raw` is parsed with the scan pillar's parser", () => {
    const tags = tagger.tagCertificate({ raw: derBase64 });
    expect(tags.map((t) => [t.rule, t.vendor])).toEqual([
      ["X", "ASUS"],
      ["Both", undefined],
    ]);
    expect(tags[0]).not.toHaveProperty("port");
    expect(tagger.tag({ raw: derBase64 }).map((t) => t.rule)).toEqual(["X", "Both"]);
  });

  it("refuses input that is neither, with a TagInputError", () => {
    expect(() => tagger.tag([1])).toThrow(TagInputError);
    expect(() => tagger.tag({ foo: 1 })).toThrow(/neither a scan record/);
    expect(() => tagger.tag({ raw: "bm90IGRlcg==" })).toThrow(/does not parse/);
    expect(() => tagger.tag({ data: [] })).toThrow(/without a `data` object/);
    expect(() => tagger.tag({ data: { tls: 5 } })).toThrow(/not an object/);
    expect(() => tagger.tag({ parsed: "x" })).toThrow(/not an object/);
  });
});
