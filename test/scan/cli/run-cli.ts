/** Runs test/scan/cli/entry.ts (the CLI plus the test module) as a child process. */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot } from "../../helpers/fixtures.js";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "entry.ts");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  done: Promise<CliResult>;
}

export function startScanCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  // node with tsx's loader rather than the tsx binary, which would put a wrapper process between us and
  // the CLI: a SIGKILL must hit the process that scans.
  const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], {
    cwd: repoRoot,
    env: { ...process.env, IOTSCOPE_DB: undefined, IOTSCOPE_DATA: undefined, IOTSCOPE_CONFIG: undefined, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

export function runScanCli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return startScanCli(args, env).done;
}
