/**
 * Every persona in personas/ loads and validates (the persona schema, the telnet section), its
 * endianness matches its architecture, and each of its telnet examples holds when typed into the shell.
 */
import { describe, expect, it } from "vitest";
import { telnetPersona } from "../../src/honeypot/emulators/telnet/persona.js";
import { Shell } from "../../src/honeypot/emulators/telnet/shell.js";
import { defaultPersonasDir, listPersonas, loadPersona } from "../../src/honeypot/index.js";
import path from "node:path";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { loadPersonaFile } from "../../src/honeypot/index.js";

const names = listPersonas();
const bigEndian = new Set(["mips", "powerpc", "sparc", "m68k"]);

describe("personas", () => {
  it("ships at least four", () => {
    expect(names.length).toBeGreaterThanOrEqual(4);
  });

  describe.each(names.map((n) => [n]))("%s", (name) => {
    const persona = loadPersona(name);
    const tp = telnetPersona(persona);

    it("validates, with an endianness that fits its architecture and sections for every emulator", () => {
      expect(persona.endian).toBe(bigEndian.has(persona.arch) ? "big" : "little");
      for (const section of ["telnet", "mqtt", "coap", "http", "ssdp"] as const) expect(persona[section]).toBeDefined();
      expect(tp.examples.length).toBeGreaterThan(0);
      expect(tp.credentials.length + (tp.accept_any_after ? 1 : 0)).toBeGreaterThan(0);
    });

    it.each(tp.examples.map((e) => [e.input, e]))("example: %s", (_input, example) => {
      const output = new Shell(persona, tp).run(example.input).output.toString("latin1");
      for (const c of example.contains) expect(output).toContain(c);
      for (const c of example.not_contains) expect(output).not.toContain(c);
    });
  });

  it("refuses a persona file with a bad field, naming the file and the path", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "persona-"));
    try {
      const file = path.join(dir, "bad.json");
      writeFileSync(file, JSON.stringify({ ...loadPersona(names[0]!), name: "bad", arch: "z80" }));
      expect(() => loadPersonaFile(file)).toThrow(/bad\.json: arch: /);
      expect(() => loadPersona("nope", defaultPersonasDir)).toThrow(/unknown persona "nope"/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
