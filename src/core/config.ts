/**
 * Global settings: flags beat environment variables, which beat the optional config file, which beats
 * the defaults. A bad value is a UsageError naming the setting and where it came from.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { UsageError } from "./errors.js";

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof logLevels)[number];

/** What a config file (JSON) may hold. Unknown keys are refused so typos do not go unnoticed. */
export const configFileSchema = z
  .object({
    db: z.string().min(1).optional(),
    logLevel: z.enum(logLevels).optional(),
    serve: z
      .object({
        listen: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** MaxMind-format databases for IP → country / ASN (src/core/geo); env IOTSCOPE_GEOIP_* wins. */
    geoip: z
      .object({
        country: z.string().min(1).optional(),
        asn: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** The honeypot collector (docs/honeypot.md, "Collector"); env IOTSCOPE_HONEYPOT_ADMIN_TOKEN wins. */
    honeypotCollector: z
      .object({
        listen: z.string().min(1).optional(),
        adminToken: z.string().min(16).optional(),
        tlsCert: z.string().min(1).optional(),
        tlsKey: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof configFileSchema>;

export interface GlobalFlags {
  db?: string;
  dataDir?: string;
  config?: string;
  json?: boolean;
  logLevel?: string;
}

export interface Settings {
  /** Storage URL; undefined means the embedded SQLite file under dataDir. */
  db: string | undefined;
  dataDir: string;
  json: boolean;
  logLevel: LogLevel;
  /** Where the config file was read from, if any. */
  configPath: string | undefined;
  file: ConfigFile;
}

export const DEFAULT_DATA_DIR = ".iotscope";

export function resolveSettings(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Settings {
  const dataDir = path.resolve(flags.dataDir ?? env.IOTSCOPE_DATA ?? DEFAULT_DATA_DIR);
  const explicitConfig = flags.config ?? env.IOTSCOPE_CONFIG;
  const configPath = explicitConfig ? path.resolve(explicitConfig) : path.join(dataDir, "config.json");
  const file = readConfigFile(configPath, explicitConfig !== undefined);
  const logLevelText = flags.logLevel ?? env.IOTSCOPE_LOG_LEVEL ?? file.logLevel ?? "warn";
  if (!(logLevels as readonly string[]).includes(logLevelText)) {
    throw new UsageError(`invalid log level "${logLevelText}": use one of ${logLevels.join(", ")}`);
  }
  return {
    db: flags.db ?? env.IOTSCOPE_DB ?? file.db,
    dataDir,
    json: flags.json ?? false,
    logLevel: logLevelText as LogLevel,
    configPath: existsSync(configPath) ? configPath : undefined,
    file,
  };
}

/** Reads and validates a config file. A missing default file is fine; a missing explicit one is not. */
export function readConfigFile(file: string, mustExist: boolean): ConfigFile {
  if (!existsSync(file)) {
    if (mustExist) throw new UsageError(`config file ${file} does not exist (check --config or IOTSCOPE_CONFIG)`);
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    throw new UsageError(`config file ${file}: ${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
