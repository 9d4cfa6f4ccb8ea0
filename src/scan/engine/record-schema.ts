/**
 * The result record as a zod schema: what readers of scan output (the tag pillar, exports, tests) can
 * validate against. docs/schemas/scan-result.schema.json is generated from it (`scanRecordJsonSchema`),
 * and a test keeps the two identical.
 */
import { z } from "zod";
import { scanStatuses } from "../modules/types.js";

const status = z.enum(scanStatuses).meta({ description: "ZGrab2's status of the probe (plus blocklisted-target, which is never stored)" });
const timestamp = z.iso.datetime().meta({ description: "when the probe of this target started, ISO-8601 UTC" });

export const moduleResponseSchema = z
  .object({
    status,
    protocol: z.string().meta({ description: "protocol identifier (the module name)" }),
    timestamp,
    result: z.unknown().optional().meta({ description: "what the peer said, parsed by the module; kept even when status is an error" }),
    error: z.string().optional().meta({ description: "why the status is not success, one line" }),
  })
  .meta({ description: "ZGrab2's per-module response" });

export const scanRecordSchema = z
  .object({
    ip: z.union([z.ipv4(), z.ipv6()]).meta({ description: "target address, canonical text" }),
    port: z.int().min(1).max(65535),
    domain: z.string().optional().meta({ description: "host name given with the target (SNI, Host header)" }),
    module: z.string().meta({ description: "the scan module; data has exactly this key" }),
    status: status.meta({ description: "copy of data.<module>.status" }),
    timestamp: timestamp.meta({ description: "copy of data.<module>.timestamp" }),
    data: z.record(z.string(), moduleResponseSchema).meta({ description: "ZGrab2 layout: one entry, keyed by the module name" }),
  })
  .meta({
    title: "iotscope scan result",
    description: "One probed target: ZGrab2's {ip, domain, data: {<module>: {status, protocol, timestamp, result, error}}} plus flat port/module/status/timestamp",
  });

/** The JSON Schema (draft 2020-12) published as docs/schemas/scan-result.schema.json. */
export function scanRecordJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(scanRecordSchema, { target: "draft-2020-12" }) as Record<string, unknown>;
}
