/**
 * Vulnerability and exploit identifiers, in one place for every source: the anchored forms parsers
 * validate and classify ids with, and the ids mentioned in free text (articles, blog posts). Patterns
 * follow each scheme's published form: CVE-YYYY-NNNN+ (CVE numbering), GHSA-xxxx-xxxx-xxxx (GitHub's
 * alphabet, lower case by convention), JVNDB-YYYY-NNNNNN, EUVD-YYYY-N+ (ENISA), and Exploit-DB ids
 * written "EDB-ID: 12345", "EDB-12345" or as an exploit-db.com/exploits/12345 link.
 */

export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
export const GHSA_ID = /^GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}$/;
export const JVNDB_ID = /^JVNDB-\d{4}-\d{6,}$/;
export const EUVD_ID = /^EUVD-\d{4}-\d+$/;

/** A CVE id in any letter case ("cve-2009-3699" in Exploit-DB's codes), upper-cased; else undefined. */
export function cveIdOf(value: string): string | undefined {
  const v = value.trim().toUpperCase();
  return CVE_ID.test(v) ? v : undefined;
}

export interface MentionedIds {
  /** Vulnerability ids (CVE, GHSA, JVNDB, EUVD), normalised, first mention first. */
  vulnerabilities: string[];
  /** Exploit-DB ids as EDB-<n>. */
  exploits: string[];
}

/** The anchored forms above, unanchored for free text (`\b` at both ends), with each scheme's normal case. */
const VULN_PATTERNS: { re: RegExp; norm: (m: string) => string }[] = [
  { re: unanchored(CVE_ID), norm: (m) => m.toUpperCase() },
  { re: unanchored(GHSA_ID), norm: (m) => `GHSA-${m.slice(5).toLowerCase()}` },
  { re: unanchored(JVNDB_ID), norm: (m) => m.toUpperCase() },
  { re: unanchored(EUVD_ID), norm: (m) => m.toUpperCase() },
];
const EDB_PATTERNS = [/\bEDB-ID\s*:?\s*#?(\d{1,7})\b/gi, /\bEDB-(\d{1,7})\b/gi, /exploit-db\.com\/exploits\/(\d{1,7})\b/gi];

function unanchored(re: RegExp): RegExp {
  return new RegExp(`\\b${re.source.slice(1, -1)}\\b`, "gi");
}

export function mentionedIds(...texts: (string | undefined)[]): MentionedIds {
  const text = texts.filter(Boolean).join("\n");
  const vulnerabilities = new Set<string>();
  for (const { re, norm } of VULN_PATTERNS) for (const m of text.matchAll(re)) vulnerabilities.add(norm(m[0]));
  const exploits = new Set<string>();
  for (const re of EDB_PATTERNS) for (const m of text.matchAll(re)) exploits.add(`EDB-${Number(m[1])}`);
  return { vulnerabilities: [...vulnerabilities], exploits: [...exploits] };
}
