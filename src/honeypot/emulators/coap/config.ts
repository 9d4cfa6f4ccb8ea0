/** The coap emulator's section of the sensor config, and its persona section (persona.coap). */
import { z } from "zod";
import type { Persona } from "../../persona.js";

export const coapConfigSchema = z
  .object({
    ports: z.array(z.int().min(0).max(65535)).min(1).default([5683]),
    /** A reply is at most this many times the size of the request that caused it (anti-amplification). */
    amplification_factor: z.number().min(1).max(10).default(3),
  })
  .strict();
export type CoapConfig = z.infer<typeof coapConfigSchema>;

const resourceSchema = z
  .object({
    /** Absolute path, e.g. /sensors/temp. */
    path: z.string().regex(/^\/[^?#]*$/),
    /** CoRE link-format attributes after the link, e.g. `rt="temperature-c";if="sensor";ct=0;obs`. */
    attributes: z.string().max(512).default(""),
    /** What a GET returns. */
    payload: z.string().max(4096),
    /** RFC 7252 Content-Format number: 0 text/plain, 40 link-format, 41 xml, 50 json, 60 cbor. */
    content_format: z.int().min(0).max(65535).default(0),
  })
  .strict();
export type CoapResource = z.infer<typeof resourceSchema>;

export const coapPersonaSchema = z
  .object({
    /** Resources listed in /.well-known/core and served on GET; absent → derived from the persona. */
    resources: z.array(resourceSchema).max(64).optional(),
  })
  .strict();

export function coapResources(persona: Persona): CoapResource[] {
  const section = coapPersonaSchema.parse(persona.coap ?? {});
  if (section.resources) return section.resources;
  const info = JSON.stringify({ manufacturer: persona.vendor, model: persona.model, firmware: persona.firmware ?? "1.0.0", name: persona.hostname });
  return [
    { path: "/device/info", attributes: 'rt="oic.wk.d";if="oic.if.r";ct=50', payload: info, content_format: 50 },
    { path: "/sensors/temp", attributes: 'rt="temperature-c";if="sensor";ct=0;obs', payload: "21.7", content_format: 0 },
    { path: "/sensors/humidity", attributes: 'rt="humidity-p";if="sensor";ct=0', payload: "43", content_format: 0 },
    { path: "/light", attributes: 'rt="light";if="actuator";ct=0', payload: "off", content_format: 0 },
  ].map((r) => resourceSchema.parse(r));
}

/** The /.well-known/core payload (RFC 6690 link-format). */
export function linkFormat(resources: CoapResource[]): string {
  return resources.map((r) => `<${r.path}>${r.attributes ? `;${r.attributes}` : ""}`).join(",");
}
