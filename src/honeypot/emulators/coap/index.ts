/**
 * CoAP emulator (5683/UDP): answers GET /.well-known/core with the persona's CoRE link-format
 * resources, GETs on those resources with their payloads, 4.05 for other methods on them, 4.04
 * otherwise; a CoAP ping (empty CON) gets the RST a server sends. Every datagram is recorded
 * (coap.request / coap.malformed). Replies never exceed amplification_factor × the request's size
 * (large payloads go out in Block2 blocks, which libcoap and other clients follow) and pass the
 * sensor's per-source reply budget — see udp-guard.ts.
 */
import type dgram from "node:dgram";
import { cap, limits } from "../../events.js";
import type { Emulator, EmulatorContext, RunningEmulator } from "../types.js";
import { coapConfigSchema, coapResources, linkFormat, type CoapConfig } from "./config.js";
import { encodeReply, parseRequest, type Reply } from "./message.js";
import { listenUdp, UdpGuard } from "./udp-guard.js";

export { coapConfigSchema, coapPersonaSchema, type CoapConfig } from "./config.js";

const MALFORMED_SAMPLE = 256;

async function start(ctx: EmulatorContext, config: CoapConfig): Promise<RunningEmulator> {
  const resources = coapResources(ctx.persona);
  const wellKnown = Buffer.from(linkFormat(resources));
  const byPath = new Map(resources.map((r) => [r.path, r]));
  const guard = new UdpGuard(ctx, "coap", config.amplification_factor);
  let nextMessageId = Math.floor(Math.random() * 65536);

  const answer = (method: string, path: string): Reply => {
    if (path === "/.well-known/core") return method === "GET" ? { code: "2.05", payload: wellKnown, contentFormat: 40 } : { code: "4.05" };
    const r = byPath.get(path);
    if (!r) return { code: "4.04" };
    if (method !== "GET") return { code: "4.05" };
    return { code: "2.05", payload: Buffer.from(r.payload), contentFormat: r.content_format };
  };

  const onMessage = (socket: dgram.Socket, localPort: number, msg: Buffer, rinfo: dgram.RemoteInfo) => {
    const emit = guard.from(rinfo, localPort);
    const req = parseRequest(msg);
    if ("malformed" in req) {
      emit({ eventid: "coap.malformed", reason: req.malformed, payload_b64: msg.subarray(0, MALFORMED_SAMPLE).toString("base64"), payload_size: msg.length });
      return;
    }
    const block = req.block2 ? ` block2=${req.block2.num}/${req.block2.szx}` : "";
    const message = `type=${req.type} mid=${req.packet.messageId} token=${req.packet.token.toString("hex")}${block}`;
    const fields = {
      eventid: "coap.request" as const,
      method: req.method,
      path: cap(req.path, limits.url),
      query: req.query ? cap(req.query, limits.url) : undefined,
      message,
      payload_b64: req.packet.payload.length ? req.packet.payload.subarray(0, limits.payloadBytes).toString("base64") : undefined,
      payload_size: req.packet.payload.length || undefined,
    };
    let reply: Buffer | undefined;
    let status: number | undefined;
    if (req.method === "EMPTY") {
      // CoAP ping: a CON empty message is answered with RST (RFC 7252 §4.3); empty ACK/RST/NON: nothing.
      if (req.type === "CON") reply = Buffer.from([0x70, 0x00, msg[2]!, msg[3]!]);
    } else if (req.type === "CON" || req.type === "NON") {
      if (/^\d\.\d\d$/.test(req.method) === false) {
        const r = answer(req.method, req.path);
        status = Number(r.code.replace(".", ""));
        nextMessageId = (nextMessageId + 1) % 65536;
        reply = encodeReply(req, r, nextMessageId, guard.budget(msg.length))?.bytes;
      }
    }
    const sent = reply ? guard.reply(socket, rinfo, reply, guard.budget(msg.length), localPort) : false;
    emit({ ...fields, status, response_size: sent && reply ? reply.length : 0 });
  };

  const onError = (err: unknown) => ctx.log.error({ err }, "coap emulator: unexpected error, datagram dropped");
  return listenUdp(config.ports, ctx.host, onMessage, onError);
}

export const emulator: Emulator<CoapConfig> = {
  meta: {
    name: "coap",
    protocol: "coap",
    transport: "udp",
    defaultPorts: [5683],
    description: "CoAP device: /.well-known/core with the persona's resources; replies bounded against amplification",
  },
  configSchema: coapConfigSchema,
  start,
};
