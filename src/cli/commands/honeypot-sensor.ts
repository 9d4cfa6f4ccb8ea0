/**
 * `iotscope honeypot sensor --config FILE`: runs a sensor until SIGTERM/SIGINT, then stops the
 * emulators, flushes the spool and exits 0. Prints one line when listening (with --json: the bound
 * ports per emulator as JSON) and, at exit, the final counters. The sensor's config file is its own
 * (docs/honeypot.md "Sensor"): it is read here, not through the global settings, whose --config it
 * shares a name with.
 */
import type { Command } from "commander";
import { logLevels, type LogLevel } from "../../core/config.js";
import { UsageError } from "../../core/errors.js";
import { createLogger } from "../../core/log/index.js";
import { loadSensorConfig, startSensor } from "../../honeypot/index.js";

export function registerHoneypotSensor(group: Command): void {
  group
    .command("sensor")
    .description("run a honeypot sensor: the configured emulators, an on-disk spool, shipping to the collector")
    .option("--config <file>", "sensor config file (JSON; see docs/honeypot.md)")
    .action(async (opts: { config?: string }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ config?: string; json?: boolean; logLevel?: string }>();
      const file = opts.config ?? globals.config;
      if (!file) throw new UsageError("honeypot sensor: --config FILE is required");
      const level = (globals.logLevel ?? process.env.IOTSCOPE_LOG_LEVEL ?? "info") as LogLevel;
      if (!logLevels.includes(level)) throw new UsageError(`--log-level: ${level} is not one of ${logLevels.join(", ")}`);
      const log = createLogger(level, "iotscope-sensor");
      const config = loadSensorConfig(file);
      const sensor = await startSensor(config, { log });
      const out = (data: unknown, human: string) => process.stdout.write(globals.json ? `${JSON.stringify(data)}\n` : `${human}\n`);
      out(
        { sensor: config.sensor, listening: sensor.ports, personas: sensor.personas },
        `sensor ${config.sensor} listening: ${Object.entries(sensor.ports)
          .map(([k, v]) => `${k} ${v.join(",")}`)
          .join("; ")}`,
      );
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          log.info({ signal }, "sensor stopping");
          resolve();
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      await sensor.close();
      const s = sensor.stats();
      out({ stopped: true, ...s }, `sensor ${config.sensor} stopped: ${s.emitted} events, ${s.spool.spooledEvents} still spooled, ${s.spool.dropped} dropped`);
    });
}
