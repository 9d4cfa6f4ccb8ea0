/**
 * One POST /events from a sensor: the envelope is checked strictly, each event on its own, so one bad
 * event (an emulator bug) is reported back and logged instead of blocking the sensor's spool forever;
 * the valid events are stored (one transaction) and acknowledged.
 */
import { z } from "zod";
import type { GeoLookup } from "../../core/geo/index.js";
import type { Storage } from "../../core/storage/index.js";
import { honeypotEventSchema, type HoneypotEvent } from "../events.js";
import { MAX_BATCH_EVENTS, type BatchAck } from "../wire.js";
import { ingestEvents } from "./ingest.js";

/** The wire envelope (wire.ts eventBatchSchema) with events left unparsed: they are validated one by one below. */
const looseEnvelope = z.object({ sensor: z.string(), batch_id: z.string().max(128), events: z.array(z.unknown()).max(MAX_BATCH_EVENTS) }).strict();

export interface RejectedEvent {
  index: number;
  id: string | null;
  reason: string;
}

export type BatchOutcome =
  | { ok: true; ack: BatchAck & { rejected: RejectedEvent[] } }
  | { ok: false; status: 400 | 403; error: string };

export async function receiveBatch(storage: Storage, sensor: string, body: unknown, geo: GeoLookup): Promise<BatchOutcome> {
  const env = looseEnvelope.safeParse(body);
  if (!env.success) {
    const issue = env.error.issues[0];
    return { ok: false, status: 400, error: `batch: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}` };
  }
  if (env.data.sensor !== sensor) return { ok: false, status: 403, error: `batch names sensor ${JSON.stringify(env.data.sensor)}, token is for ${JSON.stringify(sensor)}` };
  const good: HoneypotEvent[] = [];
  const rejected: RejectedEvent[] = [];
  env.data.events.forEach((raw, index) => {
    const parsed = honeypotEventSchema.safeParse(raw);
    const id = typeof (raw as { id?: unknown })?.id === "string" ? (raw as { id: string }).id : null;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      rejected.push({ index, id, reason: `${issue?.path.join(".") || "event"}: ${issue?.message ?? "invalid"}` });
    } else if (parsed.data.sensor !== sensor) {
      rejected.push({ index, id, reason: `event names sensor ${JSON.stringify(parsed.data.sensor)}, not ${JSON.stringify(sensor)}` });
    } else {
      good.push(parsed.data);
    }
  });
  const r = await ingestEvents(storage, good, { geo });
  return { ok: true, ack: { batch_id: env.data.batch_id, accepted: r.accepted, duplicates: r.duplicates, rejected } };
}
