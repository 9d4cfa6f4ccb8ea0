/**
 * Structured logging (pino). Logs always go to stderr so that stdout stays clean for `--json` output
 * and JSON-lines results that scripts pipe onwards.
 */
import { pino, type Logger } from "pino";
import type { LogLevel } from "../config.js";

export type { Logger };

export function createLogger(level: LogLevel, name = "iotscope"): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything, for library calls and tests that do not care. */
export const silentLogger: Logger = pino({ level: "silent" });
