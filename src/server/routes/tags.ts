import type { FastifyPluginAsync } from "fastify";
import type { Storage } from "../../core/storage/index.js";
import { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, searchTags, type TagState } from "../../tag/index.js";

const nullableString = { type: ["string", "null"] } as const;

/** One stored tag, as `iotscope tags search --json` prints it. */
const storedTag = {
  type: "object",
  properties: {
    id: { type: "integer" },
    campaign: { type: "string", description: "campaign id, or file:<label> for tags stored from a file" },
    campaignId: nullableString,
    ip: { type: "string" },
    port: { type: "integer" },
    module: { type: "string" },
    rule: { type: "string" },
    ruleFile: { type: "string" },
    ruleHash: { type: "string", description: "first 16 hex digits of the SHA-256 of the rule's text" },
    state: { type: "string", enum: ["active", "testing"] },
    vendor: nullableString,
    product: nullableString,
    deviceType: nullableString,
    version: nullableString,
    cpe: nullableString,
    tag: { type: "object", additionalProperties: true, description: "the tag as `iotscope tag` writes it: values, overridden values, provenance" },
    matched: { type: "array", items: { type: "string" } },
    taggedAt: { type: "string", format: "date-time" },
  },
  required: ["id", "campaign", "campaignId", "ip", "port", "module", "rule", "ruleFile", "ruleHash", "state", "tag", "matched", "taggedAt"],
} as const;

interface TagQuery {
  vendor?: string;
  product?: string;
  device_type?: string;
  rule?: string;
  campaign?: string;
  ip?: string;
  state: TagState | "all";
  limit: number;
  after?: number;
}

/** `GET /api/tags`: stored tags by vendor, device type, rule, campaign and state, a page at a time (the tag pillar's searchTags). */
export const tagRoutes: FastifyPluginAsync<{ storage: Storage }> = async (app, { storage }) => {
  app.get<{ Querystring: TagQuery }>(
    "/api/tags",
    {
      schema: {
        summary: "Stored tags: which rule named which device, filtered, oldest first, a page at a time",
        tags: ["tag"],
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            vendor: { type: "string", description: "exact vendor" },
            product: { type: "string", description: "exact product" },
            device_type: { type: "string", description: "exact device type" },
            rule: { type: "string", description: "rule name" },
            campaign: { type: "string", description: "campaign id, or file:<label>" },
            ip: { type: "string" },
            state: { type: "string", enum: ["active", "testing", "all"], default: "active" },
            limit: { type: "integer", minimum: 1, maximum: MAX_SEARCH_LIMIT, default: DEFAULT_SEARCH_LIMIT },
            after: { type: "integer", minimum: 0, description: "the `next` of the previous page" },
          },
        },
        response: {
          200: {
            type: "object",
            properties: { tags: { type: "array", items: storedTag }, next: { type: ["integer", "null"] } },
            required: ["tags", "next"],
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      return searchTags(storage.db, {
        vendor: q.vendor,
        product: q.product,
        deviceType: q.device_type,
        rule: q.rule,
        campaign: q.campaign,
        ip: q.ip,
        state: q.state,
        limit: q.limit,
        after: q.after,
      });
    },
  );
};
