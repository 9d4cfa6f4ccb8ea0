/**
 * The sensor ↔ collector protocol (HTTPS + JSON), shared by the shipper (sensor side) and the collector
 * routes. Versioned in the path. Every call but enrol carries `Authorization: Bearer <sensor token>`.
 *
 *   POST /api/honeypot/v1/enrol      EnrolRequest  → EnrolResponse   (one-time enrolment token in the body)
 *   POST /api/honeypot/v1/events     EventBatch    → BatchAck        (at-least-once; the collector dedups by event id)
 *   POST /api/honeypot/v1/heartbeat  Heartbeat     → HeartbeatAck    (health, clock skew)
 *
 * A batch is acknowledged only after it is committed; the sensor deletes it from its spool only after
 * the ack. Resending an acknowledged batch (a crash between ack and delete) is harmless: `duplicates`.
 */
import { z } from "zod";
import { honeypotEventSchema } from "./events.js";

export const WIRE_PREFIX = "/api/honeypot/v1";
/** Largest batch a collector accepts (events), and the shipper's default. */
export const MAX_BATCH_EVENTS = 5000;
/** Largest request body the collector accepts for one batch (bytes); the shipper sizes batches below it. */
export const MAX_BATCH_BYTES = 64 * 1024 * 1024;

export const enrolRequestSchema = z
  .object({
    enrol_token: z.string().min(16).max(256),
    sensor: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/),
    country: z.string().length(2).optional(),
    asn: z.int().min(0).optional(),
    net24: z.string().max(64).optional(),
    location: z.string().max(256).optional(),
    personas: z.array(z.string().max(128)).max(64).default([]),
  })
  .strict();
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

export const enrolResponseSchema = z.object({ sensor: z.string(), token: z.string() });
export type EnrolResponse = z.infer<typeof enrolResponseSchema>;

export const eventBatchSchema = z
  .object({
    sensor: z.string(),
    /** The spool segment/batch id, for logs; dedup is per event id. */
    batch_id: z.string().max(128),
    events: z.array(honeypotEventSchema).max(MAX_BATCH_EVENTS),
  })
  .strict();
export type EventBatch = z.infer<typeof eventBatchSchema>;

export const batchAckSchema = z.object({ batch_id: z.string(), accepted: z.int(), duplicates: z.int() });
export type BatchAck = z.infer<typeof batchAckSchema>;

export const heartbeatSchema = z
  .object({
    sensor: z.string(),
    /** The sensor's clock (ISO), for skew. */
    time: z.iso.datetime({ offset: false }),
    spooled_events: z.int().min(0),
    sessions_open: z.int().min(0),
    events_per_s: z.number().min(0),
    emulators: z.array(z.string()).max(32),
  })
  .strict();
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export const heartbeatAckSchema = z.object({ time: z.string(), skew_ms: z.number() });
export type HeartbeatAck = z.infer<typeof heartbeatAckSchema>;
