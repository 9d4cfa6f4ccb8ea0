/**
 * The `iotscope` command tree. One file per command group under ./commands; this file only wires them.
 */
import { Command, Option } from "commander";
import { logLevels } from "../core/config.js";
import { pillars } from "../core/pillars.js";
import { version } from "../core/version.js";
import { registerDb } from "./commands/db.js";
import { registerHoneypot } from "./commands/honeypot.js";
import { registerPlanned } from "./commands/planned.js";
import { registerRules } from "./commands/rules.js";
import { registerScan } from "./commands/scan.js";
import { registerServe } from "./commands/serve.js";
import { registerTag } from "./commands/tag.js";
import { registerTags } from "./commands/tags.js";
import { registerTraffic } from "./commands/traffic.js";
import { registerVulns } from "./commands/vulns.js";

/** Pillar commands that exist; the others are listed as planned. Each pillar adds itself here. */
const builtPillars: Record<string, (program: Command) => void> = {
  scan: registerScan,
  tag: registerTag,
  honeypot: registerHoneypot,
  vulns: registerVulns,
  traffic: registerTraffic,
};

export function buildProgram(): Command {
  const program = new Command("iotscope")
    .description("iotscope — open IoT security observatory: scan, tag, share, honeypots, vulnerabilities, traffic, malware")
    .version(version, "-V, --version")
    .option("--db <url>", "database URL: postgres://… for PostgreSQL (default: SQLite file in the data dir; env IOTSCOPE_DB)")
    .option("--data-dir <dir>", "data directory (default ./.iotscope; env IOTSCOPE_DATA)")
    .option("--config <file>", "JSON config file (default <data-dir>/config.json; env IOTSCOPE_CONFIG)")
    .option("--json", "machine-readable JSON output on stdout")
    .addOption(new Option("--log-level <level>", "log level on stderr (env IOTSCOPE_LOG_LEVEL)").choices(logLevels))
    .showHelpAfterError("(run with --help for usage)")
    .enablePositionalOptions(false);

  registerServe(program);
  registerDb(program);
  for (const pillar of pillars) {
    const register = builtPillars[pillar.command];
    if (register) register(program);
    else registerPlanned(program, pillar);
  }
  // The tag pillar's other command groups: its rules, as a reviewer sees them, and the stored tags.
  registerRules(program);
  registerTags(program);
  return program;
}
