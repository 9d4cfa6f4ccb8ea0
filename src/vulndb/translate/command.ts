/**
 * Offline translation by a local program (Argos Translate's `argos-translate`, or any command that reads
 * the text on standard input and writes its translation on standard output). Spawned without a shell,
 * once per text, one at a time (local models are heavy), with a timeout and a cap on what it may write.
 * Arguments may contain {from} and {to}, replaced by the language codes; the codes are also in the
 * environment as IOTSCOPE_TRANSLATE_FROM / IOTSCOPE_TRANSLATE_TO.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { failed, type TranslateOutcome, type TranslateText, type Translator } from "./types.js";

export interface CommandOptions {
  program: string;
  args?: string[];
  /** Per text; default 120 s. */
  timeoutMs?: number;
  /** Bytes of standard output accepted; default 1 MiB. */
  maxOutput?: number;
}

/** Argos Translate's CLI: text on standard input when no TEXT argument is given. */
export const ARGOS_ARGS = ["--from-lang", "{from}", "--to-lang", "{to}"];

export class CommandTranslator implements Translator {
  readonly name: string;

  constructor(private readonly options: CommandOptions) {
    if (!options.program) throw new TypeError("command translator: no program given");
    this.name = `command:${path.basename(options.program)}`;
  }

  async translate(texts: readonly TranslateText[], to: "en", signal?: AbortSignal): Promise<TranslateOutcome[]> {
    const out: TranslateOutcome[] = [];
    for (const t of texts) {
      if (signal?.aborted) throw signal.reason;
      out.push(await this.run(t, to, signal));
    }
    return out;
  }

  private run(t: TranslateText, to: string, signal?: AbortSignal): Promise<TranslateOutcome> {
    const timeoutMs = this.options.timeoutMs ?? 120_000;
    const maxOutput = this.options.maxOutput ?? 1024 * 1024;
    const args = (this.options.args ?? []).map((a) => a.replaceAll("{from}", t.from).replaceAll("{to}", to));
    return new Promise<TranslateOutcome>((resolve, reject) => {
      const child = spawn(this.options.program, args, {
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, IOTSCOPE_TRANSLATE_FROM: t.from, IOTSCOPE_TRANSLATE_TO: to },
      });
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      let stderr = "";
      let settled = false;
      const finish = (outcome: TranslateOutcome | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        finish(failed(`${this.name}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = () => {
        child.kill("SIGKILL");
        finish(signal!.reason instanceof Error ? signal!.reason : new Error("aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      child.on("error", (err: NodeJS.ErrnoException) => {
        finish(failed(err.code === "ENOENT" ? `${this.name}: program not found: ${this.options.program}` : `${this.name}: ${err.message}`));
      });
      child.stdout.on("data", (chunk: Buffer) => {
        stdoutBytes += chunk.length;
        if (stdoutBytes > maxOutput) {
          child.kill("SIGKILL");
          finish(failed(`${this.name}: more than ${maxOutput} bytes of output`));
        } else stdout.push(chunk);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        if (stderr.length < 4096) stderr += chunk.toString("utf8");
      });
      child.on("close", (code, sig) => {
        if (code !== 0) {
          const last = stderr.trim().split("\n").at(-1) ?? "";
          finish(failed(`${this.name}: exit ${code ?? sig}${last ? `: ${last.slice(0, 200)}` : ""}`));
          return;
        }
        const text = Buffer.concat(stdout).toString("utf8").replace(/\r?\n$/, "");
        finish(text.trim() ? { ok: true, text } : failed(`${this.name}: empty output`));
      });
      // A program that exits without reading its input makes the write fail (EPIPE): its exit status says why.
      child.stdin.on("error", () => {});
      child.stdin.end(t.text);
    });
  }
}
