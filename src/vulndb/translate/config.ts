/**
 * Which translator to use, from one setting (docs/vulndb-translation.md):
 *   IOTSCOPE_TRANSLATOR=libretranslate:http://127.0.0.1:5000   a LibreTranslate-compatible service
 *   IOTSCOPE_TRANSLATOR=argos                                  argos-translate on the PATH
 *   IOTSCOPE_TRANSLATOR=command:/opt/mt/translate --src {from}  any program: text on stdin → stdout
 *   IOTSCOPE_TRANSLATOR=command:["/opt/my mt/run","{from}"]    the same as a JSON array (spaces in args)
 *   unset, "" or "none"                                        no translator: non-English text is marked untranslated
 * IOTSCOPE_TRANSLATOR_API_KEY (LibreTranslate's api_key) and IOTSCOPE_TRANSLATOR_TIMEOUT_MS complete it.
 */
import { UsageError } from "../../core/errors.js";
import { ARGOS_ARGS, CommandTranslator } from "./command.js";
import { LibreTranslateTranslator } from "./libretranslate.js";
import type { Translator } from "./types.js";

export interface TranslatorConfig {
  apiKey?: string;
  timeoutMs?: number;
}

const HELP = 'use libretranslate:URL, argos, command:PROGRAM [ARGS…] or none';

export function translatorFromConfig(spec: string | undefined, config: TranslatorConfig = {}): Translator | undefined {
  const s = spec?.trim() ?? "";
  if (s === "" || s === "none" || s === "off") return undefined;
  const timeout = config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {};
  if (s === "argos") return new CommandTranslator({ program: "argos-translate", args: ARGOS_ARGS, ...timeout });
  const colon = s.indexOf(":");
  const kind = colon < 0 ? s : s.slice(0, colon);
  const rest = colon < 0 ? "" : s.slice(colon + 1).trim();
  if (kind === "libretranslate") {
    if (!/^https?:\/\//.test(rest)) throw new UsageError(`translator ${JSON.stringify(s)}: libretranslate needs an http(s) URL, e.g. libretranslate:http://127.0.0.1:5000`);
    return new LibreTranslateTranslator({ url: rest, ...(config.apiKey ? { apiKey: config.apiKey } : {}), ...timeout });
  }
  if (kind === "command") {
    const argv = parseArgv(rest, s);
    return new CommandTranslator({ program: argv[0]!, args: argv.slice(1), ...timeout });
  }
  throw new UsageError(`unknown translator ${JSON.stringify(s)}: ${HELP}`);
}

/** From IOTSCOPE_TRANSLATOR, IOTSCOPE_TRANSLATOR_API_KEY and IOTSCOPE_TRANSLATOR_TIMEOUT_MS. */
export function translatorFromEnv(env: NodeJS.ProcessEnv = process.env): Translator | undefined {
  const timeoutText = env.IOTSCOPE_TRANSLATOR_TIMEOUT_MS;
  let timeoutMs: number | undefined;
  if (timeoutText !== undefined && timeoutText !== "") {
    timeoutMs = Number(timeoutText);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`IOTSCOPE_TRANSLATOR_TIMEOUT_MS=${JSON.stringify(timeoutText)} is not a positive whole number of milliseconds`);
  }
  return translatorFromConfig(env.IOTSCOPE_TRANSLATOR, {
    ...(env.IOTSCOPE_TRANSLATOR_API_KEY ? { apiKey: env.IOTSCOPE_TRANSLATOR_API_KEY } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
}

/** `prog arg arg` split on whitespace (no shell, no quoting), or a JSON array of strings. */
function parseArgv(rest: string, spec: string): string[] {
  if (rest.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rest);
    } catch {
      throw new UsageError(`translator ${JSON.stringify(spec)}: the command is not a valid JSON array`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === "string" && a !== "")) {
      throw new UsageError(`translator ${JSON.stringify(spec)}: the command must be a non-empty array of strings`);
    }
    return parsed as string[];
  }
  const argv = rest.split(/\s+/).filter(Boolean);
  if (argv.length === 0) throw new UsageError(`translator ${JSON.stringify(spec)}: command: needs a program, e.g. command:/usr/local/bin/argos-translate --from-lang {from} --to-lang {to}`);
  return argv;
}
