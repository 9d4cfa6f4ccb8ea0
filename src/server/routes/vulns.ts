/**
 * The vulnerability database over HTTP: `GET /api/vulns` (search filters, keyset paging with `cursor`,
 * `since=` for incremental consumers) and `GET /api/vulns/:id` (any alias; a merged-away id answers
 * with the surviving entry, whose `id` says where it lives now). Thin: the vulndb pillar does the work.
 */
import type { FastifyPluginAsync } from "fastify";
import { isUsageError } from "../../core/errors.js";
import type { Storage } from "../../core/storage/index.js";
import { getEntry, MAX_LIMIT, searchEntries, vulnEntryJsonSchema, type SearchFilters } from "../../vulndb/index.js";

interface ListQuery {
  vendor?: string;
  product?: string;
  cpe?: string;
  device_type?: string;
  kev?: boolean;
  has_exploit?: boolean;
  iot?: boolean;
  kind?: "vulnerability" | "exploit" | "article";
  since?: string;
  published_since?: string;
  min_cvss?: number;
  limit?: number;
  cursor?: string;
}

const errorSchema = { type: "object", properties: { error: { type: "string" } }, required: ["error"] } as const;

/** The published entry schema, as a response schema (without the top-level `$schema`, which OpenAPI refuses). */
function entrySchema(): Record<string, unknown> {
  const { $schema: _s, ...schema } = vulnEntryJsonSchema();
  return schema;
}

export const vulnsRoutes: FastifyPluginAsync<{ storage: Storage }> = async (app, { storage }) => {
  const entry = entrySchema();

  app.get<{ Querystring: ListQuery }>(
    "/api/vulns",
    {
      schema: {
        summary: "Search vulnerabilities, exploits and articles (all filters combine with AND)",
        tags: ["vulns"],
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            vendor: { type: "string", description: "vendor, any case" },
            product: { type: "string", description: "product; also matches longer names starting with it as whole words" },
            cpe: { type: "string", description: "CPE 2.3 or 2.2; part/vendor/product matched" },
            device_type: { type: "string" },
            kev: { type: "boolean" },
            has_exploit: { type: "boolean" },
            iot: { type: "boolean" },
            kind: { type: "string", enum: ["vulnerability", "exploit", "article"] },
            since: { type: "string", description: "changed in iotscope at or after (ISO 8601): incremental consumers" },
            published_since: { type: "string" },
            min_cvss: { type: "number", minimum: 0, maximum: 10 },
            limit: { type: "integer", minimum: 1, maximum: MAX_LIMIT, default: 50 },
            cursor: { type: "string", description: "`next` of the previous page" },
          },
        },
        response: {
          200: {
            type: "object",
            properties: { entries: { type: "array", items: entry }, next: { type: ["string", "null"] } },
            required: ["entries", "next"],
          },
          400: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const f: SearchFilters = {
        ...(q.vendor !== undefined && { vendor: q.vendor }),
        ...(q.product !== undefined && { product: q.product }),
        ...(q.cpe !== undefined && { cpe: q.cpe }),
        ...(q.device_type !== undefined && { deviceType: q.device_type }),
        ...(q.kev !== undefined && { kev: q.kev }),
        ...(q.has_exploit !== undefined && { hasExploit: q.has_exploit }),
        ...(q.iot !== undefined && { iot: q.iot }),
        ...(q.kind !== undefined && { kind: q.kind }),
        ...(q.since !== undefined && { since: q.since }),
        ...(q.published_since !== undefined && { publishedSince: q.published_since }),
        ...(q.min_cvss !== undefined && { minCvss: q.min_cvss }),
        ...(q.limit !== undefined && { limit: q.limit }),
        ...(q.cursor !== undefined && { cursor: q.cursor }),
      };
      try {
        return await searchEntries(storage.db, f);
      } catch (err) {
        // Bad dates, cursors and CPEs are the caller's mistake; the message says which parameter.
        if (isUsageError(err)) return reply.code(400).send({ error: err.message.replace(/--([a-z-]+)/g, (_m, p: string) => p.replace(/-/g, "_")) });
        throw err;
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/vulns/:id",
    {
      schema: {
        summary: "One entry by any alias (CVE, GHSA, EUVD, JVNDB, EDB, IOTS-…; merged ids resolve to the survivor)",
        tags: ["vulns"],
        params: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
        response: { 200: entry, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const e = await getEntry(storage.db, req.params.id);
      if (!e) return reply.code(404).send({ error: `no entry for ${req.params.id}` });
      return e;
    },
  );
};
