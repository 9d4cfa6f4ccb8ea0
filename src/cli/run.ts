/**
 * CLI entry. Exit codes: 0 success, 1 a failure while running (bug or peer failure), 2 a usage or
 * configuration mistake the user can fix (the message says how).
 */
import { CommanderError } from "commander";
import { describeError, isUsageError } from "../core/errors.js";
import { buildProgram } from "./program.js";

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  for (const cmd of allCommands(program)) cmd.exitOverride();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; the message is already printed.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
      return 2;
    }
    if (isUsageError(err)) {
      process.stderr.write(`iotscope: ${describeError(err)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`iotscope: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

function allCommands(cmd: ReturnType<typeof buildProgram>): ReturnType<typeof buildProgram>[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

