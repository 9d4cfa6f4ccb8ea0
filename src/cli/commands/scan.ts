/**
 * `iotscope scan …`: one subcommand per scan module (`scan mqtt <target…>`), plus `modules`, `campaigns`,
 * `show`, `export` and `resume`. Thin: the subcommands live in ../scan/, the work in the scan pillar.
 */
import type { Command } from "commander";
import { listScanModules, pillar } from "../../scan/index.js";
import { registerCampaigns, registerExport, registerModules, registerShow } from "../scan/inspect.js";
import { registerModuleCommand, registerResume } from "../scan/run.js";

export function registerScan(program: Command): void {
  const scan = program
    .command(pillar.command)
    .description(`${pillar.title}: ${pillar.summary}`)
    .addHelpText("after", "\nRun `iotscope scan <module> --help` for a module's flags; docs/scan.md explains the engine.");
  for (const module of listScanModules()) registerModuleCommand(scan, module);
  registerModules(scan);
  registerCampaigns(scan);
  registerShow(scan);
  registerExport(scan);
  registerResume(scan);
}
