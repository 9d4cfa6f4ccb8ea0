/**
 * SSDP emulator (1900/UDP): answers M-SEARCH (ssdp:all, upnp:rootdevice, uuid:…, device and service
 * types) with the persona's UPnP device, LOCATION pointing at the http emulator's description. Every
 * datagram is recorded (ssdp.msearch / ssdp.malformed). SSDP is a classic amplifier (one ssdp:all, many
 * answers): all answers to one M-SEARCH together stay within amplification_factor × its size (answers
 * that don't fit are not sent), and each passes the sensor's per-source reply budget (udp-guard.ts).
 * Answers go out at once rather than after a random delay up to MX: no timer per request to hold.
 */
import type dgram from "node:dgram";
import os from "node:os";
import { cap } from "../../events.js";
import { listenUdp, UdpGuard } from "../coap/udp-guard.js";
import type { Emulator, EmulatorContext, RunningEmulator } from "../types.js";
import { ssdpConfigSchema, type SsdpConfig } from "./config.js";
import { answer, matchingTargets, parseSsdp } from "./message.js";
import { upnpDevice } from "./persona.js";

export { ssdpConfigSchema, type SsdpConfig } from "./config.js";
export { ssdpPersonaSchema } from "./persona.js";

const MALFORMED_SAMPLE = 256;

async function start(ctx: EmulatorContext, config: SsdpConfig): Promise<RunningEmulator> {
  const device = upnpDevice(ctx.persona);
  const host = config.advertise_host ?? (ctx.host === "0.0.0.0" || ctx.host === "::" ? firstAddress() : ctx.host);
  const location = config.location ?? `http://${host.includes(":") ? `[${host}]` : host}:${config.http_port}${device.descriptionPath}`;
  const guard = new UdpGuard(ctx, "ssdp", config.amplification_factor);

  const onMessage = (socket: dgram.Socket, localPort: number, msg: Buffer, rinfo: dgram.RemoteInfo) => {
    const emit = guard.from(rinfo, localPort);
    const req = parseSsdp(msg);
    const sample = () => ({ payload_b64: msg.subarray(0, MALFORMED_SAMPLE).toString("base64"), payload_size: msg.length });
    if ("malformed" in req) return emit({ eventid: "ssdp.malformed", reason: req.malformed, ...sample() });
    if (req.method !== "M-SEARCH") return emit({ eventid: "ssdp.malformed", reason: cap(`not an M-SEARCH: ${req.method} ${req.target}`, 1024), ...sample() });
    const st = req.headers.get("st");
    const man = req.headers.get("man");
    // UDA: a device answers only `M-SEARCH *` with MAN "ssdp:discover" and an ST.
    const targets = req.target === "*" && man === '"ssdp:discover"' && st ? matchingTargets(st, device) : [];
    const budget = guard.budget(msg.length);
    let sent = 0;
    const now = new Date();
    for (const t of targets) {
      const bytes = answer(t, device, location, config.max_age, now);
      if (sent + bytes.length > budget) break;
      if (!guard.reply(socket, rinfo, bytes, budget - sent, localPort)) break;
      sent += bytes.length;
    }
    const userAgent = req.headers.get("user-agent");
    emit({
      eventid: "ssdp.msearch",
      st: st !== undefined ? cap(st, 1024) : undefined,
      man: man !== undefined ? cap(man, 256) : undefined,
      mx: req.headers.get("mx") !== undefined ? cap(req.headers.get("mx")!, 16) : undefined,
      user_agent: userAgent !== undefined ? cap(userAgent, 1024) : undefined,
      status: sent > 0 ? 200 : undefined,
      response_size: sent,
    });
  };
  const onError = (err: unknown) => ctx.log.error({ err }, "ssdp emulator: unexpected error, datagram dropped");

  return listenUdp(config.ports, ctx.host, onMessage, onError);
}

function firstAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

export const emulator: Emulator<SsdpConfig> = {
  meta: {
    name: "ssdp",
    protocol: "ssdp",
    transport: "udp",
    defaultPorts: [1900],
    description: "UPnP/SSDP device: answers M-SEARCH with the persona's device (description served by the http emulator); bounded against amplification",
  },
  configSchema: ssdpConfigSchema,
  start,
};
