/**
 * The command backend against a small program the test writes, acting like argos-translate: language
 * codes as --from-lang/--to-lang arguments, text on standard input, translation on standard output.
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CommandTranslator } from "../../../src/vulndb/translate/index.js";

let script: string;
const argos = ["--from-lang", "{from}", "--to-lang", "{to}"];

beforeAll(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "iotscope-mt-"));
  script = path.join(dir, "fake-argos.mjs");
  writeFileSync(
    script,
    `const args = process.argv.slice(2);
const from = args[args.indexOf("--from-lang") + 1];
const to = args[args.indexOf("--to-lang") + 1];
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", () => {
  if (input.includes("FAIL")) { process.stderr.write("loading model\\nno package installed for " + from + " -> " + to + "\\n"); process.exit(3); }
  if (input.includes("HANG")) { setInterval(() => {}, 1000); return; }
  if (input.includes("FLOOD")) { process.stdout.write("x".repeat(100000)); return; }
  if (input.includes("SILENT")) return;
  const dict = { "ルーターに脆弱性": "Vulnerability in router" };
  process.stdout.write((dict[input] ?? "[" + from + "->" + to + " env " + process.env.IOTSCOPE_TRANSLATE_FROM + "] " + input) + "\\n");
});
`,
  );
  chmodSync(script, 0o755);
});

describe("command backend", () => {
  it("translates each text by running the program with the language codes, text on stdin", async () => {
    const t = new CommandTranslator({ program: process.execPath, args: [script, ...argos] });
    expect(t.name).toBe(`command:${path.basename(process.execPath)}`);
    const out = await t.translate(
      [
        { text: "ルーターに脆弱性", from: "ja" },
        { text: "Schwachstelle\nzweite Zeile", from: "de" },
      ],
      "en",
    );
    expect(out).toEqual([
      { ok: true, text: "Vulnerability in router" },
      { ok: true, text: "[de->en env de] Schwachstelle\nzweite Zeile" },
    ]);
  });

  it("a failing program fails that text with its exit code and last stderr line, the others go on", async () => {
    const out = await new CommandTranslator({ program: process.execPath, args: [script, ...argos] }).translate(
      [
        { text: "FAIL", from: "ko" },
        { text: "カメラ", from: "ja" },
      ],
      "en",
    );
    expect(out[0]).toEqual({ ok: false, error: expect.stringMatching(/exit 3: no package installed for ko -> en$/) });
    expect(out[1]).toEqual({ ok: true, text: "[ja->en env ja] カメラ" });
  });

  it("timeouts, floods, empty output and a missing program are failures, not crashes", async () => {
    // Only the hanging program gets a short deadline: starting node on a busy machine may take seconds.
    const hang = await new CommandTranslator({ program: process.execPath, args: [script, ...argos], timeoutMs: 500 }).translate([{ text: "HANG", from: "ja" }], "en");
    expect(hang[0]).toEqual({ ok: false, error: expect.stringMatching(/no answer within 500 ms/) });
    const out = await new CommandTranslator({ program: process.execPath, args: [script, ...argos], maxOutput: 1000 }).translate(
      [
        { text: "FLOOD", from: "ja" },
        { text: "SILENT", from: "ja" },
      ],
      "en",
    );
    expect(out[0]).toEqual({ ok: false, error: expect.stringMatching(/more than 1000 bytes/) });
    expect(out[1]).toEqual({ ok: false, error: expect.stringMatching(/empty output/) });
    const missing = await new CommandTranslator({ program: "/nonexistent/argos-translate" }).translate([{ text: "x", from: "ja" }], "en");
    expect(missing).toEqual([{ ok: false, error: expect.stringMatching(/program not found: \/nonexistent\/argos-translate/) }]);
  });

  it("the caller's abort kills the program and rejects", async () => {
    const controller = new AbortController();
    const pending = new CommandTranslator({ program: process.execPath, args: [script, ...argos] }).translate([{ text: "HANG", from: "ja" }], "en", controller.signal);
    setImmediate(() => controller.abort(new Error("user stop")));
    await expect(pending).rejects.toThrow("user stop");
  });
});
