/**
 * What every command gets: resolved settings, a logger, storage on demand, and one way to print
 * results (human text, or JSON on stdout with --json). Commands stay thin: parse flags, call a pillar,
 * print.
 */
import type { Command } from "commander";
import { resolveSettings, type GlobalFlags, type Settings } from "../core/config.js";
import { createLogger, type Logger } from "../core/log/index.js";
import { openStorage, type Storage } from "../core/storage/index.js";

export interface CommandContext {
  settings: Settings;
  logger: Logger;
  /** Opens (and migrates) the configured database; closed by `close()`. */
  storage(): Promise<Storage>;
  /** Prints `data` as JSON with --json, otherwise the human rendering. */
  print(data: unknown, human: () => string): void;
  close(): Promise<void>;
}

export function contextFor(cmd: Command): CommandContext {
  const settings = resolveSettings(cmd.optsWithGlobals<GlobalFlags>());
  const logger = createLogger(settings.logLevel);
  let opened: Promise<Storage> | undefined;
  return {
    settings,
    logger,
    storage() {
      opened ??= openStorage({ url: settings.db, dataDir: settings.dataDir });
      return opened;
    },
    print(data, human) {
      process.stdout.write(settings.json ? `${JSON.stringify(data)}\n` : `${human()}\n`);
    },
    async close() {
      if (opened) await (await opened).close();
    },
  };
}

/** Runs a command body with a context and always releases what it opened. */
export async function withContext(cmd: Command, body: (ctx: CommandContext) => Promise<void>): Promise<void> {
  const ctx = contextFor(cmd);
  try {
    await body(ctx);
  } finally {
    await ctx.close();
  }
}
