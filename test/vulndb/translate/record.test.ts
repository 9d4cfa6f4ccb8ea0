/**
 * Record translation end to end: records made here (the texts of JVNDB-2017-009608) translated through
 * the LibreTranslate backend against the compatible server on 127.0.0.1. The record from the jvn parser:
 * jvn-record.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emptyRecord, type SourceRecord } from "../../../src/vulndb/record.js";
import { LibreTranslateTranslator, TranslationCache, translateRecord, translateRecords } from "../../../src/vulndb/translate/index.js";
import { startLibreTranslatePeer, type Peer } from "./libretranslate-peer.js";

const now = () => new Date("2026-11-25T12:00:00Z");
const JA = "2014 年以降に製造された不特定の乗用車のエアバッグコントロールユニットには、暗号アルゴリズムの使用に関する脆弱性が存在します。";
const JA_EN = "Airbag control units of unspecified passenger cars made since 2014 use a broken cryptographic algorithm.";
const TITLE = "エアバッグコントロールユニットにおける暗号アルゴリズムの使用に関する脆弱性";
const TITLE_EN = "Use of a broken cryptographic algorithm in airbag control units";

function record(descriptions: SourceRecord["descriptions"], title?: string): SourceRecord {
  return { ...emptyRecord("jvn", "JVNDB-2017-009608"), descriptions, ...(title ? { title } : {}) };
}

let peer: Peer;
let translator: LibreTranslateTranslator;
beforeEach(async () => {
  peer = await startLibreTranslatePeer({ dictionary: { [JA]: JA_EN, [TITLE]: TITLE_EN } });
  translator = new LibreTranslateTranslator({ url: peer.url });
});
afterEach(async () => peer.close());

describe("translateRecord", () => {
  it("translates Japanese description and title, keeping the originals beside them", async () => {
    const input = record([{ lang: "ja", text: JA }], TITLE);
    const out = await translateRecord(input, translator, { now });
    expect(out.descriptions).toEqual([{ lang: "en", text: JA_EN, translated: { from: "ja", original: JA, translator: translator.name, at: "2026-11-25T12:00:00.000Z" } }]);
    expect(out.title).toBe(TITLE_EN);
    expect(out.extra?.titleTranslated).toEqual({ from: "ja", original: TITLE, translator: translator.name, at: "2026-11-25T12:00:00.000Z" });
    expect(input.descriptions[0]).toEqual({ lang: "ja", text: JA }); // the input is not modified
    expect(peer.requests).toHaveLength(1); // description and title in one batch
  });

  it("is idempotent: translated text is not sent again and the record does not change", async () => {
    const once = await translateRecord(record([{ lang: "ja", text: JA }], TITLE), translator, { now });
    const sent = peer.requests.length;
    const twice = await translateRecord(once, translator, { now: () => new Date("2030-01-01T00:00:00Z") });
    expect(twice).toEqual(once);
    expect(peer.requests.length).toBe(sent);
  });

  it("without a translator, non-English text is kept and marked untranslated, and a later run translates it", async () => {
    const marked = await translateRecord(record([{ lang: "ja", text: JA }], TITLE), undefined, { now });
    expect(marked.descriptions).toEqual([{ lang: "ja", text: JA, untranslated: true }]);
    expect(marked.title).toBe(TITLE);
    expect(marked.extra).toEqual({ titleUntranslated: { lang: "ja" } });
    expect(await translateRecord(marked, undefined, { now })).toEqual(marked);

    const done = await translateRecord(marked, translator, { now });
    expect(done.descriptions[0]).toMatchObject({ lang: "en", text: JA_EN, translated: { from: "ja", original: JA } });
    expect(done.descriptions[0]!.untranslated).toBeUndefined();
    expect(done.extra).toEqual({ titleTranslated: expect.objectContaining({ original: TITLE }) });
  });

  it("a failing service marks the texts untranslated and says why, naming the record", async () => {
    await peer.close();
    peer = await startLibreTranslatePeer({ mode: "error500" });
    const { records, stats } = await translateRecords([record([{ lang: "ja", text: JA }])], new LibreTranslateTranslator({ url: peer.url }), { now });
    expect(records[0]!.descriptions).toEqual([{ lang: "ja", text: JA, untranslated: true }]);
    expect(stats).toMatchObject({ translated: 0, untranslated: 1 });
    expect(stats.errors[0]).toMatch(/^jvn JVNDB-2017-009608 description 0 \(ja\): .*HTTP 500/);
  });

  it("English records are left alone and nothing is sent", async () => {
    const input: SourceRecord = { ...record([{ lang: "en", text: "A command injection vulnerability in the web management interface of the router." }], "Router command injection") };
    expect(await translateRecord(input, translator, { now })).toEqual(input);
    expect(peer.requests).toHaveLength(0);
  });

  it("a record with its own English text does not translate its other languages unless asked", async () => {
    const es = "El firmware de TP-Link Archer AX21 en versiones anteriores contenía una vulnerabilidad de inyección de comandos.";
    const input = record([
      { lang: "en", text: "TP-Link Archer AX21 firmware versions before 1.1.4 contained a command injection vulnerability." },
      { lang: "es", text: es },
    ]);
    expect(await translateRecord(input, translator, { now })).toEqual(input);
    const all = await translateRecord(input, translator, { now, translateAll: true });
    expect(all.descriptions[1]).toMatchObject({ lang: "en", text: `[es→en] ${es}`, translated: { from: "es", original: es } });
    expect(all.descriptions).toHaveLength(2);
  });

  it("corrects a wrong declared language from the text itself", async () => {
    const out = await translateRecord(record([{ lang: "en", text: JA }]), translator, { now });
    expect(out.descriptions[0]).toMatchObject({ lang: "en", text: JA_EN, translated: { from: "ja" } });
  });

  it("sends a text shared by several records once, and reuses the cache across calls", async () => {
    const cache = new TranslationCache();
    const a = record([{ lang: "ja", text: JA }]);
    const b = { ...record([{ lang: "ja", text: JA }]), sourceId: "JVNDB-2017-000001" };
    const first = await translateRecords([a, b], translator, { now, cache });
    expect(first.stats).toMatchObject({ translated: 2, fromCache: 0, untranslated: 0 });
    expect(peer.requests).toHaveLength(1);
    expect(peer.requests[0]!.q).toEqual([JA]);
    const second = await translateRecords([a], translator, { cache, now: () => new Date("2030-01-01T00:00:00Z") });
    expect(second.stats).toMatchObject({ translated: 1, fromCache: 1 });
    expect(peer.requests).toHaveLength(1);
    expect(second.records[0]!.descriptions[0]!.translated!.at).toBe("2026-11-25T12:00:00.000Z");
  });
});
