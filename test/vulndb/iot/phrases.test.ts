/** Phrase lookup by word n-grams: what the classifier uses to find vendor names and keywords in text. */
import { describe, expect, it } from "vitest";
import { PhraseIndex, tokenize } from "../../../src/vulndb/iot/phrases.js";

function index(): PhraseIndex<string> {
  const p = new PhraseIndex<string>();
  p.add("tp-link", "tp-link", { joined: true });
  p.add("ip camera", "camera");
  p.add("access point", "ap");
  p.add("switch", "switch");
  p.add("ルーター", "router");
  p.add("Hangzhou Hikvision Digital Technology", "hik");
  return p;
}
const values = (p: PhraseIndex<string>, text: string, opts = {}) => p.find(tokenize(text), opts).map((h) => h.value);

describe("PhraseIndex", () => {
  it("matches whole words with any separators, and joined spellings when asked", () => {
    for (const text of ["TP-Link Archer", "tp link archer", "a TP_LINK router", "TPLINK", "ＴＰ－ＬＩＮＫ"]) expect(values(index(), text), text).toEqual(["tp-link"]);
    expect(values(index(), "stp-linker")).toEqual([]);
    expect(values(index(), "ipcamera")).toEqual([]);
  });

  it("prefers the longest phrase and reports the words as written", () => {
    const hits = index().find(tokenize("by Hangzhou Hikvision Digital Technology Co., Ltd."));
    expect(hits).toEqual([{ value: "hik", text: "hangzhou hikvision digital technology", start: 1, end: 5 }]);
  });

  it("allows a plural on the last word when asked", () => {
    expect(values(index(), "two IP cameras and access points", { plural: true })).toEqual(["camera", "ap"]);
    expect(values(index(), "managed switches", { plural: true })).toEqual(["switch"]);
    expect(values(index(), "two IP cameras")).toEqual([]);
  });

  it("skips excluded words and honours atStart", () => {
    expect(values(index(), "ip camera", { skip: new Set([1]) })).toEqual([]);
    expect(values(index(), "TP-Link Archer", { atStart: true })).toEqual(["tp-link"]);
    expect(values(index(), "Archer by TP-Link", { atStart: true })).toEqual([]);
  });

  it("finds phrases of scripts without spaces as substrings", () => {
    expect(values(index(), "無線LANルーターに脆弱性")).toEqual(["router"]);
    expect(values(index(), "無線LANルーター", { atStart: true })).toEqual([]);
  });
});
