/** The ssdp emulator's section of the sensor config (its persona section is in persona.ts). */
import { z } from "zod";

export const ssdpConfigSchema = z
  .object({
    ports: z.array(z.int().min(0).max(65535)).min(1).default([1900]),
    /**
     * The LOCATION sent in answers. Absent → http://<advertise_host>:<http_port><description_path>
     * (description_path from the persona).
     */
    location: z.url().optional(),
    /** Host in LOCATION; absent → the bind address, or the first non-internal IPv4 address when binding all. */
    advertise_host: z.string().max(256).optional(),
    /** Port of the http emulator that serves the description. */
    http_port: z.int().min(1).max(65535).default(80),
    /**
     * All answers to one M-SEARCH together are at most this many times its size (anti-amplification).
     * 4 rather than CoAP's 3: one SSDP answer (~300 bytes) is ~3.2× a minimal M-SEARCH (94 bytes), so
     * a minimal ssdp:all gets its first answer only, where a real device sends one per target.
     */
    amplification_factor: z.number().min(1).max(10).default(4),
    /** CACHE-CONTROL max-age of the answers, seconds. */
    max_age: z.int().min(60).max(86_400).default(1800),
  })
  .strict();
export type SsdpConfig = z.infer<typeof ssdpConfigSchema>;
