/**
 * CoRE Link Format (RFC 6690) parsing: real listings, quoting, flags, lists and garbage.
 */
import { describe, expect, it } from "vitest";
import { linkPaths, parseLinkFormat } from "../../../../src/scan/modules/coap/index.js";
import { LIBCOAP_CORE, LIBCOAP_RESOURCES } from "./samples.js";

describe("parseLinkFormat", () => {
  it("parses libcoap's listing, bare obs flags included, without losing /async (nmap does)", () => {
    const out = parseLinkFormat(LIBCOAP_CORE);
    expect(out).toEqual({ resources: LIBCOAP_RESOURCES, errors: [], truncated: false });
  });

  it("keeps commas and semicolons inside quoted values", () => {
    const out = parseLinkFormat('</a>;title="x, y; z",</b>;rt="c;d"');
    expect(out.resources).toEqual([
      { path: "/a", title: "x, y; z" },
      { path: "/b", rt: ["c;d"] },
    ]);
    expect(out.errors).toEqual([]);
  });

  it("unescapes quoted-pairs", () => {
    expect(parseLinkFormat('</a>;title="say \\"hi\\" \\\\ ok"').resources).toEqual([{ path: "/a", title: 'say "hi" \\ ok' }]);
  });

  it("splits space-separated rt, if, rel and ct lists and appends repeated ones", () => {
    const out = parseLinkFormat('</s>;rt="temperature-c  oic.r.sensor";if="sensor core.s";ct="0 50 text";rt=extra;rel="alternate hosts"');
    expect(out.resources).toEqual([
      { path: "/s", rt: ["temperature-c", "oic.r.sensor", "extra"], if: ["sensor", "core.s"], ct: [0, 50, "text"], rel: ["alternate", "hosts"] },
    ]);
  });

  it("reads sz, anchor, title (first wins) and keeps other attributes, flags and repeats", () => {
    const out = parseLinkFormat('</fw>;sz=1024;anchor="coap://h/";title=one;title=two;foo=bar;Foo=baz;flag;ep="node-1";obs');
    expect(out.resources).toEqual([
      {
        path: "/fw",
        sz: 1024,
        anchor: "coap://h/",
        title: "one",
        obs: true,
        attributes: { foo: ["bar", "baz"], flag: true, ep: "node-1" },
      },
    ]);
  });

  it("treats a parameter named __proto__ as data", () => {
    const out = parseLinkFormat('</x>;__proto__="p";constructor=c');
    const attrs = out.resources[0]!.attributes!;
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.keys(attrs)).toEqual(["__proto__", "constructor"]);
    expect(JSON.parse(JSON.stringify(attrs))).toEqual({ ["__proto__"]: "p", constructor: "c" });
  });

  it("tolerates whitespace, newlines, empty entries and a trailing comma", () => {
    const out = parseLinkFormat(' </a> ; ct = 0 ,\n\t</b>,,</c>,');
    expect(out.resources).toEqual([{ path: "/a", ct: [0] }, { path: "/b" }, { path: "/c" }]);
    expect(out.errors).toEqual([]);
  });

  it("reports garbage entries and keeps the rest", () => {
    const out = parseLinkFormat('</ok>,garbage here,</also-ok>;ct=40,"quoted, junk",</last>');
    expect(out.resources.map((r) => r.path)).toEqual(["/ok", "/also-ok", "/last"]);
    expect(out.errors).toEqual([
      { offset: 6, entry: "garbage here", reason: "entry does not start with '<'" },
      { offset: 36, entry: '"quoted, junk"', reason: "entry does not start with '<'" },
    ]);
  });

  it("reports an unterminated <URI> and resumes at the next link", () => {
    const out = parseLinkFormat("</broken,</fine>");
    expect(out.resources).toEqual([{ path: "/fine" }]);
    expect(out.errors).toEqual([{ offset: 0, entry: "</broken", reason: "unterminated <URI-reference>" }]);
  });

  it("keeps a link whose parameters end in junk, and reports the junk", () => {
    const out = parseLinkFormat('</a>;title="t"junk;ct=0,</b>');
    expect(out.resources).toEqual([{ path: "/a", title: "t" }, { path: "/b" }]);
    expect(out.errors).toEqual([{ offset: 14, entry: "junk;ct=0", reason: "unexpected 'j' after a link parameter" }]);
  });

  it("reports an unterminated quote and keeps what parsed before it", () => {
    const out = parseLinkFormat('</a>,</b>;ct=0;title="never closed,</c>');
    expect(out.resources).toEqual([{ path: "/a" }, { path: "/b", ct: [0] }]);
    expect(out.errors).toEqual([{ offset: 21, entry: '"never closed,</c>', reason: "unterminated quoted value of 'title'" }]);
  });

  it("reports bad attribute values without dropping the link", () => {
    const out = parseLinkFormat("</a>;sz=big;rt;;ct");
    expect(out.resources).toEqual([{ path: "/a" }]);
    expect(out.errors.map((e) => e.reason)).toEqual(["sz is not a number: big", "'rt' without a value", "empty parameter name", "'ct' without a value"]);
  });

  it("handles the empty string, lone separators and odd URIs", () => {
    expect(parseLinkFormat("")).toEqual({ resources: [], errors: [], truncated: false });
    expect(parseLinkFormat(",,,").resources).toEqual([]);
    expect(parseLinkFormat("<>").resources).toEqual([{ path: "" }]);
    expect(parseLinkFormat("<coap://[::1]:5683/x?y=1,2>").resources).toEqual([{ path: "coap://[::1]:5683/x?y=1,2" }]);
  });

  it("bounds the number of resources and errors", () => {
    const many = Array.from({ length: 50 }, (_, i) => `</r${i}>`).join(",");
    const out = parseLinkFormat(many, { maxResources: 10 });
    expect(out.resources).toHaveLength(10);
    expect(out.truncated).toBe(true);
    const junk = parseLinkFormat(Array.from({ length: 100 }, () => "x").join(","), { maxErrors: 5 });
    expect(junk.errors).toHaveLength(5);
    expect(junk.truncated).toBe(true);
  });

  it("caps the reported snippet of a garbage entry at 120 characters", () => {
    const out = parseLinkFormat("x".repeat(1000));
    expect(out.errors[0]!.entry).toHaveLength(120);
  });

  it("parses Shadowserver-style listings and renders their path list", () => {
    const text = "</fw>,</efento>,</efento/c>,</efento/i>,</efento/m>,</efento/t>,</sw>,</api>,</api/v1>,</.well-known/core>";
    const out = parseLinkFormat(text);
    expect(out.resources).toHaveLength(10);
    expect(linkPaths(out.resources)).toBe(text);
  });

  it("parses a realistic LwM2M / OCF style listing", () => {
    const text =
      '</rd>;rt="core.rd";ct=40,</rd-lookup/res>;rt="core.rd-lookup-res";ct=40,' +
      '</oic/res>;rt="oic.wk.res";if="oic.if.ll oic.if.baseline";ct="10000 50",</3/0>;obs;ct=11543';
    expect(parseLinkFormat(text).resources).toEqual([
      { path: "/rd", rt: ["core.rd"], ct: [40] },
      { path: "/rd-lookup/res", rt: ["core.rd-lookup-res"], ct: [40] },
      { path: "/oic/res", rt: ["oic.wk.res"], if: ["oic.if.ll", "oic.if.baseline"], ct: [10000, 50] },
      { path: "/3/0", obs: true, ct: [11543] },
    ]);
  });
});
