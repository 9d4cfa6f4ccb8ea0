/**
 * The normalised shape every vulnerability source parses into (one `SourceRecord` per vulnerability,
 * exploit or article as that source describes it), before correlation merges the records of all
 * sources into one entry per vulnerability (src/vulndb/correlate). Sources fill what they know and
 * leave the rest empty; nothing here is invented by a parser.
 *
 * Identifiers: `aliases` are ids of the SAME vulnerability (CVE-…, GHSA-…, EUVD-…, JVNDB-…, a vendor's
 * per-vulnerability id); they are the edges of the alias graph, so a parser must never put an id of
 * an advisory that covers several vulnerabilities there — those go to `related`. An exploit record's
 * own id (EDB-…) is its alias, and the vulnerabilities it exploits are in `exploits`.
 */

export type RecordKind = "vulnerability" | "exploit" | "article";

/** Text in one language; `lang` is a BCP 47 tag as the source gave it ("en", "ja") or as detected. */
export interface LocalizedText {
  lang: string;
  text: string;
  /** Set by the translation step: this text is a translation of `original` by `translator`. */
  translated?: { from: string; original: string; translator: string; at: string };
  /** Set by the translation step when no translator could translate this non-English text. */
  untranslated?: true;
}

export interface CvssScore {
  version: "2.0" | "3.0" | "3.1" | "4.0";
  vector: string;
  baseScore: number;
  /** NONE/LOW/MEDIUM/HIGH/CRITICAL as given, upper case. */
  baseSeverity?: string;
  /** Who scored it, as the source says (e.g. "nvd@nist.gov", "CISA-ADP", a CNA short name). */
  provider?: string;
  /** NVD's Primary/Secondary. */
  type?: string;
}

/** A CPE applicability statement (NVD configurations, CVE 5 `cpeApplicability`/`cpes`, JVN). */
export interface CpeMatch {
  /** CPE 2.3 formatted string (cpe:2.3:…); 2.2 URIs (cpe:/…) are converted by the parser (see cpe.ts). */
  criteria: string;
  vulnerable: boolean;
  versionStartIncluding?: string;
  versionStartExcluding?: string;
  versionEndIncluding?: string;
  versionEndExcluding?: string;
}

/** One affected version statement, in the source's own words where it has no structure. */
export interface VersionRange {
  /** An exact version, or the lower bound when `lessThan`/`lessThanOrEqual` is set. */
  version?: string;
  lessThan?: string;
  lessThanOrEqual?: string;
  status?: "affected" | "unaffected" | "unknown" | "fixed";
  /** Free text when the source gives only prose ("All versions prior to 1.1.4 Build 20230219"). */
  text?: string;
  /** Version scheme when known: semver, ecosystem, git, custom. */
  type?: string;
}

/** Vendor/product as the source names them (CVE 5 `affected`, CSAF product tree, OSV package, EUVD). */
export interface AffectedProduct {
  /** "n/a" and empty values are dropped by the parser: absent means unknown. */
  vendor?: string;
  product?: string;
  /** OSV ecosystem + package name, when the source is package-oriented. */
  ecosystem?: string;
  package?: string;
  versions: VersionRange[];
  /** CPEs the source attaches to this product (CSAF product_identification_helper, CVE 5 `cpes`). */
  cpes?: string[];
}

export interface Reference {
  url: string;
  tags?: string[];
  /** The reference's name/title when the source gives one. */
  name?: string;
}

/** CISA Known Exploited Vulnerabilities membership (the KEV catalogue, NVD's cisa* fields, CISA ADP). */
export interface KevFacet {
  dateAdded: string;
  dueDate?: string;
  requiredAction?: string;
  vulnerabilityName?: string;
  vendorProject?: string;
  product?: string;
  knownRansomwareCampaignUse?: string;
  notes?: string;
  cwes?: string[];
}

export interface EpssFacet {
  /** Probability 0..1 (EUVD gives a percentage: the parser divides by 100). */
  score: number;
  percentile?: number;
  date?: string;
}

/** What an exploit database says of one exploit (Exploit-DB `files_exploits.csv`, …). */
export interface ExploitFacet {
  /** Path or URL of the exploit code. */
  file?: string;
  type?: string;
  platform?: string;
  author?: string;
  date?: string;
  verified?: boolean;
  port?: number;
  tags?: string[];
}

/** CISA ADP's SSVC decision points as given (Exploitation, Automatable, Technical Impact). */
export type SsvcFacet = Record<string, string>;

export interface Remediation {
  category: string;
  details: string;
  url?: string;
  /** Product ids or names it applies to. */
  products?: string[];
}

export interface SourceRecord {
  /** The source module's name (`nvd`, `cve5`, `kev`, …). */
  source: string;
  /** The record's id in that source, unique within it (CVE-2023-1389, EDB-51234, icsa-24-004-01/CVE-…). */
  sourceId: string;
  kind: RecordKind;
  /** Ids of the same vulnerability (or, for an exploit, of the same exploit); include sourceId when it is such an id. */
  aliases: string[];
  /** Other ids the record mentions (advisory ids, CWE excluded): links, never merges. */
  related: string[];
  /** For an exploit (or an article): ids of the vulnerabilities it exploits or discusses. */
  exploits?: string[];
  /** REJECTED / withdrawn records stay, marked, so a consumer can hide them. */
  status?: "published" | "rejected" | "disputed" | "withdrawn";
  title?: string;
  descriptions: LocalizedText[];
  /** ISO 8601 (UTC) dates; parsers normalise the source's own formats. */
  published?: string;
  modified?: string;
  cvss: CvssScore[];
  cwes: string[];
  cpes: CpeMatch[];
  affected: AffectedProduct[];
  references: Reference[];
  kev?: KevFacet;
  epss?: EpssFacet;
  /** When the source says exploitation in the wild was first seen (EUVD's exploitedSince). */
  exploitedSince?: string;
  exploit?: ExploitFacet;
  ssvc?: SsvcFacet;
  remediations?: Remediation[];
  /** Who assigned/published it (CNA short name, CSAF publisher). */
  assigner?: string;
  /** Anything source-specific worth keeping that has no field above (kept small). */
  extra?: Record<string, unknown>;
}

/** An empty record for a parser to fill: every array present, so consumers never check for undefined. */
export function emptyRecord(source: string, sourceId: string, kind: RecordKind = "vulnerability"): SourceRecord {
  return { source, sourceId, kind, aliases: [], related: [], descriptions: [], cvss: [], cwes: [], cpes: [], affected: [], references: [] };
}
