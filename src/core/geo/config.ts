/**
 * Where the GeoIP databases are: environment (IOTSCOPE_GEOIP_COUNTRY, IOTSCOPE_GEOIP_ASN) beats the
 * config file (`geoip.country`, `geoip.asn`). docs/configuration.md lists both.
 */
import type { ConfigFile } from "../config.js";
import type { GeoPaths } from "./lookup.js";

export function geoPathsFrom(file: ConfigFile | undefined, env: NodeJS.ProcessEnv = process.env): GeoPaths {
  return {
    country: nonEmpty(env.IOTSCOPE_GEOIP_COUNTRY) ?? file?.geoip?.country,
    asn: nonEmpty(env.IOTSCOPE_GEOIP_ASN) ?? file?.geoip?.asn,
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}
