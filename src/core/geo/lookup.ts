/**
 * IP → {country, asn, as_org} from MaxMind-format databases (GeoLite2/GeoIP2 Country or City, and ASN),
 * read with the `maxmind` package (MaxMind's format, a binary search tree plus a data section: not worth
 * reimplementing). Databases are optional: a missing or unreadable file disables that half of the
 * enrichment with a warning, and lookups then give nulls — enrichment never fails an ingest.
 */
import { existsSync } from "node:fs";
import maxmind, { type AsnResponse, type CountryResponse, type Reader } from "maxmind";
import { describeError } from "../errors.js";
import type { Logger } from "../log/index.js";
import { LruCache } from "./lru.js";

export interface GeoInfo {
  /** ISO 3166-1 alpha-2, from the country (or city) database. */
  country: string | null;
  asn: number | null;
  as_org: string | null;
}

export interface GeoPaths {
  /** GeoLite2-Country or GeoLite2-City (.mmdb). */
  country?: string;
  /** GeoLite2-ASN (.mmdb). */
  asn?: string;
}

export interface GeoLookup {
  /** Never throws; unknown or invalid addresses give nulls. */
  lookup(ip: string): GeoInfo;
  /** Which databases are loaded, for logs and `sensors`/`stats` output. */
  readonly sources: { country: string | null; asn: string | null };
}

export const NO_GEO: GeoInfo = Object.freeze({ country: null, asn: null, as_org: null });

/** A lookup with no databases: every field null. */
export const noGeo: GeoLookup = { lookup: () => NO_GEO, sources: { country: null, asn: null } };

/** Default cache: attackers repeat, and a hit saves two tree walks and two record decodes. */
export const DEFAULT_GEO_CACHE = 10_000;

export async function openGeo(paths: GeoPaths, opts: { log?: Logger; cacheSize?: number } = {}): Promise<GeoLookup> {
  const country = await openReader<CountryResponse>(paths.country, "country", opts.log);
  const asn = await openReader<AsnResponse>(paths.asn, "ASN", opts.log);
  if (!country && !asn) return noGeo;
  const cache = new LruCache<string, GeoInfo>(opts.cacheSize ?? DEFAULT_GEO_CACHE);
  return {
    sources: { country: country ? paths.country! : null, asn: asn ? paths.asn! : null },
    lookup(ip) {
      const hit = cache.get(ip);
      if (hit) return hit;
      const info: GeoInfo = { country: null, asn: null, as_org: null };
      try {
        const c = country?.get(ip);
        info.country = c?.country?.iso_code ?? c?.registered_country?.iso_code ?? null;
        const a = asn?.get(ip);
        if (a) {
          info.asn = a.autonomous_system_number ?? null;
          info.as_org = a.autonomous_system_organization ?? null;
        }
      } catch {
        // The reader throws on text that is not an IP address; the event schema already refused those,
        // so this is an address family the database lacks (IPv6 in an IPv4-only file): no enrichment.
      }
      cache.set(ip, info);
      return info;
    },
  };
}

async function openReader<T extends CountryResponse | AsnResponse>(file: string | undefined, what: string, log: Logger | undefined): Promise<Reader<T> | undefined> {
  if (file === undefined || file === "") return undefined;
  if (!existsSync(file)) {
    log?.warn({ file }, `GeoIP ${what} database not found: ${what} enrichment off`);
    return undefined;
  }
  try {
    return await maxmind.open<T>(file);
  } catch (err) {
    log?.warn({ file, err: describeError(err) }, `GeoIP ${what} database unreadable: ${what} enrichment off`);
    return undefined;
  }
}
