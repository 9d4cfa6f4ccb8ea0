/**
 * A BusyBox-like shell that answers what IoT bots type after logging in — and executes nothing.
 * Every command is looked up in a table of canned behaviours over a small per-session virtual file
 * system (bounded); downloads (wget, tftp, ftpget, curl) are recorded as events and fail the way an
 * unreachable server would; nothing is fetched, nothing runs. Output uses the persona's data
 * (cpuinfo, mounts, uname, ELF header of its architecture).
 */
import { cap, limits } from "../../events.js";
import type { Persona } from "../../persona.js";
import { elfHeader } from "./elf.js";
import type { TelnetPersona } from "./persona.js";
import { parseLine, type SimpleCommand } from "./words.js";

export type ShellEvent =
  | { eventid: "telnet.command.unknown"; input: string }
  | { eventid: "telnet.session.file_download"; input: string; url: string; tool: string };

export interface ShellResult {
  /** Bytes for the terminal (before newline translation and IAC escaping). */
  output: Buffer;
  events: ShellEvent[];
  exit: boolean;
}

const MAX_OUTPUT = 64 * 1024;
const MAX_FS_BYTES = 64 * 1024;
const MAX_FS_FILES = 64;
const MAX_COMMANDS = 64;
const MAX_DEPTH = 3;

const machines: Record<Persona["arch"], string> = {
  arm: "armv5tejl",
  armhf: "armv7l",
  aarch64: "aarch64",
  mips: "mips",
  mipsel: "mips",
  x86: "i686",
  x86_64: "x86_64",
  powerpc: "ppc",
  sh4: "sh4",
  sparc: "sparc",
  m68k: "m68k",
  arc: "arc",
};

const defaultMounts =
  "rootfs / rootfs rw 0 0\n/dev/root / squashfs ro,relatime 0 0\nproc /proc proc rw,relatime 0 0\nsysfs /sys sysfs rw,relatime 0 0\ntmpfs /dev tmpfs rw,relatime,size=64k,mode=755 0 0\ndevpts /dev/pts devpts rw,relatime,mode=600 0 0\ntmpfs /tmp tmpfs rw,relatime,size=8192k 0 0\ntmpfs /var tmpfs rw,relatime,size=2048k 0 0\n";

const baseDirs: Record<string, string[]> = {
  "/": ["bin", "dev", "etc", "home", "lib", "mnt", "proc", "root", "sbin", "sys", "tmp", "usr", "var"],
  "/bin": ["busybox", "cat", "chmod", "cp", "dd", "echo", "ls", "mkdir", "mount", "mv", "ps", "rm", "sh", "sleep", "tftp", "wget"],
  "/sbin": ["ifconfig", "init", "reboot", "route"],
  "/etc": ["hostname", "hosts", "init.d", "inittab", "passwd", "profile", "resolv.conf"],
  "/dev": ["console", "mtd0", "mtdblock0", "null", "pts", "shm", "ttyS0", "urandom", "watchdog", "zero"],
  "/dev/shm": [],
  "/dev/pts": [],
  "/proc": ["1", "cpuinfo", "meminfo", "mounts", "net", "self", "version"],
  "/sys": ["bus", "class", "devices", "kernel"],
  "/tmp": [],
  "/var": ["run", "tmp"],
  "/var/run": [],
  "/var/tmp": [],
  "/mnt": [],
  "/root": [],
  "/home": [],
  "/usr": ["bin", "sbin"],
  "/usr/bin": [],
  "/usr/sbin": [],
  "/lib": ["ld-uClibc.so.0", "libc.so.0"],
};

/** Applets a `/bin/busybox X` call accepts; anything else answers "X: applet not found". */
const applets = new Set([
  "cat", "cd", "chmod", "cp", "curl", "dd", "echo", "false", "free", "ftpget", "grep", "head", "id", "kill", "killall", "ls", "mkdir",
  "mount", "mv", "nproc", "ps", "pwd", "rm", "sh", "sleep", "tftp", "touch", "true", "uname", "wget", "whoami",
]);
// curl is not a BusyBox applet, but bots try `busybox curl`; answering "applet not found" would be
// right too — keep it recorded as a download attempt either way.

interface Io {
  out: Buffer[];
  err: string[];
  status: number;
}

export class Shell {
  cwd = "/";
  private readonly files = new Map<string, Buffer>();
  private fsBytes = 0;
  private readonly elf: Buffer;
  private readonly machine: string;
  private readonly uname: string;

  constructor(
    private readonly persona: Persona,
    private readonly tp: TelnetPersona,
  ) {
    this.elf = elfHeader(persona.arch, persona.endian);
    this.machine = machines[persona.arch];
    this.uname = tp.uname ?? `Linux ${persona.hostname} 3.10.14 #1 SMP PREEMPT Tue Jun 13 17:05:11 CST 2017 ${this.machine} GNU/Linux`;
  }

  prompt(): string {
    return this.tp.prompt.replaceAll("{hostname}", this.persona.hostname).replaceAll("{cwd}", this.cwd);
  }

  /** Runs one typed line; never throws on what the attacker typed. */
  run(line: string, depth = 0): ShellResult {
    const events: ShellEvent[] = [];
    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let exit = false;
    let commands = 0;
    for (const pipeline of parseLine(line)) {
      if (pipeline.op === "&&" && status !== 0) continue;
      if (pipeline.op === "||" && status === 0) continue;
      let stdin: Buffer | undefined;
      for (const [i, cmd] of pipeline.commands.entries()) {
        if (++commands > MAX_COMMANDS) break;
        const last = i === pipeline.commands.length - 1;
        const io: Io = { out: [], err: [], status: 0 };
        const result = this.command(cmd, stdin, io, events, depth);
        if (result === "exit") exit = true;
        status = io.status;
        let out = Buffer.concat(io.out);
        const err = io.err.join("");
        if (cmd.stdout) {
          this.writeFile(cmd.stdout.file, out, cmd.stdout.append);
          out = Buffer.alloc(0);
        }
        const errBytes = cmd.stderr && cmd.stderr !== "stdout" ? Buffer.alloc(0) : Buffer.from(err, "latin1");
        if (last) {
          for (const b of [out, errBytes]) {
            if (b.length === 0 || size >= MAX_OUTPUT) continue;
            const part = b.subarray(0, MAX_OUTPUT - size);
            chunks.push(part);
            size += part.length;
          }
        } else {
          stdin = out;
          if (errBytes.length > 0 && size < MAX_OUTPUT) {
            chunks.push(errBytes.subarray(0, MAX_OUTPUT - size));
            size += Math.min(errBytes.length, MAX_OUTPUT - size);
          }
        }
        if (exit) break;
      }
      if (exit) break;
    }
    return { output: Buffer.concat(chunks), events, exit };
  }

  private command(cmd: SimpleCommand, stdin: Buffer | undefined, io: Io, events: ShellEvent[], depth: number): "exit" | undefined {
    const [name0, ...args] = cmd.words;
    if (name0 === undefined) return undefined;
    if (cmd.stdin !== undefined) stdin = this.readFile(cmd.stdin) ?? Buffer.alloc(0);
    const text = cap(cmd.words.join(" "), limits.input);
    let name = name0;
    const slash = name.lastIndexOf("/");
    if (slash !== -1) {
      const dir = name.slice(0, slash) || "/";
      const base = name.slice(slash + 1);
      if (["/bin", "/sbin", "/usr/bin", "/usr/sbin"].includes(dir) && (base === "busybox" || applets.has(base))) name = base;
      else {
        const exists = this.readFile(name) !== undefined;
        // Never executed: a dropped file "exists" but cannot run.
        io.err.push(exists ? `sh: ${name}: Permission denied\n` : `sh: ${name}: not found\n`);
        io.status = exists ? 126 : 127;
        if (!exists) events.push({ eventid: "telnet.command.unknown", input: text });
        return undefined;
      }
    }
    if (name === "busybox") {
      if (args.length === 0) {
        io.out.push(Buffer.from(`${this.tp.busybox_version}\nBusyBox is copyrighted by many authors between 1998-2012.\nLicensed under GPLv2. See source distribution for detailed\ncopyright notices.\n\nUsage: busybox [function [arguments]...]\n`));
        return undefined;
      }
      const applet = args[0]!;
      if (!applets.has(applet)) {
        io.err.push(`${applet}: applet not found\n`);
        io.status = 127;
        return undefined;
      }
      return this.applet(applet, args.slice(1), stdin, io, events, text, depth);
    }
    return this.applet(name, args, stdin, io, events, text, depth);
  }

  private applet(name: string, args: string[], stdin: Buffer | undefined, io: Io, events: ShellEvent[], text: string, depth: number): "exit" | undefined {
    switch (name) {
      // Vendor CLIs (Huawei, ZTE, …) that bots try to leave for a shell: here we are already in one.
      case "enable":
      case "system":
      case "shell":
      case "linuxshell":
      case "true":
      case "sleep":
      case "chmod":
      case "kill":
      case "killall":
      case "mount":
        return undefined;
      case "false":
        io.status = 1;
        return undefined;
      case "exit":
      case "logout":
      case "quit":
        return "exit";
      case "sh":
        return this.sh(args, io, events, depth);
      case "cd":
        this.cd(args[0] ?? "/root", io);
        return undefined;
      case "pwd":
        io.out.push(Buffer.from(`${this.cwd}\n`));
        return undefined;
      case "echo":
        io.out.push(echo(args));
        return undefined;
      case "cat":
        this.cat(args, stdin, io);
        return undefined;
      case "dd":
        this.dd(args, stdin, io);
        return undefined;
      case "head":
        this.head(args, stdin, io);
        return undefined;
      case "grep":
        this.grep(args, stdin, io);
        return undefined;
      case "ls":
        this.ls(args, io);
        return undefined;
      case "ps":
        this.ps(io);
        return undefined;
      case "uname":
        io.out.push(Buffer.from(`${this.unameText(args)}\n`));
        return undefined;
      case "id":
        io.out.push(Buffer.from("uid=0(root) gid=0(root)\n"));
        return undefined;
      case "whoami":
        io.out.push(Buffer.from("root\n"));
        return undefined;
      case "nproc":
        io.out.push(Buffer.from(`${Math.max(1, (this.tp.cpuinfo ?? "").match(/^processor\s*:/gm)?.length ?? 1)}\n`));
        return undefined;
      case "free":
        io.out.push(Buffer.from("              total         used         free       shared      buffers\nMem:         59212        41820        17392            0         2216\n-/+ buffers:              39604        19608\nSwap:            0            0            0\n"));
        return undefined;
      case "rm":
        for (const a of args) if (!a.startsWith("-")) this.deleteFile(a);
        return undefined;
      case "touch":
        for (const a of args) if (!a.startsWith("-") && this.readFile(a) === undefined) this.writeFile(a, Buffer.alloc(0), false);
        return undefined;
      case "cp":
      case "mv": {
        const paths = args.filter((a) => !a.startsWith("-"));
        if (paths.length >= 2) {
          const content = this.readFile(paths[0]!);
          if (content === undefined) {
            io.err.push(`${name}: can't stat '${paths[0]}': No such file or directory\n`);
            io.status = 1;
          } else {
            this.writeFile(paths[paths.length - 1]!, content, false);
            if (name === "mv") this.deleteFile(paths[0]!);
          }
        }
        return undefined;
      }
      case "mkdir":
        for (const a of args) if (!a.startsWith("-")) this.dirs.add(this.resolve(a));
        return undefined;
      case "wget":
      case "curl":
      case "tftp":
      case "ftpget":
        this.download(name, args, io, events, text);
        return undefined;
      default:
        io.err.push(`sh: ${name}: not found\n`);
        io.status = 127;
        events.push({ eventid: "telnet.command.unknown", input: text });
        return undefined;
    }
  }

  private readonly dirs = new Set<string>();

  private sh(args: string[], io: Io, events: ShellEvent[], depth: number): "exit" | undefined {
    if (args[0] === "-c" && args[1] !== undefined) {
      if (depth >= MAX_DEPTH) return undefined;
      const r = this.run(args[1], depth + 1);
      events.push(...r.events);
      io.out.push(r.output);
      return undefined;
    }
    const file = args.find((a) => !a.startsWith("-"));
    if (file !== undefined && this.readFile(file) === undefined) {
      io.err.push(`sh: can't open '${file}': No such file or directory\n`);
      io.status = 2;
    }
    // A new interactive shell, or a dropped script: nothing runs either way.
    return undefined;
  }

  private cd(target: string, io: Io): void {
    const dir = this.resolve(target);
    if (this.isDir(dir)) this.cwd = dir;
    else {
      io.err.push(`sh: cd: can't cd to ${target}: No such file or directory\n`);
      io.status = 2;
    }
  }

  private cat(args: string[], stdin: Buffer | undefined, io: Io): void {
    const files = args.filter((a) => a === "-" || !a.startsWith("-"));
    if (files.length === 0) {
      if (stdin) io.out.push(stdin);
      return;
    }
    for (const f of files) {
      const content = f === "-" ? stdin ?? Buffer.alloc(0) : this.readFile(f);
      if (content !== undefined) io.out.push(content);
      else if (this.isDir(this.resolve(f))) {
        io.err.push(`cat: read error: Is a directory\n`);
        io.status = 1;
      } else {
        io.err.push(`cat: can't open '${f}': No such file or directory\n`);
        io.status = 1;
      }
    }
  }

  private dd(args: string[], stdin: Buffer | undefined, io: Io): void {
    const opt = new Map(args.filter((a) => a.includes("=")).map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]));
    const num = (v: string | undefined, dflt: number) => {
      const m = /^(\d{1,9})([kKM]?)$/.exec(v ?? "");
      if (!m) return dflt;
      return Number(m[1]) * (m[2] === "M" ? 1 << 20 : m[2] ? 1024 : 1);
    };
    const bs = Math.max(1, Math.min(num(opt.get("bs"), 512), MAX_OUTPUT));
    const count = opt.has("count") ? num(opt.get("count"), 0) : Infinity;
    const skip = num(opt.get("skip"), 0);
    const src = opt.get("if");
    const input = src === undefined ? stdin ?? Buffer.alloc(0) : this.readFile(src);
    if (input === undefined) {
      io.err.push(`dd: can't open '${src}': No such file or directory\n`);
      io.status = 1;
      return;
    }
    const start = Math.min(input.length, skip * bs);
    const data = input.subarray(start, Math.min(input.length, start + Math.min(count * bs, MAX_OUTPUT)));
    const full = Math.floor(data.length / bs);
    const partial = data.length % bs > 0 ? 1 : 0;
    const of = opt.get("of");
    if (of !== undefined) this.writeFile(of, data, false);
    else io.out.push(data);
    io.err.push(`${full}+${partial} records in\n${full}+${partial} records out\n`);
  }

  private head(args: string[], stdin: Buffer | undefined, io: Io): void {
    let lines = 10;
    let bytes: number | undefined;
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === "-n" || a === "-c") {
        const v = Math.min(MAX_OUTPUT, Math.max(0, Number.parseInt(args[++i] ?? "", 10) || 0));
        if (a === "-n") lines = v;
        else bytes = v;
      } else if (/^-\d+$/.test(a)) lines = Number(a.slice(1));
      else files.push(a);
    }
    const input = files.length > 0 ? this.readFile(files[0]!) : stdin;
    if (input === undefined) {
      io.err.push(`head: can't open '${files[0]}': No such file or directory\n`);
      io.status = 1;
      return;
    }
    if (bytes !== undefined) io.out.push(input.subarray(0, bytes));
    else io.out.push(Buffer.from(input.toString("latin1").split("\n").slice(0, lines).map((l) => `${l}\n`).join(""), "latin1"));
  }

  /** Literal substring match only: an attacker's pattern never reaches a regex engine. */
  private grep(args: string[], stdin: Buffer | undefined, io: Io): void {
    const flags = args.filter((a) => a.startsWith("-")).join("");
    const [pattern, file] = args.filter((a) => !a.startsWith("-"));
    if (pattern === undefined) {
      io.err.push("Usage: grep [-HhnlLoqvsriwFE] PATTERN [FILE]...\n");
      io.status = 2;
      return;
    }
    const input = file !== undefined ? this.readFile(file) : stdin;
    const text = (input ?? Buffer.alloc(0)).toString("latin1");
    const ci = flags.includes("i");
    const needle = ci ? pattern.toLowerCase() : pattern;
    const hits = text.split("\n").filter((l) => l !== "" && (ci ? l.toLowerCase() : l).includes(needle) !== flags.includes("v"));
    io.out.push(Buffer.from(hits.map((l) => `${l}\n`).join(""), "latin1"));
    io.status = hits.length > 0 ? 0 : 1;
  }

  private ls(args: string[], io: Io): void {
    const target = args.find((a) => !a.startsWith("-"));
    const dir = this.resolve(target ?? ".");
    if (!this.isDir(dir)) {
      if (this.readFile(dir) !== undefined) io.out.push(Buffer.from(`${target}\n`));
      else {
        io.err.push(`ls: ${target}: No such file or directory\n`);
        io.status = 1;
      }
      return;
    }
    const names = new Set(baseDirs[dir] ?? []);
    const prefix = dir === "/" ? "/" : `${dir}/`;
    for (const p of [...this.files.keys(), ...this.dirs]) {
      if (p.startsWith(prefix) && !p.slice(prefix.length).includes("/")) names.add(p.slice(prefix.length));
    }
    const list = [...names].sort();
    if (list.length > 0) io.out.push(Buffer.from(`${list.join("  ")}\n`));
  }

  private ps(io: Io): void {
    const rows = [
      "    1 root      1588 S    init",
      "    2 root         0 SW   [kthreadd]",
      "    3 root         0 SW   [ksoftirqd/0]",
      "    5 root         0 SW<  [kworker/0:0H]",
      "   42 root         0 SW   [kswapd0]",
      "  118 root      1592 S    /sbin/syslogd -n",
      "  121 root      1588 S    /sbin/klogd -n",
      ...this.tp.processes,
      "  587 root      1596 S    /usr/sbin/telnetd",
      "  901 root      1600 S    -sh",
      "  948 root      1588 R    ps",
    ];
    io.out.push(Buffer.from(`  PID USER       VSZ STAT COMMAND\n${rows.join("\n")}\n`));
  }

  private unameText(args: string[]): string {
    const parts = this.uname.split(" ");
    const flags = args.join("");
    if (flags === "" || flags === "-s") return "Linux";
    if (flags.includes("a")) return this.uname;
    const out: string[] = [];
    if (flags.includes("s")) out.push(parts[0] ?? "Linux");
    if (flags.includes("n")) out.push(this.persona.hostname);
    if (flags.includes("r")) out.push(parts[2] ?? "");
    if (flags.includes("m") || flags.includes("p")) out.push(this.machine);
    return out.join(" ");
  }

  private download(tool: string, args: string[], io: Io, events: ShellEvent[], text: string): void {
    const target = downloadUrl(tool, args);
    if (!target) {
      io.err.push(tool === "curl" ? "curl: try 'curl --help' for more information\n" : `BusyBox v1.19.4 multi-call binary.\n\nUsage: ${tool} [OPTIONS]...\n`);
      io.status = 1;
      return;
    }
    events.push({ eventid: "telnet.session.file_download", input: text, url: cap(target.url, limits.url), tool });
    // The server never answers: nothing is fetched. Each tool fails the way it does on a dead host.
    const host = target.host;
    switch (tool) {
      case "wget":
        io.err.push(`Connecting to ${host} (${host}:${target.port})\nwget: can't connect to remote host (${host}): Connection timed out\n`);
        break;
      case "curl":
        io.err.push(`curl: (28) Failed to connect to ${host} port ${target.port}: Connection timed out\n`);
        break;
      case "tftp":
        io.err.push("tftp: timeout\n");
        break;
      case "ftpget":
        io.err.push(`ftpget: can't connect to remote host (${host}): Connection timed out\n`);
        break;
    }
    io.status = 1;
  }

  // --- the virtual file system (per session, bounded) ---

  resolve(p: string): string {
    const parts = (p.startsWith("/") ? p : `${this.cwd}/${p}`).split("/");
    const out: string[] = [];
    for (const part of parts) {
      if (part === "" || part === ".") continue;
      if (part === "..") out.pop();
      else out.push(part);
    }
    return `/${out.join("/")}`;
  }

  private isDir(p: string): boolean {
    return p in baseDirs || this.dirs.has(p);
  }

  readFile(p: string): Buffer | undefined {
    const full = this.resolve(p);
    const own = this.files.get(full);
    if (own) return own;
    const t = (s: string) => Buffer.from(s, "latin1");
    switch (full) {
      case "/proc/cpuinfo":
        return t(this.tp.cpuinfo);
      case "/proc/mounts":
        return t(this.tp.mounts ?? defaultMounts);
      case "/proc/version":
        return t(`${this.tp.proc_version ?? `Linux version ${this.uname.split(" ")[2] ?? "3.10.14"} (root@buildhost) (gcc version 4.9.4 ) #1 SMP PREEMPT`}\n`);
      case "/etc/passwd":
        return t(this.tp.passwd ?? "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
      case "/etc/hostname":
        return t(`${this.persona.hostname}\n`);
      case "/dev/null":
        return Buffer.alloc(0);
    }
    if (this.tp.files[full] !== undefined) return t(this.tp.files[full]);
    const dir = full.slice(0, full.lastIndexOf("/")) || "/";
    const base = full.slice(full.lastIndexOf("/") + 1);
    // Executables read back as the ELF header of the persona's architecture (what bots look at).
    if ((dir === "/bin" || dir === "/sbin") && baseDirs[dir]!.includes(base)) return this.elf;
    return undefined;
  }

  private writeFile(p: string, data: Buffer, append: boolean): void {
    const full = this.resolve(p);
    if (full === "/dev/null" || full.startsWith("/proc/") || full.startsWith("/sys/")) return;
    const old = this.files.get(full);
    const next = append && old ? Buffer.concat([old, data]) : data;
    const delta = next.length - (old?.length ?? 0);
    if (!old && this.files.size >= MAX_FS_FILES) return;
    if (this.fsBytes + delta > MAX_FS_BYTES) return; // "disk full": silently dropped, bounded memory
    this.files.set(full, Buffer.from(next));
    this.fsBytes += delta;
  }

  private deleteFile(p: string): void {
    const full = this.resolve(p);
    const old = this.files.get(full);
    if (!old) return;
    this.fsBytes -= old.length;
    this.files.delete(full);
  }
}

/** `echo [-neE] ARGS`: with -e, BusyBox's escapes (\xHH, \0NNN, \NNN, \n, \t, \c, …) become bytes. */
export function echo(args: string[]): Buffer {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!/^-[neE]+$/.test(a)) break;
    if (a.includes("n")) newline = false;
    if (a.includes("e")) escapes = true;
    if (a.includes("E")) escapes = false;
  }
  const text = args.slice(i).join(" ");
  if (!escapes) return Buffer.from(newline ? `${text}\n` : text, "latin1");
  const out: number[] = [];
  for (let j = 0; j < text.length; j++) {
    const c = text.charCodeAt(j) & 0xff;
    if (text[j] !== "\\" || j + 1 >= text.length) {
      out.push(c);
      continue;
    }
    const e = text[++j]!;
    const simple: Record<string, number> = { a: 7, b: 8, e: 27, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92 };
    if (e in simple) out.push(simple[e]!);
    else if (e === "c") return Buffer.from(out);
    else if (e === "x") {
      const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(j + 1));
      if (m) {
        out.push(Number.parseInt(m[0], 16));
        j += m[0].length;
      } else out.push(92, 0x78);
    } else if (e >= "0" && e <= "7") {
      // \0NNN (echo's form) or \NNN (printf's, which BusyBox echo accepts too).
      const digits = /^[0-7]{0,3}/.exec(text.slice(e === "0" ? j + 1 : j))![0];
      out.push(Number.parseInt(digits || "0", 8) & 0xff);
      j += e === "0" ? digits.length : digits.length - 1;
    } else out.push(92, e.charCodeAt(0) & 0xff);
  }
  if (newline) out.push(10);
  return Buffer.from(out);
}

/** The URL a download command asks for, or undefined when it names none. */
export function downloadUrl(tool: string, args: string[]): { url: string; host: string; port: number } | undefined {
  const valueOpts: Record<string, string[]> = {
    wget: ["-O", "-o", "-P", "-U", "-T", "-Y", "--header", "--output-document", "--user-agent", "-e"],
    curl: ["-o", "-A", "-H", "-u", "-m", "-x", "-e", "-d", "-X", "--output", "--user-agent", "--connect-timeout", "--max-time"],
    tftp: ["-l", "-r", "-b"],
    ftpget: ["-u", "-p", "-P"],
  };
  const takes = new Set(valueOpts[tool] ?? []);
  const opts = new Map<string, string>();
  const pos: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("-") && a.length > 1) {
      if (takes.has(a)) opts.set(a, args[++i] ?? "");
      else if (a.length > 2 && !a.startsWith("--") && takes.has(a.slice(0, 2))) opts.set(a.slice(0, 2), a.slice(2));
      else opts.set(a, "");
    } else pos.push(a);
  }
  const withPort = (host: string, port: string | undefined, dflt: number) => ({ host, port: port ? Number(port) || dflt : dflt });
  if (tool === "wget" || tool === "curl") {
    const raw = pos[0];
    if (!raw) return undefined;
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
    const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d+))?/i.exec(url);
    return { url, ...withPort(m?.[1] ?? raw, m?.[2], url.toLowerCase().startsWith("https") ? 443 : 80) };
  }
  if (tool === "tftp") {
    const host = pos[0];
    if (!host) return undefined;
    // BusyBox: tftp [-g|-p] -l LOCAL -r REMOTE HOST [PORT]; the remote name defaults to the local one.
    const remote = opts.get("-r") ?? opts.get("-l") ?? pos[2] ?? "";
    const { port } = withPort(host, pos[1], 69);
    return { url: `tftp://${host}${port === 69 ? "" : `:${port}`}/${remote.replace(/^\//, "")}`, host, port };
  }
  // ftpget [-u USER] [-p PASS] [-P PORT] HOST LOCAL_FILE REMOTE_FILE
  const [host, local, remote] = pos;
  if (!host) return undefined;
  const { port } = withPort(host, opts.get("-P"), 21);
  const user = opts.get("-u");
  const auth = user ? `${user}${opts.has("-p") ? `:${opts.get("-p")}` : ""}@` : "";
  return { url: `ftp://${auth}${host}${port === 21 ? "" : `:${port}`}/${(remote ?? local ?? "").replace(/^\//, "")}`, host, port };
}
