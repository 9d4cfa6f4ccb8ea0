import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import type { PillarInfo } from "../../core/pillars.js";

/**
 * A pillar whose commands have not landed yet still shows in `iotscope --help`, marked as such, and
 * says so plainly when called, instead of failing with "unknown command".
 */
export function registerPlanned(program: Command, pillar: PillarInfo): void {
  program
    .command(pillar.command)
    .description(`${pillar.title}: ${pillar.summary} [not built yet]`)
    .allowUnknownOption(true)
    .argument("[args...]")
    .action(() => {
      throw new UsageError(`the ${pillar.title} pillar (iotscope ${pillar.command}) is not built yet in this version`);
    });
}
