/**
 * The honeypot collector's HTTP face (docs/honeypot.md, "Collector"):
 * - the sensor protocol of src/honeypot/wire.ts — enrol (one-time token), events (batch → ack, dedup by
 *   event id), heartbeat — authenticated by each sensor's bearer token;
 * - the read side: stats by dimension, the fleet view, and the events query, for the operator.
 * Mounted by `iotscope serve` and by the standalone `iotscope honeypot collector` (HTTPS).
 *
 * Request bodies are validated with the wire's zod schemas rather than fastify's JSON-schema validation:
 * they are the contract the shipper uses, and an event batch is checked one event at a time (see
 * collector/batch.ts), which a schema on the whole body cannot do.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from "fastify";
import { isUsageError } from "../../core/errors.js";
import { openGeo, type GeoLookup } from "../../core/geo/index.js";
import type { Logger } from "../../core/log/index.js";
import type { Storage } from "../../core/storage/index.js";
import {
  authenticateSensor,
  collectorSettings,
  DEFAULT_EVENTS_LIMIT,
  DEFAULT_STATS_LIMIT,
  dimensions,
  EnrolRefused,
  enrolSensor,
  fleetView,
  hashToken,
  honeypotStats,
  MAX_EVENTS_LIMIT,
  MAX_STATS_LIMIT,
  parseSince,
  queryEvents,
  receiveBatch,
  recordHeartbeat,
  tokenMatches,
  type Dimension,
} from "../../honeypot/index.js";
import { enrolRequestSchema, heartbeatSchema, MAX_BATCH_BYTES, WIRE_PREFIX } from "../../honeypot/index.js";
import { healthRoutes } from "./health.js";

export interface CollectorOptions {
  /** Enrichment at ingest; default: the databases named by IOTSCOPE_GEOIP_* (none: no enrichment). */
  geo?: GeoLookup;
  /** Admin bearer token for the read endpoints; default IOTSCOPE_HONEYPOT_ADMIN_TOKEN. */
  adminToken?: string;
}

const errorBody = { type: "object", properties: { error: { type: "string" } }, required: ["error"] } as const;

function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = h === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

function zodError(prefix: string, error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return `${prefix}: ${issue?.path.map(String).join(".") || "body"}: ${issue?.message ?? "invalid"}`;
}

export const honeypotRoutes: FastifyPluginAsync<{ storage: Storage; collector?: CollectorOptions }> = async (app, { storage, collector }) => {
  const defaults = collectorSettings(undefined);
  const geo = collector?.geo ?? (await openGeo(defaults.geo, { log: app.log as unknown as Logger }));
  const adminToken = collector?.adminToken ?? defaults.adminToken;
  const adminHash = adminToken === undefined ? null : hashToken(adminToken);

  /** Sensor auth: 401 unless the bearer token is this sensor's current one. */
  async function sensorAuth(req: FastifyRequest, reply: FastifyReply, sensor: unknown): Promise<boolean> {
    const token = bearerToken(req);
    if (token === undefined || typeof sensor !== "string" || !(await authenticateSensor(storage.db, sensor, token))) {
      req.log.warn({ sensor: typeof sensor === "string" ? sensor : null, ip: req.ip }, "honeypot: sensor authentication refused");
      await reply.code(401).header("www-authenticate", 'Bearer realm="iotscope-honeypot"').send({ error: "missing or invalid sensor token" });
      return false;
    }
    return true;
  }

  /** Admin auth. `required`: refuse when no admin token is configured (the events query). */
  async function adminAuth(req: FastifyRequest, reply: FastifyReply, required: boolean): Promise<boolean> {
    if (adminHash === null) {
      if (!required) return true;
      await reply.code(403).send({ error: "no collector admin token is configured (IOTSCOPE_HONEYPOT_ADMIN_TOKEN or honeypotCollector.adminToken)" });
      return false;
    }
    const token = bearerToken(req);
    if (token === undefined || !tokenMatches(token, adminHash)) {
      await reply.code(401).header("www-authenticate", 'Bearer realm="iotscope-honeypot-admin"').send({ error: "missing or invalid admin token" });
      return false;
    }
    return true;
  }

  app.post(
    `${WIRE_PREFIX}/enrol`,
    {
      schema: {
        summary: "Enrol a sensor with a one-time enrolment token (from `iotscope honeypot enrol`); returns its bearer token",
        tags: ["honeypot"],
        body: { type: "object", description: "EnrolRequest (src/honeypot/wire.ts)" },
        response: { 200: { type: "object", properties: { sensor: { type: "string" }, token: { type: "string" } }, required: ["sensor", "token"] }, 400: errorBody, 403: errorBody },
      },
    },
    async (req, reply) => {
      const parsed = enrolRequestSchema.safeParse(req.body);
      if (!parsed.success) return reply.code(400).send({ error: zodError("enrol", parsed.error) });
      try {
        const result = await enrolSensor(storage, parsed.data);
        req.log.info({ sensor: result.sensor }, "honeypot: sensor enrolled");
        return result;
      } catch (err) {
        if (!(err instanceof EnrolRefused)) throw err;
        req.log.warn({ sensor: parsed.data.sensor, ip: req.ip }, "honeypot: enrolment refused");
        return reply.code(403).send({ error: err.message });
      }
    },
  );

  app.post(
    `${WIRE_PREFIX}/events`,
    {
      bodyLimit: MAX_BATCH_BYTES,
      schema: {
        summary: "A batch of events from a sensor; acknowledged once stored (duplicates by event id are dropped and counted)",
        tags: ["honeypot"],
        body: { type: "object", description: "EventBatch (src/honeypot/wire.ts)" },
        response: {
          200: {
            type: "object",
            properties: {
              batch_id: { type: "string" },
              accepted: { type: "integer" },
              duplicates: { type: "integer" },
              rejected: {
                type: "array",
                description: "events refused (schema, or another sensor's name); the rest of the batch is stored",
                items: { type: "object", properties: { index: { type: "integer" }, id: { type: ["string", "null"] }, reason: { type: "string" } } },
              },
            },
            required: ["batch_id", "accepted", "duplicates", "rejected"],
          },
          400: errorBody,
          401: errorBody,
          403: errorBody,
        },
      },
    },
    async (req, reply) => {
      const sensor = (req.body as { sensor?: unknown } | null)?.sensor;
      if (!(await sensorAuth(req, reply, sensor))) return reply;
      const outcome = await receiveBatch(storage, sensor as string, req.body, geo);
      if (!outcome.ok) return reply.code(outcome.status).send({ error: outcome.error });
      if (outcome.ack.rejected.length > 0) req.log.warn({ sensor, batch: outcome.ack.batch_id, rejected: outcome.ack.rejected.slice(0, 10) }, "honeypot: events rejected");
      return outcome.ack;
    },
  );

  app.post(
    `${WIRE_PREFIX}/heartbeat`,
    {
      schema: {
        summary: "Sensor health (spool, sessions, events/s) and clock; answers the clock skew",
        tags: ["honeypot"],
        body: { type: "object", description: "Heartbeat (src/honeypot/wire.ts)" },
        response: { 200: { type: "object", properties: { time: { type: "string" }, skew_ms: { type: "number" } }, required: ["time", "skew_ms"] }, 400: errorBody, 401: errorBody },
      },
    },
    async (req, reply) => {
      const sensor = (req.body as { sensor?: unknown } | null)?.sensor;
      if (!(await sensorAuth(req, reply, sensor))) return reply;
      const parsed = heartbeatSchema.safeParse(req.body);
      if (!parsed.success) return reply.code(400).send({ error: zodError("heartbeat", parsed.error) });
      return recordHeartbeat(storage.db, parsed.data);
    },
  );

  app.get<{ Querystring: { by: Dimension; since: string; protocol?: string; limit: number } }>(
    "/api/honeypot/stats",
    {
      schema: {
        summary: "Event counts by dimension from the daily aggregates (admin token required when one is configured)",
        tags: ["honeypot"],
        querystring: {
          type: "object",
          additionalProperties: false,
          required: ["by"],
          properties: {
            by: { type: "string", enum: [...dimensions] },
            since: { type: "string", default: "1d", description: "duration (30m, 12h, 1d, 7d, 2w) or ISO date; resolution is the UTC day" },
            protocol: { type: "string" },
            limit: { type: "integer", minimum: 1, maximum: MAX_STATS_LIMIT, default: DEFAULT_STATS_LIMIT },
          },
        },
        response: { 400: errorBody, 401: errorBody },
      },
    },
    async (req, reply) => {
      if (!(await adminAuth(req, reply, false))) return reply;
      const since = sinceOr400(req.query.since);
      if (since === undefined) return reply.code(400).send({ error: `since ${JSON.stringify(req.query.since)}: give a duration (1d) or an ISO date` });
      return honeypotStats(storage.db, { by: req.query.by, since, protocol: req.query.protocol, limit: req.query.limit });
    },
  );

  app.get(
    "/api/honeypot/sensors",
    {
      schema: {
        summary: "The fleet: sensors per country / ASN / network and their health (admin token required when one is configured)",
        tags: ["honeypot"],
        response: { 401: errorBody },
      },
    },
    async (req, reply) => {
      if (!(await adminAuth(req, reply, false))) return reply;
      return fleetView(storage.db);
    },
  );

  app.get<{ Querystring: { sensor?: string; src_ip?: string; eventid?: string; since?: string; limit: number } }>(
    "/api/honeypot/events",
    {
      schema: {
        summary: "Stored events, newest first (admin token always required)",
        tags: ["honeypot"],
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            sensor: { type: "string" },
            src_ip: { type: "string" },
            eventid: { type: "string" },
            since: { type: "string", description: "duration (30m, 12h, 1d) or ISO date/time" },
            limit: { type: "integer", minimum: 1, maximum: MAX_EVENTS_LIMIT, default: DEFAULT_EVENTS_LIMIT },
          },
        },
        response: { 400: errorBody, 401: errorBody, 403: errorBody },
      },
    },
    async (req, reply) => {
      if (!(await adminAuth(req, reply, true))) return reply;
      const q = req.query;
      const since = q.since === undefined ? undefined : sinceOr400(q.since);
      if (q.since !== undefined && since === undefined) return reply.code(400).send({ error: `since ${JSON.stringify(q.since)}: give a duration (1d) or an ISO date` });
      return { events: await queryEvents(storage.db, { sensor: q.sensor, src_ip: q.src_ip, eventid: q.eventid, since, limit: q.limit }) };
    },
  );
};

function sinceOr400(text: string): string | undefined {
  try {
    return parseSince(text);
  } catch (err) {
    if (isUsageError(err)) return undefined;
    throw err;
  }
}

export interface CollectorServerOptions extends CollectorOptions {
  storage: Storage;
  logger?: Logger;
  /** PEM certificate and key: HTTPS. Absent: plain HTTP (the CLI allows that only on loopback). */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/** The standalone collector: the sensor protocol, the read endpoints and /healthz, over HTTPS. */
export async function buildCollectorServer(opts: CollectorServerOptions): Promise<FastifyInstance> {
  const app = (opts.tls
    ? Fastify({ https: { cert: opts.tls.cert, key: opts.tls.key }, loggerInstance: opts.logger as FastifyBaseLogger | undefined })
    : Fastify({ loggerInstance: opts.logger as FastifyBaseLogger | undefined })) as unknown as FastifyInstance;
  await app.register(healthRoutes, { storage: opts.storage });
  await app.register(honeypotRoutes, { storage: opts.storage, collector: { geo: opts.geo, adminToken: opts.adminToken } });
  return app;
}
