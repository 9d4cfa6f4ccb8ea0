/**
 * An EmulatorContext for emulator tests: a real in-memory event collector (every emitted event is
 * stamped like the sensor does and validated against the event schema, so a field the schema refuses
 * fails the test) and the sensor's real SessionLimits (src/honeypot/sensor/limits.ts), bound to
 * 127.0.0.1. The UDP reply budget does not refill in tests (udp_reply_bytes_per_s 0), so reply counts
 * under a flood are exact.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { pino } from "pino";
import type { EmulatorContext } from "../../../src/honeypot/emulators/types.js";
import { honeypotEventSchema, type EmittedEvent, type HoneypotEvent } from "../../../src/honeypot/events.js";
import { personaSchema, type Persona } from "../../../src/honeypot/persona.js";
import { limitsSchema } from "../../../src/honeypot/sensor/config.js";
import { SensorLimits } from "../../../src/honeypot/sensor/limits.js";
import { waitFor } from "../../helpers/wait.js";

export interface TestLimitsOptions {
  maxSessions?: number;
  maxPerSource?: number;
  /** Reply bytes a source may receive over the whole test (no refill: deterministic counts). */
  replyBytesPerSource?: number;
  idleTimeoutMs?: number;
  sessionTimeoutMs?: number;
  maxBufferBytes?: number;
}

export const testPersona: Persona = personaSchema.parse({
  name: "test-camera",
  vendor: "Hikvision",
  model: "DS-2CD2042WD-I",
  device_type: "ip-camera",
  arch: "armhf",
  endian: "little",
  hostname: "cam-lobby",
  firmware: "V5.4.5",
});

export interface TestContext extends EmulatorContext {
  events: HoneypotEvent[];
  limits: SensorLimits;
  /** Events of one id, in order. */
  of(eventid: string): HoneypotEvent[];
  /** Waits until `count` events with this id were emitted. */
  waitForEvents(eventid: string, count?: number, timeoutMs?: number): Promise<HoneypotEvent[]>;
}

export function testContext(opts: { persona?: Persona; limits?: TestLimitsOptions } = {}): TestContext {
  const events: HoneypotEvent[] = [];
  const l = opts.limits ?? {};
  const emit = (event: EmittedEvent) => {
    // As the sensor does: stamp, then validate (a schema violation is a bug in the emulator).
    events.push(honeypotEventSchema.parse({ ...event, id: randomUUID(), timestamp: new Date().toISOString(), sensor: "test-sensor" }));
  };
  const newSession = () => randomBytes(8).toString("hex");
  const limits = new SensorLimits(
    limitsSchema.parse({
      max_sessions: l.maxSessions ?? 1000,
      per_source_sessions: l.maxPerSource ?? 1000,
      idle_timeout_s: (l.idleTimeoutMs ?? 10_000) / 1000,
      session_timeout_s: (l.sessionTimeoutMs ?? 30_000) / 1000,
      buffer_bytes: l.maxBufferBytes ?? 64 * 1024,
      udp_reply_bytes_per_s: l.replyBytesPerSource !== undefined ? 0 : 1 << 30,
      udp_reply_burst_bytes: l.replyBytesPerSource ?? 1 << 30,
      limit_events_per_s: 100,
    }),
    emit,
    newSession,
  );
  const ctx: TestContext = {
    sensor: "test-sensor",
    persona: opts.persona ?? testPersona,
    host: "127.0.0.1",
    limits,
    log: pino({ level: "silent" }),
    newSession,
    emit,
    events,
    of: (eventid) => events.filter((e) => e.eventid === eventid),
    async waitForEvents(eventid, count = 1, timeoutMs = 15_000) {
      await waitFor(() => ctx.of(eventid).length >= count, `${count} × ${eventid}`, timeoutMs);
      return ctx.of(eventid);
    },
  };
  return ctx;
}

/** Strips the per-run fields so a test can compare whole events. */
export function stable(e: HoneypotEvent): Record<string, unknown> {
  const { id: _id, timestamp: _t, session: _s, src_port: _p, duration: _d, ...rest } = e;
  return rest;
}
