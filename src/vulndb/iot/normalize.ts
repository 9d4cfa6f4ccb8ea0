/**
 * How names from sources are made comparable with the catalogue. Sources spell the same vendor
 * "TP-Link", "tp-link", "tplink", "TP Link", "TP-LINK Technologies Co., Ltd." and CPEs use
 * underscores for spaces ("schneider_electric"), so every comparison goes through these helpers.
 */

/** Values sources use for "unknown": absent in our eyes. */
const UNKNOWN = new Set(["", "n/a", "na", "-", "*", "unknown", "none", "not applicable", "unspecified", "various"]);

export function isUnknown(value: string | undefined): boolean {
  return value === undefined || UNKNOWN.has(value.trim().toLowerCase());
}

/** Lower case, NFKC (full-width → ASCII), whitespace and underscore runs → one `_` (the CPE spelling). */
export function normalizeName(value: string): string {
  return value.normalize("NFKC").toLowerCase().trim().replace(/[\s_]+/g, "_");
}

/** The key vendor names are compared by: letters and digits only ("TP-Link" → "tplink"). */
export function compactKey(value: string): string {
  return value.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

// Company-form words at the end of a vendor field ("Co., Ltd.", "GmbH", "Inc."): removed before the
// exact comparison so that "Synology Inc." is "synology".
const CORPORATE_SUFFIX =
  /(?:[\s,.]+(?:co|corp|corporation|company|inc|incorporated|ltd|limited|llc|gmbh|ag|se|sa|s\.a|bv|b\.v|ab|as|oy|nv|plc|pty|kg|spa|srl|kk|k\.k|technologies|technology|tech|electronics|communications|networks|systems|international|group|holdings?))+[\s,.]*$/i;

export function stripCorporateSuffix(value: string): string {
  let v = value.trim();
  for (let i = 0; i < 4; i++) {
    const next = v.replace(CORPORATE_SUFFIX, "");
    if (next === v || next.length === 0) break;
    v = next;
  }
  return v;
}

/** Escapes a string for use inside a RegExp. */
export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** True when the string contains a character outside Latin script (CJK names need no word boundaries). */
export function hasNonLatinLetters(value: string): boolean {
  return /[^\p{Script=Latin}\p{N}\p{P}\p{S}\s]/u.test(value);
}

// A locality before a company name ("Hangzhou Hikvision Digital Technology", "Shenzhen Tenda"): CNA and
// CSAF vendor fields often carry the registered name.
const LOCALITY_PREFIX = /^(?:hangzhou|shenzhen|zhejiang|xiamen|guangzhou|beijing|shanghai|dongguan|zhuhai|fujian|jiangsu|taiwan)\s+/i;

/** The key a vendor FIELD is compared by: locality and company-form words removed, then compactKey. */
export function vendorKey(value: string): string {
  return compactKey(stripCorporateSuffix(value.trim().replace(LOCALITY_PREFIX, "")));
}
