/**
 * The ELF header a bot reads from `/bin/echo` (`dd bs=52 count=1 if=/bin/echo`, or Mirai's loader
 * `cat /bin/echo`) to choose which binary to push: it must say the persona's architecture and
 * endianness the way a real BusyBox build on that device would. Values from the ELF specification
 * (System V gABI) and each processor supplement: e_machine ARM 40, MIPS 8, x86 3, x86-64 62,
 * PowerPC 20, SH 42, SPARC 2, m68k 4, AArch64 183, ARC 93; typical e_flags of Linux userland builds
 * (ARM EABI5 soft/hard float, MIPS o32 PIC, SH4). None of the values contains 0x0a or 0xff, so the
 * header survives a terminal's newline translation and Telnet's IAC escaping byte for byte.
 */
import type { Persona } from "../../persona.js";

type Arch = Persona["arch"];

interface ElfArch {
  machine: number;
  is64: boolean;
  flags: number;
  entry: number;
}

export const elfArchitectures: Record<Arch, ElfArch> = {
  arm: { machine: 40, is64: false, flags: 0x05000200, entry: 0x00008190 },
  armhf: { machine: 40, is64: false, flags: 0x05000400, entry: 0x00010354 },
  aarch64: { machine: 183, is64: true, flags: 0, entry: 0x00400190 },
  mips: { machine: 8, is64: false, flags: 0x00001007, entry: 0x00400260 },
  mipsel: { machine: 8, is64: false, flags: 0x00001007, entry: 0x00400260 },
  x86: { machine: 3, is64: false, flags: 0, entry: 0x08048164 },
  x86_64: { machine: 62, is64: true, flags: 0, entry: 0x00400194 },
  powerpc: { machine: 20, is64: false, flags: 0, entry: 0x100001f4 },
  sh4: { machine: 42, is64: false, flags: 0x00000009, entry: 0x00400174 },
  sparc: { machine: 2, is64: false, flags: 0, entry: 0x00010074 },
  m68k: { machine: 4, is64: false, flags: 0, entry: 0x80000084 },
  arc: { machine: 93, is64: false, flags: 0x00000003, entry: 0x00010114 },
};

/** The 52-byte (ELF32) or 64-byte (ELF64) header of a statically linked executable. */
export function elfHeader(arch: Arch, endian: "little" | "big"): Buffer {
  const a = elfArchitectures[arch];
  const le = endian === "little";
  const size = a.is64 ? 64 : 52;
  const b = Buffer.alloc(size);
  b.set([0x7f, 0x45, 0x4c, 0x46, a.is64 ? 2 : 1, le ? 1 : 2, 1, 0], 0); // magic, class, data, version, SYSV ABI
  const u16 = (v: number, at: number) => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  const u64 = (v: number, at: number) => (le ? b.writeBigUInt64LE(BigInt(v), at) : b.writeBigUInt64BE(BigInt(v), at));
  u16(2, 16); // e_type: ET_EXEC
  u16(a.machine, 18);
  u32(1, 20); // e_version
  if (a.is64) {
    u64(a.entry, 24);
    u64(64, 32); // e_phoff: program headers right after this header
    u64(0x1b3e8, 40); // e_shoff
    u32(a.flags, 48);
    u16(64, 52); // e_ehsize
    u16(56, 54); // e_phentsize
    u16(4, 56); // e_phnum
    u16(64, 58); // e_shentsize
    u16(13, 60); // e_shnum
    u16(12, 62); // e_shstrndx
  } else {
    u32(a.entry, 24);
    u32(52, 28); // e_phoff
    u32(0x1b3e8, 32); // e_shoff
    u32(a.flags, 36);
    u16(52, 40); // e_ehsize
    u16(32, 42); // e_phentsize
    u16(4, 44); // e_phnum
    u16(40, 46); // e_shentsize
    u16(13, 48); // e_shnum
    u16(12, 50); // e_shstrndx
  }
  return b;
}
