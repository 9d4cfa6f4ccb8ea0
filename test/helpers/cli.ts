/**
 * Runs the real CLI (from source, through tsx) as a child process, the way a user would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./fixtures.js";

const tsx = path.join(repoRoot, "node_modules/.bin/tsx");
const entry = path.join(repoRoot, "src/cli/main.ts");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [entry, ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, IOTSCOPE_DB: undefined, IOTSCOPE_DATA: undefined, IOTSCOPE_CONFIG: undefined, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

/** Starts a long-running CLI command and resolves once a stdout line satisfies `ready`. */
export function startCli(
  args: string[],
  ready: (line: string) => boolean,
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ child: ChildProcess; line: string; stop: () => Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [entry, ...args], {
      cwd: repoRoot,
      env: { ...process.env, IOTSCOPE_DB: undefined, IOTSCOPE_DATA: undefined, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffered = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`CLI not ready within ${opts.timeoutMs ?? 20000} ms; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 20000);
    const stop = () =>
      new Promise<number | null>((res) => {
        if (child.exitCode !== null) return res(child.exitCode);
        child.once("close", (code) => res(code));
        child.kill("SIGTERM");
      });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      for (const line of buffered.split("\n").slice(0, -1)) {
        if (ready(line)) {
          clearTimeout(timer);
          resolve({ child, line, stop });
        }
      }
      buffered = buffered.slice(buffered.lastIndexOf("\n") + 1);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`CLI exited with ${code} before it was ready; stderr: ${stderr}`));
    });
  });
}
