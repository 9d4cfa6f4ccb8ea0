/** IP → country / ASN enrichment shared by the honeypot collector and the share pillar. */
export { DEFAULT_GEO_CACHE, NO_GEO, noGeo, openGeo, type GeoInfo, type GeoLookup, type GeoPaths } from "./lookup.js";
export { geoPathsFrom } from "./config.js";
export { LruCache } from "./lru.js";
