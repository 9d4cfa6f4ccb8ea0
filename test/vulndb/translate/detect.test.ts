/** Language detection: scripts first, franc on long texts, the declared language on short ones. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bcp47FromIso6393, detectLanguage } from "../../../src/vulndb/translate/index.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";

describe("detectLanguage", () => {
  it("Japanese by its kana, even when the source said English or the text is short", () => {
    expect(detectLanguage("ルーターに脆弱性", "en")).toEqual({ lang: "ja", method: "script" });
    expect(detectLanguage("カメラ")).toEqual({ lang: "ja", method: "script" });
  });

  it("Han-only text is Chinese unless the source says Japanese", () => {
    expect(detectLanguage("路由器存在命令注入漏洞").lang).toBe("zh");
    expect(detectLanguage("情報漏洩", "ja").lang).toBe("ja");
  });

  it("Korean by Hangul", () => {
    expect(detectLanguage("라우터에 취약점이 있습니다").lang).toBe("ko");
  });

  it("long Latin texts go to franc, which tells German and Spanish from English", () => {
    expect(detectLanguage("Der Router enthält eine Schwachstelle in der Weboberfläche, die es Angreifern erlaubt, beliebige Befehle auszuführen.", "en")).toEqual({
      lang: "de",
      method: "franc",
    });
    expect(detectLanguage("El firmware de TP-Link Archer AX21 en versiones anteriores contenía una vulnerabilidad de inyección de comandos.").lang).toBe("es");
  });

  it("short texts keep the declared language, or are undetermined", () => {
    expect(detectLanguage("Archer AX21", "en")).toEqual({ lang: "en", method: "declared" });
    expect(detectLanguage("Archer AX21")).toEqual({ lang: "und", method: "none" });
    expect(detectLanguage("Archer AX21", "en-US").lang).toBe("en");
  });

  it("a few quoted Japanese characters do not make an English text Japanese", () => {
    expect(detectLanguage("The product name is written カメラ in Japanese but this advisory is in English and long enough.", "en").lang).toBe("en");
  });

  it("maps franc's ISO 639-3 codes to BCP 47", () => {
    expect(bcp47FromIso6393("cmn")).toBe("zh");
    expect(bcp47FromIso6393("jpn")).toBe("ja");
    expect(bcp47FromIso6393("pes")).toBe("fa");
    expect(bcp47FromIso6393("und")).toBe("und");
    expect(bcp47FromIso6393("ckb")).toBe("ckb");
  });
});

describeWithShared("detectLanguage on the shared records", () => {
  it("the NVD description of CVE-2023-1389 is English; the JVNDB texts are Japanese", () => {
    const nvd = JSON.parse(readFileSync(sharedFixture("vulndb/nvd2_CVE-2023-1389.json"), "utf8")) as { descriptions: Array<{ value: string }> };
    expect(detectLanguage(nvd.descriptions[0]!.value, "en").lang).toBe("en");
    expect(detectLanguage(nvd.descriptions[0]!.value).lang).toBe("en");
    const xml = readFileSync(sharedFixture("vulndb/jvndb_getVulnDetailInfo_hnd_JVNDB-2017-009608.xml"), "utf8");
    for (const tag of ["Title", "Overview"]) {
      const text = new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)![1]!;
      expect(detectLanguage(text).lang, tag).toBe("ja");
    }
  });
});
