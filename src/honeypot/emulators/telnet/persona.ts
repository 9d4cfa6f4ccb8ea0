/**
 * The `telnet` section of a persona (personas/<name>.json): what the device shows before and after
 * login, which credentials open it, and the text of the files bots read. Validated here, with
 * defaults that look like a generic BusyBox device, so a persona states only what differs.
 */
import { z } from "zod";
import { UsageError } from "../../../core/errors.js";
import type { Persona } from "../../persona.js";

export const telnetExampleSchema = z
  .object({
    /** A command line typed after login. */
    input: z.string(),
    /** Substrings the shell's output must contain (and must not). */
    contains: z.array(z.string()).default([]),
    not_contains: z.array(z.string()).default([]),
  })
  .strict();

export const telnetPersonaSchema = z
  .object({
    /** Text before the first login prompt (often empty, or a device name line). */
    banner: z.string().default(""),
    login_prompt: z.string().default("login: "),
    password_prompt: z.string().default("Password: "),
    login_failed: z.string().default("Login incorrect"),
    /** After a successful login, before the first prompt. */
    motd: z.string().default("\n\nBusyBox v1.19.4 (2014-02-20 19:38:57 CST) built-in shell (ash)\nEnter 'help' for a list of built-in commands.\n\n"),
    /** Shell prompt; {hostname} and {cwd} are replaced. */
    prompt: z.string().default("# "),
    /** [username, password] pairs that log in. */
    credentials: z.array(z.tuple([z.string(), z.string()])).default([]),
    /** Accept any credentials from this attempt on (1 = the first), for sensors that want shell traffic. */
    accept_any_after: z.int().min(1).optional(),
    /** Failed attempts before the connection is closed (BusyBox login: 3). */
    max_attempts: z.int().min(1).max(20).default(3),
    busybox_version: z.string().default("BusyBox v1.19.4 (2014-02-20 19:38:57 CST) multi-call binary."),
    uname: z.string().optional(),
    cpuinfo: z.string(),
    mounts: z.string().optional(),
    proc_version: z.string().optional(),
    passwd: z.string().optional(),
    /** Extra lines of `ps` (the device's own daemons). */
    processes: z.array(z.string()).default([]),
    /** Extra files `cat` can show: absolute path → content. */
    files: z.record(z.string(), z.string()).default({}),
    examples: z.array(telnetExampleSchema).default([]),
  })
  .strict();

export type TelnetPersona = z.infer<typeof telnetPersonaSchema>;

/** The persona's telnet section, validated; throws with the persona name, path and reason. */
export function telnetPersona(persona: Persona): TelnetPersona {
  const parsed = telnetPersonaSchema.safeParse(persona.telnet ?? {});
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UsageError(`persona ${persona.name}: telnet.${i.path.join(".")}: ${i.message}`);
  }
  return parsed.data;
}
