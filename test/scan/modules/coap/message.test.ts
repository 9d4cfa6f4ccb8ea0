/**
 * The strict CoAP message parser, Block options, option rendering and request encoding.
 */
import { parse as coapPacketParse } from "coap-packet";
import { describe, expect, it } from "vitest";
import {
  decodeBlock,
  describeMessage,
  describePayload,
  encodeBlock,
  encodeEmptyAck,
  encodeGet,
  optionResult,
  parseCoapMessage,
  splitUri,
} from "../../../../src/scan/modules/coap/index.js";
import { ProbeError } from "../../../../src/scan/modules/types.js";
import { LIBCOAP_BLOCK0, LIBCOAP_REPLY } from "./samples.js";

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ""), "hex");

function protocolError(buf: Buffer): string {
  try {
    parseCoapMessage(buf);
  } catch (err) {
    expect(err).toBeInstanceOf(ProbeError);
    expect((err as ProbeError).status).toBe("protocol-error");
    return (err as ProbeError).message;
  }
  throw new Error("parsed");
}

describe("parseCoapMessage", () => {
  it("parses libcoap's piggy-backed 2.05 field by field", () => {
    const m = parseCoapMessage(LIBCOAP_REPLY);
    expect(m.type).toBe("ACK");
    expect(m.code).toBe(0x45);
    expect(m.messageId).toBe(0x0434);
    expect(m.token.toString("hex")).toBe("9dc71abb");
    expect(m.options).toEqual([{ number: 12, value: hex("28") }]);
    expect(m.payload.length).toBe(151);
  });

  it("parses libcoap's first block of a Block2 transfer", () => {
    const m = parseCoapMessage(LIBCOAP_BLOCK0);
    expect(m.options.map((o) => [o.number, o.value.toString("hex")])).toEqual([
      [4, "01"],
      [12, "28"],
      [23, "08"],
      [28, "97"],
    ]);
    expect(m.payload.toString()).toBe('</>;title="Gener');
    expect(m.payload.length).toBe(16);
    expect(LIBCOAP_BLOCK0.length).toBe(33);
  });

  it("parses an empty ACK and an RST, and rejects an empty message carrying bytes", () => {
    expect(parseCoapMessage(hex("6000abcd"))).toMatchObject({ type: "ACK", code: 0, messageId: 0xabcd, options: [] });
    expect(parseCoapMessage(hex("7000abcd")).type).toBe("RST");
    expect(protocolError(hex("7000abcd00"))).toBe("CoAP: empty message (code 0.00) carries a token, options or payload");
    expect(protocolError(hex("7100abcd00"))).toBe("CoAP: empty message (code 0.00) carries a token, options or payload");
  });

  it("decodes extended option deltas and lengths (13 and 14)", () => {
    // Option 23+... : delta 13 (+10 → 23) length 1; then delta 14 (+0 → 269+23=292) length 13 (+0 → 13).
    const m = parseCoapMessage(Buffer.concat([hex("4045 0001 d1 0a 08 ed 0000 00"), Buffer.alloc(13, 0x41)]));
    expect(m.options.map((o) => o.number)).toEqual([23, 292]);
    expect(m.options[1]!.value.length).toBe(13);
  });

  it("rejects every malformation with a one-line protocol-error", () => {
    expect(protocolError(hex(""))).toBe("CoAP: datagram of 0 bytes is shorter than the 4-byte header");
    expect(protocolError(hex("804500"))).toBe("CoAP: datagram of 3 bytes is shorter than the 4-byte header");
    expect(protocolError(hex("80450001"))).toBe("CoAP: version 2 (expected 1)");
    expect(protocolError(hex("4f450001"))).toBe("CoAP: token length 15 is reserved (must be 0-8)");
    expect(protocolError(hex("4445000101"))).toBe("CoAP: token of 4 bytes runs past the end of the datagram");
    expect(protocolError(hex("40450001 f0"))).toBe("CoAP: option delta nibble 15 is reserved");
    expect(protocolError(hex("40450001 0f"))).toBe("CoAP: option length nibble 15 is reserved");
    expect(protocolError(hex("40450001 d0"))).toBe("CoAP: extended option delta runs past the end of the datagram");
    expect(protocolError(hex("40450001 0e 00"))).toBe("CoAP: extended option length runs past the end of the datagram");
    expect(protocolError(hex("40450001 03 6162"))).toBe("CoAP: option 0 declares 3 bytes but only 2 remain");
    expect(protocolError(hex("40450001 ff"))).toBe("CoAP: payload marker followed by an empty payload");
    expect(protocolError(hex("40450001 e0 ffff e0 ffff"))).toMatch(/^CoAP: option number \d+ exceeds 65535$/);
  });

  it("is stricter than coap-packet's parse(), which is why we do not use it for replies", () => {
    // coap-packet silently cuts an option that runs past the end ...
    const cut = hex("40450001 c5 0028");
    expect(coapPacketParse(cut).options[0]!.value.length).toBe(2);
    expect(() => parseCoapMessage(cut)).toThrow(ProbeError);
    // ... throws a RangeError (not a classifiable error) on a short header ...
    expect(() => coapPacketParse(hex("40"))).toThrow(RangeError);
    // ... and accepts a 9-byte token, which RFC 7252 makes a format error.
    const longToken = Buffer.concat([hex("49450001"), Buffer.alloc(9, 7)]);
    expect(coapPacketParse(longToken).token.length).toBe(9);
    expect(() => parseCoapMessage(longToken)).toThrow(ProbeError);
  });
});

describe("Block options", () => {
  it("round-trips NUM/M/SZX", () => {
    expect(decodeBlock(encodeBlock(0, true, 0))).toEqual({ num: 0, more: true, szx: 0, size: 16 });
    expect(decodeBlock(encodeBlock(1000, false, 6))).toEqual({ num: 1000, more: false, szx: 6, size: 1024 });
    expect(encodeBlock(0, false, 0).length).toBe(0);
    expect(decodeBlock(Buffer.alloc(0))).toEqual({ num: 0, more: false, szx: 0, size: 16 });
  });

  it("rejects SZX 7 and values longer than 3 bytes", () => {
    expect(() => decodeBlock(hex("0f"))).toThrow("reserved SZX 7");
    expect(() => decodeBlock(hex("00000008"))).toThrow("at most 3");
  });
});

describe("result rendering", () => {
  it("shows options by format: uint as number, string as text, opaque as hex, blocks decoded", () => {
    expect(optionResult({ number: 12, value: hex("28") })).toEqual({ number: 12, name: "Content-Format", format: "uint", value: 40 });
    expect(optionResult({ number: 12, value: Buffer.alloc(0) })).toEqual({ number: 12, name: "Content-Format", format: "uint", value: 0 });
    expect(optionResult({ number: 8, value: Buffer.from("rd") })).toEqual({ number: 8, name: "Location-Path", format: "string", value: "rd" });
    expect(optionResult({ number: 8, value: hex("ff") })).toEqual({ number: 8, name: "Location-Path", format: "opaque", value: "ff" });
    expect(optionResult({ number: 4, value: hex("0102") })).toEqual({ number: 4, name: "ETag", format: "opaque", value: "0102" });
    expect(optionResult({ number: 5, value: Buffer.alloc(0) })).toEqual({ number: 5, name: "If-None-Match", format: "empty", value: "" });
    expect(optionResult({ number: 65000, value: hex("01") })).toEqual({ number: 65000, name: "Unknown-65000", format: "opaque", value: "01" });
    expect(optionResult({ number: 23, value: hex("1a") })).toEqual({
      number: 23,
      name: "Block2",
      format: "uint",
      value: 26,
      block: { num: 1, more: true, size: 64 },
    });
    expect(optionResult({ number: 14, value: hex("0102030405") })).toMatchObject({ format: "opaque", value: "0102030405" });
  });

  it("describes a message header and content format", () => {
    expect(describeMessage(parseCoapMessage(LIBCOAP_REPLY))).toEqual({
      message_type: "ACK",
      code: "2.05",
      code_class: "success",
      code_detail: "Content",
      message_id: 0x0434,
      token: "9dc71abb",
      options: [{ number: 12, name: "Content-Format", format: "uint", value: 40 }],
      content_format: 40,
      content_format_name: "application/link-format",
    });
    expect(describeMessage(parseCoapMessage(hex("40e1 0001 ff 00")))).toMatchObject({ code: "7.01", code_class: "signaling" });
    expect(describeMessage(parseCoapMessage(hex("40 7f 0001")))).toMatchObject({ code: "3.31", code_class: "reserved" });
  });

  it("writes binary payloads as base64 and leaves non-link-format text unparsed", () => {
    expect(describePayload(hex("00ff10"), 60)).toEqual({ payload: "AP8Q", payload_encoding: "base64", payload_size: 3 });
    expect(describePayload(Buffer.from("{}"), 50)).toEqual({ payload: "{}", payload_encoding: "utf8", payload_size: 2 });
    expect(describePayload(Buffer.from("</x>"), 0).resources).toBeUndefined();
    expect(describePayload(Buffer.from(" </x>"), undefined).resources).toEqual([{ path: "/x" }]);
  });

  it("caps a huge payload at 64 KiB and says so", () => {
    const out = describePayload(Buffer.alloc(70_000, 0x61), 0);
    expect(out.payload!.length).toBe(65_536);
    expect(out.payload_size).toBe(70_000);
    expect(out.payload_truncated).toBe(true);
  });
});

describe("request encoding", () => {
  it("builds ZMap's 21-byte probe byte for byte when the token is empty", () => {
    const probe = encodeGet({ messageId: 0x7d70, token: Buffer.alloc(0), target: splitUri("/.well-known/core") });
    expect(probe.toString("hex")).toBe("40017d70bb2e77656c6c2d6b6e6f776e04636f7265");
  });

  it("adds Uri-Query and Block2 options in order", () => {
    const req = encodeGet({ messageId: 1, token: hex("abcd"), target: splitUri("/async?1"), block2: { num: 3, szx: 0 } });
    expect(req.toString("hex")).toBe("42010001abcd" + "b5" + Buffer.from("async").toString("hex") + "41" + "31" + "8130");
  });

  it("splits paths and queries, decoding percent-escapes", () => {
    expect(splitUri("/")).toEqual({ path: [], query: [] });
    expect(splitUri("/a%20b/c?x=1&y=%ZZ")).toEqual({ path: ["a b", "c"], query: ["x=1", "y=%ZZ"] });
  });

  it("builds the 4-byte empty ACK", () => {
    expect(encodeEmptyAck(0xecf6).toString("hex")).toBe("6000ecf6");
  });
});
