/** Translation of the JVNDB record as the jvn parser produces it (shared fixture), via the LibreTranslate peer. */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, expect, it } from "vitest";
import { source as jvn } from "../../../src/vulndb/sources/jvn/index.js";
import { LibreTranslateTranslator, translateRecord } from "../../../src/vulndb/translate/index.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";
import { startLibreTranslatePeer, type Peer } from "./libretranslate-peer.js";

const now = () => new Date("2026-11-25T12:00:00Z");
let peer: Peer;
let translator: LibreTranslateTranslator;
beforeEach(async () => {
  peer = await startLibreTranslatePeer();
  translator = new LibreTranslateTranslator({ url: peer.url });
});
afterEach(async () => peer.close());

describeWithShared("translateRecord on the JVNDB record from the jvn parser", () => {
  it("translates the Japanese JVNDB detail record", async () => {
    const body = readFileSync(sharedFixture("vulndb/jvndb_getVulnDetailInfo_hnd_JVNDB-2017-009608.xml"), "utf8");
    const [parsed] = jvn.parse({ source: "jvn", id: "JVNDB-2017-009608", origin: "fixture", mediaType: "application/xml", body, fetchedAt: "2026-01-01T00:00:00Z" });
    const out = await translateRecord(parsed!, translator, { now });
    expect(out.descriptions).toHaveLength(parsed!.descriptions.length);
    for (const [i, d] of out.descriptions.entries()) {
      expect(d.lang).toBe("en");
      expect(d.translated).toMatchObject({ from: "ja", original: parsed!.descriptions[i]!.text, translator: translator.name });
    }
    expect(out.extra?.titleTranslated).toMatchObject({ from: "ja", original: parsed!.title });
  });
});
