/**
 * Language detection of one text field. franc (trigram statistics, franc-min's 82 languages) is
 * reliable on sentences and unreliable on short strings ("Archer AX21", a title of five words), so:
 *  1. Scripts decide first where the script is a language's own: kana → ja, Hangul → ko, Thai → th…
 *     (a Han-only text is "zh" unless the source said "ja": kanji-only Japanese titles exist).
 *  2. Texts with at least MIN_LETTERS letters (after URLs, identifiers and version numbers are removed)
 *     go to franc; the language the source declared wins when franc scores it close to the top
 *     (≥ DECLARED_MARGIN of the best), so English advisories full of product names stay English.
 *  3. Shorter texts keep the declared language, or are "und" (undetermined) without one.
 */
import { francAll } from "franc-min";
import { bcp47FromIso6393, iso6393FromBcp47, isUndetermined, primaryLanguage } from "./languages.js";

/** Letters below which franc is not asked (LibreTranslate uses 40 characters for the same reason). */
export const MIN_LETTERS = 40;
/** The declared language is kept when franc scores it at least this fraction of its best candidate. */
export const DECLARED_MARGIN = 0.9;

export type DetectionMethod = "script" | "franc" | "declared" | "none";

export interface Detection {
  /** BCP 47 primary language ("en", "ja"), or "und". */
  lang: string;
  method: DetectionMethod;
}

// Scripts owned by one language in our context, in the order checked. Kana first: Japanese mixes kana
// with Han; Han alone is checked after.
const OWN_SCRIPTS: Array<[RegExp, string]> = [
  [/[\p{Script=Hiragana}\p{Script=Katakana}]/u, "ja"],
  [/\p{Script=Hangul}/u, "ko"],
  [/\p{Script=Thai}/u, "th"],
  [/\p{Script=Greek}/u, "el"],
  [/\p{Script=Hebrew}/u, "he"],
  [/\p{Script=Georgian}/u, "ka"],
  [/\p{Script=Armenian}/u, "hy"],
];
const HAN = /\p{Script=Han}/u;

/** Noise that is not language: URLs, CVE/CWE-style ids, versions, hex, file paths. */
const NOISE = /https?:\/\/\S+|\b[A-Z]+-\d[\w.-]*|\b\d+(?:\.\d+)+\b|\b0x[0-9a-f]+\b|\/[\w./-]+/gi;

function letterCount(text: string): number {
  return text.match(/\p{L}/gu)?.length ?? 0;
}

/** Share of letters in a script, to tell a Japanese sentence from an English one quoting a name. */
function scriptShare(text: string, re: RegExp): number {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return 0;
  return letters.filter((l) => re.test(l)).length / letters.length;
}

export function detectLanguage(text: string, declared?: string): Detection {
  const declaredLang = declared !== undefined && !isUndetermined(declared) ? primaryLanguage(declared) : undefined;
  const clean = text.replace(NOISE, " ");
  for (const [re, lang] of OWN_SCRIPTS) {
    // A few quoted characters in a Latin text do not make it that language: at least 20% of the letters.
    if (re.test(clean) && (lang === "ja" ? scriptShare(clean, /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u) : scriptShare(clean, re)) >= 0.2) {
      return { lang, method: "script" };
    }
  }
  if (HAN.test(clean) && scriptShare(clean, HAN) >= 0.2) {
    return { lang: declaredLang === "ja" || declaredLang === "zh" ? declaredLang : "zh", method: "script" };
  }
  if (letterCount(clean) >= MIN_LETTERS) {
    const ranked = francAll(clean, { minLength: 1 });
    const [best, bestScore] = ranked[0] ?? ["und", 0];
    if (best !== "und") {
      if (declaredLang) {
        const declared3 = iso6393FromBcp47(declaredLang);
        const declaredScore = ranked.find(([code]) => code === declared3)?.[1];
        if (declaredScore !== undefined && declaredScore >= DECLARED_MARGIN * bestScore) return { lang: declaredLang, method: "declared" };
      }
      return { lang: bcp47FromIso6393(best), method: "franc" };
    }
  }
  return declaredLang ? { lang: declaredLang, method: "declared" } : { lang: "und", method: "none" };
}
