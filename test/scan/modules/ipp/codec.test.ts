/**
 * The IPP encoder and decoder on hand-made messages: the request's exact bytes, every value syntax,
 * collections, 1setOf, out-of-band values, and the caps.
 */
import { describe, expect, it } from "vitest";
import {
  decodeIppMessage,
  decodeIppMessagePartial,
  decodeIppValue,
  encodeGetPrinterAttributes,
  ippBoolean,
  ippEndOfAttributes,
  ippHeader,
  ippInteger,
  ippItem,
  ippLimits,
  ippSetOf,
  ippTag,
  parseDeviceId,
  serverVersions,
  statusName,
  versionFields,
} from "../../../../src/scan/modules/ipp/index.js";
import { ProbeError } from "../../../../src/scan/modules/types.js";

const v20 = { major: 2, minor: 0 };
const message = (...items: Buffer[]) => Buffer.concat([ippHeader(v20, 0, 42), ...items, ippEndOfAttributes]);
const group = (t: number) => Buffer.from([t]);

describe("encodeGetPrinterAttributes", () => {
  it("produces the RFC 8010 bytes, operation attributes in the required order", () => {
    const bytes = encodeGetPrinterAttributes({ version: { major: 1, minor: 1 }, requestId: 1, printerUri: "ipp://h:631/ipp" });
    expect(bytes.toString("hex")).toBe(
      "0101" + "000b" + "00000001" + "01" +
        "47" + "0012" + Buffer.from("attributes-charset").toString("hex") + "0005" + Buffer.from("utf-8").toString("hex") +
        "48" + "001b" + Buffer.from("attributes-natural-language").toString("hex") + "0002" + Buffer.from("en").toString("hex") +
        "45" + "000b" + Buffer.from("printer-uri").toString("hex") + "000f" + Buffer.from("ipp://h:631/ipp").toString("hex") +
        "44" + "0014" + Buffer.from("requested-attributes").toString("hex") + "0003" + Buffer.from("all").toString("hex") +
        "03",
    );
  });

  it("encodes several requested attributes as one 1setOf", () => {
    const m = decodeIppMessage(encodeGetPrinterAttributes({ version: v20, requestId: 9, printerUri: "ipp://x/", requestedAttributes: ["printer-description", "media-col-database"] }));
    expect(m.groups[0]!.attributes[3]).toEqual({ name: "requested-attributes", syntax: "keyword", values: ["printer-description", "media-col-database"] });
    expect(m.request_id).toBe(9);
  });
});

describe("decodeIppMessage", () => {
  it("decodes the header and the groups", () => {
    const m = decodeIppMessage(message(group(1), ippItem(ippTag.charset, "attributes-charset", "utf-8"), group(4), ippItem(ippTag.keyword, "k", "v"), group(5), ippItem(0x10, "x", "")));
    expect(m).toMatchObject({ version_major: 2, version_minor: 0, code: 0, request_id: 42, trailing_bytes: 0 });
    expect(m.groups.map((g) => [g.tag, g.name])).toEqual([
      [1, "operation-attributes"],
      [4, "printer-attributes"],
      [5, "unsupported-attributes"],
    ]);
  });

  it("decodes every value syntax", () => {
    const dt = Buffer.from([0x07, 0xea, 11, 25, 12, 33, 13, 5, 0x2d, 5, 30]);
    const res = Buffer.alloc(9);
    res.writeInt32BE(300, 0);
    res.writeInt32BE(600, 4);
    res[8] = 3;
    const range = Buffer.alloc(8);
    range.writeInt32BE(-1, 0);
    range.writeInt32BE(99, 4);
    const lang = Buffer.concat([Buffer.from([0, 5]), Buffer.from("fr-CA"), Buffer.from([0, 7]), Buffer.from("Bonjour")]);
    const m = decodeIppMessage(
      message(
        group(4),
        ippInteger(ippTag.integer, "int", -7),
        ippBoolean("bool", true),
        ippInteger(ippTag.enum, "enum", 3),
        ippItem(ippTag.octetString, "octets-text", "type=tray;level=5"),
        ippItem(ippTag.octetString, "octets-binary", Buffer.from([0x00, 0xff, 0x10])),
        ippItem(ippTag.dateTime, "date", dt),
        ippItem(ippTag.resolution, "res", res),
        ippItem(ippTag.rangeOfInteger, "range", range),
        ippItem(ippTag.textWithLanguage, "twl", lang),
        ippItem(ippTag.nameWithLanguage, "nwl", lang),
        ippItem(ippTag.text, "text", "héllo"),
        ippItem(ippTag.name, "name", "lp"),
        ippItem(ippTag.keyword, "kw", "idle"),
        ippItem(ippTag.uri, "uri", "ipp://p/"),
        ippItem(ippTag.uriScheme, "scheme", "ipps"),
        ippItem(ippTag.charset, "cs", "utf-8"),
        ippItem(ippTag.naturalLanguage, "nl", "en-us"),
        ippItem(ippTag.mimeMediaType, "mime", "application/pdf"),
        ippItem(0x10, "oob-unsupported", ""),
        ippItem(0x12, "oob-unknown", ""),
        ippItem(0x13, "oob-no-value", ""),
        ippItem(0x15, "oob-not-settable", ""),
        ippItem(0x7f, "extension", Buffer.from([0x40, 0, 0, 1, 0xaa])),
        ippItem(0x38, "unassigned-octet", Buffer.from([1, 2])),
      ),
    );
    const values = Object.fromEntries(m.groups[0]!.attributes.map((a) => [a.name, [a.syntax, a.values[0]]]));
    expect(values).toEqual({
      int: ["integer", -7],
      bool: ["boolean", true],
      enum: ["enum", 3],
      "octets-text": ["octetString", "type=tray;level=5"],
      "octets-binary": ["octetString", { tag: 0x30, hex: "00ff10" }],
      date: ["dateTime", "2026-11-25T12:33:13.5-05:30"],
      res: ["resolution", { x: 300, y: 600, units: "dpi" }],
      range: ["rangeOfInteger", { lower: -1, upper: 99 }],
      twl: ["textWithLanguage", { language: "fr-CA", text: "Bonjour" }],
      nwl: ["nameWithLanguage", { language: "fr-CA", text: "Bonjour" }],
      text: ["textWithoutLanguage", "héllo"],
      name: ["nameWithoutLanguage", "lp"],
      kw: ["keyword", "idle"],
      uri: ["uri", "ipp://p/"],
      scheme: ["uriScheme", "ipps"],
      cs: ["charset", "utf-8"],
      nl: ["naturalLanguage", "en-us"],
      mime: ["mimeMediaType", "application/pdf"],
      "oob-unsupported": ["unsupported", { out_of_band: "unsupported" }],
      "oob-unknown": ["unknown", { out_of_band: "unknown" }],
      "oob-no-value": ["no-value", { out_of_band: "no-value" }],
      "oob-not-settable": ["not-settable", { out_of_band: "not-settable" }],
      extension: ["extension", { tag: 0x7f, hex: "40000001aa" }],
      "unassigned-octet": ["tag-0x38", { tag: 0x38, hex: "0102" }],
    });
  });

  it("keeps values whose length does not fit their syntax as hex instead of failing", () => {
    expect(decodeIppValue(ippTag.integer, Buffer.from([1, 2, 3]))).toEqual({ tag: 0x21, hex: "010203" });
    expect(decodeIppValue(ippTag.boolean, Buffer.alloc(0))).toEqual({ tag: 0x22, hex: "" });
    expect(decodeIppValue(ippTag.dateTime, Buffer.from([0x07, 0xea, 13, 25, 12, 33, 13, 5, 0x2b, 0, 0]))).toEqual({ tag: 0x31, hex: "07ea0d190c210d052b0000" });
    expect(decodeIppValue(ippTag.textWithLanguage, Buffer.from([0, 9, 0x61]))).toEqual({ tag: 0x35, hex: "000961" });
    expect(decodeIppValue(ippTag.resolution, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 9]))).toEqual({ x: 1, y: 1, units: "unit-9" });
  });

  it("collects additional values (empty name) into the attribute, across syntaxes", () => {
    const m = decodeIppMessage(message(group(4), ippSetOf(ippTag.keyword, "media-supported", ["a4", "letter"]), ippItem(ippTag.name, "", "custom")));
    expect(m.groups[0]!.attributes).toEqual([{ name: "media-supported", syntax: "keyword", values: ["a4", "letter", "custom"] }]);
  });

  it("decodes collections as nested objects, 1setOf collection as an array, multi-valued members as arrays", () => {
    const col = (x: number, y: number) =>
      Buffer.concat([
        ippItem(ippTag.memberAttrName, "", "media-size"),
        ippItem(ippTag.begCollection, "", ""),
        ippItem(ippTag.memberAttrName, "", "x-dimension"),
        ippInteger(ippTag.integer, "", x),
        ippItem(ippTag.memberAttrName, "", "y-dimension"),
        ippInteger(ippTag.integer, "", y),
        ippItem(ippTag.endCollection, "", ""),
        ippItem(ippTag.memberAttrName, "", "media-source"),
        ippItem(ippTag.keyword, "", "main"),
        ippItem(ippTag.keyword, "", "manual"),
        ippItem(ippTag.endCollection, "", ""),
      ]);
    const m = decodeIppMessage(message(group(4), ippItem(ippTag.begCollection, "media-col-ready", ""), col(21000, 29700), ippItem(ippTag.begCollection, "", ""), col(21590, 27940)));
    const a = m.groups[0]!.attributes[0]!;
    expect(a.syntax).toBe("collection");
    expect(a.values).toEqual([
      { "media-size": { "x-dimension": 21000, "y-dimension": 29700 }, "media-source": ["main", "manual"] },
      { "media-size": { "x-dimension": 21590, "y-dimension": 27940 }, "media-source": ["main", "manual"] },
    ]);
  });

  it("keeps a member or attribute called __proto__ as a plain key", () => {
    const m = decodeIppMessage(
      message(group(4), ippItem(ippTag.begCollection, "c", ""), ippItem(ippTag.memberAttrName, "", "__proto__"), ippItem(ippTag.keyword, "", "x"), ippItem(ippTag.endCollection, "", "")),
    );
    const c = m.groups[0]!.attributes[0]!.values[0] as Record<string, unknown>;
    expect(Object.keys(c)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(JSON.stringify(c)).toBe('{"__proto__":"x"}');
  });

  it("counts the bytes after end-of-attributes (document data) without reading them", () => {
    const m = decodeIppMessage(Buffer.concat([message(group(1)), Buffer.from("%PDF-1.7")]));
    expect(m.trailing_bytes).toBe(8);
  });

  it.each([
    ["shorter than the header", Buffer.from([2, 0, 0]), "IPP message of 3 bytes is shorter than its 8-byte header"],
    ["no end tag", Buffer.concat([ippHeader(v20, 0, 1), group(1)]), "IPP: no end-of-attributes-tag (message ends at byte 9)"],
    ["value before a group", Buffer.concat([ippHeader(v20, 0, 1), ippItem(ippTag.keyword, "k", "v"), ippEndOfAttributes]), "IPP: value tag 0x44 before any attribute-group tag"],
    ["additional value first", message(group(4), ippItem(ippTag.keyword, "", "v")), "IPP: additional value (empty name) with no attribute before it"],
    ["endCollection at top level", message(group(4), ippItem(ippTag.endCollection, "x", "")), 'IPP: endCollection outside a collection (attribute "x")'],
    ["unterminated collection", message(group(4), ippItem(ippTag.begCollection, "c", "")), "IPP: delimiter tag 0x3 inside a collection"],
    ["named member", message(group(4), ippItem(ippTag.begCollection, "c", ""), ippItem(ippTag.keyword, "k", "v")), 'IPP: named attribute "k" inside a collection'],
    ["value before member name", message(group(4), ippItem(ippTag.begCollection, "c", ""), ippItem(ippTag.keyword, "", "v")), "IPP: collection value (keyword) before any memberAttrName"],
    ["truncated name length", Buffer.concat([ippHeader(v20, 0, 1), group(4), Buffer.from([0x44, 0x00])]), "IPP: truncated in name-length"],
  ])("refuses %s with a ProbeError", (_what, bytes, why) => {
    let caught: unknown;
    try {
      decodeIppMessage(bytes);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProbeError);
    expect((caught as ProbeError).status).toBe("protocol-error");
    expect((caught as ProbeError).message).toBe(why);
  });

  it("caps the number of values and attributes", () => {
    const many = Array.from({ length: ippLimits.maxAttributes + 1 }, (_, i) => ippItem(ippTag.keyword, `a${i}`, "v"));
    expect(() => decodeIppMessage(message(group(4), ...many))).toThrow(`more than ${ippLimits.maxAttributes} attributes`);
    const values = Array.from({ length: ippLimits.maxValues + 1 }, () => ippItem(ippTag.keyword, "", "v"));
    expect(() => decodeIppMessage(message(group(4), ippItem(ippTag.keyword, "a", "v"), ...values))).toThrow(`more than ${ippLimits.maxValues} values`);
  });

  it("returns what came before a fault from the partial decoder", () => {
    const r = decodeIppMessagePartial(message(group(4), ippItem(ippTag.keyword, "ok", "v"), ippItem(ippTag.keyword, "cut", "v")).subarray(0, -2));
    expect(r.error).toBe('IPP: value of "cut" claims 1 bytes but only 0 remain');
    expect(r.message!.groups[0]!.attributes).toEqual([{ name: "ok", syntax: "keyword", values: ["v"] }]);
  });
});

describe("IPP names and versions", () => {
  it("names status codes, known or not", () => {
    expect(statusName(0x0000)).toBe("successful-ok");
    expect(statusName(0x0503)).toBe("server-error-version-not-supported");
    expect(statusName(0x04ff)).toBe("client-error-0x04ff");
    expect(statusName(0x9999)).toBe("unknown-0x9999");
  });

  it("reads IPP/ and CUPS/ tokens from Server headers", () => {
    expect(serverVersions("CUPS/2.2 IPP/2.1")).toEqual({ ipp: "IPP/2.1", cups: "CUPS/2.2" });
    expect(serverVersions("Linux/3.10, UPnP/1.0, cups/1.7.5 ipp/2.0")).toEqual({ ipp: "IPP/2.0", cups: "CUPS/1.7.5" });
    expect(serverVersions("HP HTTP Server; HP LaserJet")).toEqual({});
  });

  it("derives ipp_version from the Server header, else the highest ipp-versions-supported, else the response", () => {
    expect(versionFields("CUPS/2.0 IPP/2.1", { ipp_versions_supported: ["2.0"] })).toEqual({ ipp_version: "IPP/2.1", ipp_version_source: "server-header", cups_version: "CUPS/2.0" });
    expect(versionFields("x", { ipp_versions_supported: ["1.1", "2.2", "2.0", "junk"] })).toEqual({ ipp_version: "IPP/2.2", ipp_version_source: "ipp-versions-supported" });
    expect(versionFields(undefined, { response_version: "1.1", attr_cups_version: "2.4.7" })).toEqual({ ipp_version: "IPP/1.1", ipp_version_source: "response", cups_version: "CUPS/2.4.7" });
  });

  it("splits an IEEE 1284 device ID", () => {
    expect(parseDeviceId("MFG:HP;MDL:LaserJet M404;CMD:PJL,PCL,POSTSCRIPT;CLS:PRINTER;junk")).toEqual({ MFG: "HP", MDL: "LaserJet M404", CMD: "PJL,PCL,POSTSCRIPT", CLS: "PRINTER" });
  });
});
