/** The http emulator's section of the sensor config, and its persona section (persona.http). */
import { z } from "zod";
import type { Persona } from "../../persona.js";

export const httpConfigSchema = z
  .object({
    ports: z.array(z.int().min(0).max(65535)).min(1).default([80, 8080]),
    /** Request bodies above this are answered 413 and the connection closed (the sample is still recorded). */
    max_body_bytes: z.int().min(0).max(16 * 1024 * 1024).default(1024 * 1024),
    /** Slowloris: the whole header block must arrive within this time. */
    headers_timeout_ms: z.int().min(100).max(300_000).default(10_000),
    /** The whole request (headers and body) must arrive within this time. */
    request_timeout_ms: z.int().min(100).max(600_000).default(30_000),
    /** Largest header block accepted (bytes); Node answers 431 above it. */
    max_header_bytes: z.int().min(1024).max(65_536).default(8192),
  })
  .strict();
export type HttpConfig = z.infer<typeof httpConfigSchema>;

export const pageKinds = ["camera", "router", "dvr"] as const;
export type PageKind = (typeof pageKinds)[number];

const extraPageSchema = z
  .object({
    path: z.string().regex(/^\//),
    status: z.int().min(100).max(599).default(200),
    content_type: z.string().max(128).default("text/html"),
    body: z.string().max(65_536),
  })
  .strict();

export const httpPersonaSchema = z
  .object({
    /** The Server header, e.g. "Boa/0.94.14rc21", "lighttpd/1.4.35", "uc-httpd 1.0.0". */
    server: z.string().max(256).optional(),
    /** Which login page the device shows. Absent → from the persona's device_type. */
    page: z.enum(pageKinds).optional(),
    /** Title and heading of the login page. Absent → "<vendor> <model>". */
    title: z.string().max(256).optional(),
    /** Where the login form posts. */
    login_path: z.string().regex(/^\//).default("/login.cgi"),
    /** Ask for HTTP Basic authentication on / instead of showing a form (many cameras do). */
    basic_auth: z.boolean().default(false),
    /** The Basic realm. Absent → the model. */
    realm: z.string().max(256).optional(),
    /** Further static pages (status, firmware info, …). */
    pages: z.array(extraPageSchema).max(64).default([]),
  })
  .strict();

export interface HttpPersona {
  server: string;
  page: PageKind;
  title: string;
  loginPath: string;
  basicAuth: boolean;
  realm: string;
  vendor: string;
  model: string;
  firmware: string;
  hostname: string;
  pages: z.infer<typeof extraPageSchema>[];
}

export function httpPersona(persona: Persona): HttpPersona {
  const s = httpPersonaSchema.parse(persona.http ?? {});
  const page: PageKind = s.page ?? (/router|gateway|modem|ont/i.test(persona.device_type) ? "router" : /dvr|nvr|recorder/i.test(persona.device_type) ? "dvr" : "camera");
  const servers: Record<PageKind, string> = { camera: "App-webs/", router: "GoAhead-Webs", dvr: "uc-httpd 1.0.0" };
  return {
    server: s.server ?? servers[page],
    page,
    title: s.title ?? `${persona.vendor} ${persona.model}`,
    loginPath: s.login_path,
    basicAuth: s.basic_auth,
    realm: s.realm ?? persona.model,
    vendor: persona.vendor,
    model: persona.model,
    firmware: persona.firmware ?? "V1.0.0",
    hostname: persona.hostname,
    pages: s.pages,
  };
}
