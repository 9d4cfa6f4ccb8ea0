/**
 * The Telnet emulator (23, 2323): BusyBox telnetd's negotiation, the persona's login dialogue,
 * credential capture and a BusyBox-like shell that runs nothing (see session.ts and shell.ts).
 * Config (sensor file, `emulators.telnet`): ports, and overrides of the persona's telnet section
 * (banner, prompts, credentials, …) so that two sensors with one persona still differ.
 */
import net from "node:net";
import { z } from "zod";
import type { Emulator, RunningEmulator } from "../types.js";
import { telnetPersona, telnetPersonaSchema } from "./persona.js";
import { stripV4Mapped, TelnetSession } from "./session.js";

export const telnetConfigSchema = z
  .object({
    ports: z.array(z.int().min(0).max(65535)).min(1).default([23, 2323]),
    hostname: z.string().min(1).max(64).optional(),
    /** Any key of the persona's telnet section, replacing the persona's value. */
    overrides: telnetPersonaSchema.partial().strict().default({}),
  })
  .strict();
export type TelnetConfig = z.infer<typeof telnetConfigSchema>;

export const emulator: Emulator<TelnetConfig> = {
  meta: {
    name: "telnet",
    protocol: "telnet",
    transport: "tcp",
    defaultPorts: [23, 2323],
    description: "Telnet with option negotiation, device login prompts, credential capture and a BusyBox-like shell (nothing executed)",
  },
  configSchema: telnetConfigSchema as z.ZodType<TelnetConfig>,
  async start(ctx, config): Promise<RunningEmulator> {
    const persona = { ...ctx.persona, hostname: config.hostname ?? ctx.persona.hostname };
    const tp = { ...telnetPersona(persona), ...stripUndefined(config.overrides) };
    const sessions = new Set<TelnetSession>();
    const servers: net.Server[] = [];
    const ports: number[] = [];
    const onConnection = (socket: net.Socket) => {
      socket.on("error", () => socket.destroy()); // before acquire: a reset must not crash the sensor
      const ip = stripV4Mapped(socket.remoteAddress ?? "");
      if (!ip) return socket.destroy();
      const release = ctx.limits.acquire(ip, "telnet", { srcPort: socket.remotePort ?? 0, dstPort: socket.localPort ?? 0, transport: "tcp" });
      if (!release) return socket.destroy();
      const s = new TelnetSession(socket, { ctx, persona, tp, release, onClose: (x) => sessions.delete(x) });
      sessions.add(s);
    };
    try {
      for (const port of config.ports) {
        const server = net.createServer({ noDelay: true }, onConnection);
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen({ port, host: ctx.host, backlog: 4096 }, () => {
            server.off("error", reject);
            resolve();
          });
        });
        server.on("error", (err) => ctx.log.error({ err }, "telnet: listener error"));
        servers.push(server);
        ports.push((server.address() as net.AddressInfo).port);
      }
    } catch (err) {
      for (const s of servers) s.close();
      throw err;
    }
    ctx.log.info({ ports, persona: persona.name }, "telnet emulator listening");
    return {
      ports,
      async close() {
        const closing = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
        for (const s of [...sessions]) s.close("sensor shutdown");
        await Promise.all(closing);
      },
    };
  },
};

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
