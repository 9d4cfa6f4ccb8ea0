/** The LibreTranslate backend against a LibreTranslate-compatible server on 127.0.0.1. */
import { afterEach, describe, expect, it } from "vitest";
import { LibreTranslateTranslator } from "../../../src/vulndb/translate/index.js";
import { startLibreTranslatePeer, type Peer } from "./libretranslate-peer.js";

let peer: Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe("LibreTranslate backend", () => {
  it("sends one batch per source language with q as an array, format text and the api key", async () => {
    peer = await startLibreTranslatePeer({ apiKey: "k-123", dictionary: { ルーターに脆弱性: "Vulnerability in router" } });
    const t = new LibreTranslateTranslator({ url: peer.url, apiKey: "k-123" });
    const out = await t.translate(
      [
        { text: "ルーターに脆弱性", from: "ja" },
        { text: "Schwachstelle im Router", from: "de" },
        { text: "カメラ", from: "ja" },
      ],
      "en",
    );
    expect(out).toEqual([
      { ok: true, text: "Vulnerability in router" },
      { ok: true, text: "[de→en] Schwachstelle im Router" },
      { ok: true, text: "[ja→en] カメラ" },
    ]);
    expect(peer.requests).toEqual([
      { q: ["ルーターに脆弱性", "カメラ"], source: "ja", target: "en", format: "text", api_key: "k-123" },
      { q: ["Schwachstelle im Router"], source: "de", target: "en", format: "text", api_key: "k-123" },
    ]);
    expect(t.name).toBe(`libretranslate@${new URL(peer.url).host}`);
  });

  it("a wrong API key fails every text with the server's message (403)", async () => {
    peer = await startLibreTranslatePeer({ apiKey: "right" });
    const out = await new LibreTranslateTranslator({ url: peer.url, apiKey: "wrong" }).translate([{ text: "カメラ", from: "ja" }], "en");
    expect(out).toEqual([{ ok: false, error: expect.stringMatching(/HTTP 403: Invalid API key/) }]);
  });

  it("an unsupported language fails only its own texts", async () => {
    peer = await startLibreTranslatePeer({ languages: ["en", "ja"] });
    const out = await new LibreTranslateTranslator({ url: peer.url }).translate(
      [
        { text: "カメラ", from: "ja" },
        { text: "카메라", from: "ko" },
      ],
      "en",
    );
    expect(out[0]).toEqual({ ok: true, text: "[ja→en] カメラ" });
    expect(out[1]).toEqual({ ok: false, error: expect.stringMatching(/HTTP 400: ko is not supported/) });
  });

  it("a batch over the server's char limit is retried text by text: only the long text fails", async () => {
    peer = await startLibreTranslatePeer({ charLimit: 30 });
    const long = "長".repeat(40);
    const out = await new LibreTranslateTranslator({ url: peer.url }).translate(
      [
        { text: "短い文", from: "ja" },
        { text: long, from: "ja" },
      ],
      "en",
    );
    expect(out[0]).toEqual({ ok: true, text: "[ja→en] 短い文" });
    expect(out[1]).toEqual({ ok: false, error: expect.stringMatching(/exceeds text limit \(30\)/) });
  });

  it("splits requests by batch size and character budget", async () => {
    peer = await startLibreTranslatePeer({ batchLimit: 2 });
    const texts = ["一", "二", "三", "四", "五"].map((text) => ({ text, from: "ja" }));
    const out = await new LibreTranslateTranslator({ url: peer.url, batchSize: 2 }).translate(texts, "en");
    expect(out.every((o) => o.ok)).toBe(true);
    expect(peer.requests.map((r) => r.q)).toEqual([["一", "二"], ["三", "四"], ["五"]]);
  });

  it("server errors, non-JSON answers, timeouts and a closed port become per-text failures", async () => {
    peer = await startLibreTranslatePeer({ mode: "error500" });
    expect(await new LibreTranslateTranslator({ url: peer.url }).translate([{ text: "a", from: "ja" }], "en")).toEqual([
      { ok: false, error: expect.stringMatching(/HTTP 500: Cannot translate text: model crashed/) },
    ]);
    await peer.close();

    peer = await startLibreTranslatePeer({ mode: "garbage" });
    expect((await new LibreTranslateTranslator({ url: peer.url }).translate([{ text: "a", from: "ja" }], "en"))[0]).toEqual({
      ok: false,
      error: expect.stringMatching(/answer is not JSON/),
    });
    await peer.close();

    peer = await startLibreTranslatePeer({ mode: "hang" });
    expect((await new LibreTranslateTranslator({ url: peer.url, timeoutMs: 300 }).translate([{ text: "a", from: "ja" }], "en"))[0]).toEqual({
      ok: false,
      error: expect.stringMatching(/no answer within 300 ms/),
    });
    const url = peer.url;
    await peer.close();
    peer = undefined;
    expect((await new LibreTranslateTranslator({ url }).translate([{ text: "a", from: "ja" }], "en"))[0]).toEqual({
      ok: false,
      error: expect.stringMatching(/fetch failed/),
    });
  });

  it("the caller's abort rejects instead of marking texts", async () => {
    peer = await startLibreTranslatePeer({ mode: "hang" });
    const controller = new AbortController();
    const pending = new LibreTranslateTranslator({ url: peer.url }).translate([{ text: "a", from: "ja" }], "en", controller.signal);
    controller.abort(new Error("user stop"));
    await expect(pending).rejects.toThrow("user stop");
  });

  it("refuses a URL that is not http(s)", () => {
    expect(() => new LibreTranslateTranslator({ url: "ftp://x" })).toThrow(/not http/);
    expect(() => new LibreTranslateTranslator({ url: "nope" })).toThrow(/invalid URL/);
  });
});
