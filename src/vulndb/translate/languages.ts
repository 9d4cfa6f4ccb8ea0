/**
 * franc (franc-min) names languages by ISO 639-3 code; records and translators use BCP 47 (ISO 639-1
 * where one exists: "ja", "zh", "ar"). Hand-written table because the generic 639-3 → 639-1 data
 * (iso-639-3) has no 639-1 code for individual languages inside a macrolanguage — franc says "cmn"
 * (Mandarin), "arb" (Standard Arabic), "pes" (Iranian Persian), "zlm" (Malay), while LibreTranslate and
 * Argos want "zh", "ar", "fa", "ms". The table covers franc-min's languages; anything else keeps its
 * 639-3 code, which is itself a valid BCP 47 primary language subtag.
 */
const TO_BCP47: Readonly<Record<string, string>> = {
  amh: "am", arb: "ar", azj: "az", bel: "be", ben: "bn", bos: "bs", bul: "bg", ces: "cs", cmn: "zh",
  deu: "de", ell: "el", eng: "en", fra: "fr", fuv: "ff", guj: "gu", hau: "ha", hin: "hi", hrv: "hr",
  hun: "hu", ibo: "ig", ind: "id", ita: "it", jav: "jv", jpn: "ja", kan: "kn", kaz: "kk", kin: "rw",
  kor: "ko", lin: "ln", mal: "ml", mar: "mr", mya: "my", nld: "nl", npi: "ne", nya: "ny", pan: "pa",
  pbu: "ps", pes: "fa", plt: "mg", pol: "pl", por: "pt", qug: "qu", ron: "ro", run: "rn", rus: "ru",
  sin: "si", som: "so", spa: "es", srp: "sr", sun: "su", swe: "sv", swh: "sw", tam: "ta", tel: "te",
  tgl: "tl", tha: "th", tur: "tr", ukr: "uk", urd: "ur", uzn: "uz", vie: "vi", yor: "yo", zlm: "ms",
  zul: "zu", zyb: "za",
};

const FROM_BCP47: ReadonlyMap<string, string> = new Map(Object.entries(TO_BCP47).map(([k, v]) => [v, k]));

/** franc's code → BCP 47 ("cmn" → "zh"); "und" stays "und". */
export function bcp47FromIso6393(code: string): string {
  return TO_BCP47[code] ?? code;
}

/** The primary subtag of a BCP 47 tag, lower case ("en-US" → "en", "JA" → "ja"). */
export function primaryLanguage(tag: string): string {
  return tag.trim().toLowerCase().split(/[-_]/)[0] ?? "";
}

/** BCP 47 → the 639-3 code franc uses, when franc knows the language. */
export function iso6393FromBcp47(tag: string): string | undefined {
  const primary = primaryLanguage(tag);
  return FROM_BCP47.get(primary) ?? (TO_BCP47[primary] ? primary : undefined);
}

export function isEnglish(tag: string): boolean {
  return primaryLanguage(tag) === "en";
}

/** "und", "", "zxx", "mul": no single known language. */
export function isUndetermined(tag: string | undefined): boolean {
  const p = tag === undefined ? "" : primaryLanguage(tag);
  return p === "" || p === "und" || p === "zxx" || p === "mul" || p === "mis";
}
