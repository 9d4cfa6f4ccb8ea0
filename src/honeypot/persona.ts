/**
 * A device persona: what one sensor pretends to be (vendor, model, CPU architecture, hostname, and per
 * emulator the banners, pages, resources and topics it shows), so that sensors don't share one
 * fingerprint. Personas are data in personas/<name>.json at the repo root, each with the examples its
 * test checks; the sensor config names one per sensor (or per emulator). Each emulator reads and
 * validates its own section (`persona.telnet`, `persona.http`, …) with its own schema.
 */
import { z } from "zod";

export const architectures = ["arm", "armhf", "aarch64", "mips", "mipsel", "x86", "x86_64", "powerpc", "sh4", "sparc", "m68k", "arc"] as const;

export const personaSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
    vendor: z.string(),
    model: z.string(),
    device_type: z.string(),
    arch: z.enum(architectures),
    /** Endianness follows from arch for most; explicit for ELF headers. */
    endian: z.enum(["little", "big"]),
    hostname: z.string(),
    firmware: z.string().optional(),
    telnet: z.record(z.string(), z.unknown()).optional(),
    mqtt: z.record(z.string(), z.unknown()).optional(),
    coap: z.record(z.string(), z.unknown()).optional(),
    http: z.record(z.string(), z.unknown()).optional(),
    ssdp: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type Persona = z.infer<typeof personaSchema>;
