/**
 * The collector's settings: environment beats the config file (`honeypotCollector.*`, `geoip.*`).
 * docs/configuration.md and docs/honeypot.md ("Collector") list them.
 */
import type { ConfigFile } from "../../core/config.js";
import { UsageError } from "../../core/errors.js";
import { geoPathsFrom, type GeoPaths } from "../../core/geo/index.js";

export interface CollectorSettings {
  /** Bearer token for the admin endpoints (events query; stats and sensors too when set). */
  adminToken: string | undefined;
  listen: string | undefined;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  geo: GeoPaths;
}

export function collectorSettings(file: ConfigFile | undefined, env: NodeJS.ProcessEnv = process.env): CollectorSettings {
  const c = file?.honeypotCollector;
  const fromEnv = env.IOTSCOPE_HONEYPOT_ADMIN_TOKEN || undefined;
  // The config file's schema asks the same of honeypotCollector.adminToken.
  if (fromEnv !== undefined && fromEnv.length < 16) throw new UsageError("IOTSCOPE_HONEYPOT_ADMIN_TOKEN: use at least 16 characters (e.g. `openssl rand -hex 24`)");
  return {
    adminToken: fromEnv ?? c?.adminToken,
    listen: c?.listen,
    tlsCert: c?.tlsCert,
    tlsKey: c?.tlsKey,
    geo: geoPathsFrom(file, env),
  };
}
