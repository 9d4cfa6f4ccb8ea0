/**
 * The sensor runtime: loads the persona, starts the configured emulators behind one SessionLimits,
 * stamps every event (UUID v7 id, timestamp, sensor id), checks it against the event schema and
 * writes it to the spool before anything else; a shipper (when a collector is configured) sends the
 * spool's closed segments and heartbeats. `close()` stops the emulators (their sessions emit
 * session.closed), then flushes the spool (fsync, segment closed) so a restart ships the rest.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { UsageError } from "../../core/errors.js";
import { honeypotEventSchema, type EmittedEvent, type HoneypotEvent } from "../events.js";
import { emulators as registry } from "../emulators/registry.js";
import type { Emulator, EmulatorContext, RunningEmulator } from "../emulators/types.js";
import type { Persona } from "../persona.js";
import type { Heartbeat } from "../wire.js";
import { Shipper } from "../shipper/shipper.js";
import { Spool, type SpoolStats } from "../spool/spool.js";
import type { SensorConfig } from "./config.js";
import { SensorLimits, type LimitCounters } from "./limits.js";
import { loadPersona } from "./personas.js";
import { uuidv7 } from "./uuid7.js";

export interface SensorOptions {
  log: Logger;
  /** Emulators to choose from (default: the registry). */
  registry?: Record<string, Emulator>;
}

export interface SensorStats {
  sensor: string;
  emitted: number;
  invalid: number;
  limits: LimitCounters;
  spool: SpoolStats;
  shipped: number;
  eventsPerS: number;
}

export interface RunningSensor {
  /** Bound ports per emulator. */
  ports: Record<string, number[]>;
  personas: string[];
  stats(): SensorStats;
  close(): Promise<void>;
}

const newSession = () => randomBytes(8).toString("hex");

export async function startSensor(config: SensorConfig, opts: SensorOptions): Promise<RunningSensor> {
  const log = opts.log;
  const available = opts.registry ?? registry;
  const personaCache = new Map<string, Persona>();
  const persona = (name: string) => {
    let p = personaCache.get(name);
    if (!p) personaCache.set(name, (p = loadPersona(name, config.personas_dir)));
    return p;
  };
  const basePersona = persona(config.persona);

  // Validate every enabled section before binding anything: a config mistake fails fast and whole.
  const sections = Object.keys(config.emulators).length > 0 ? config.emulators : Object.fromEntries(Object.keys(available).map((k) => [k, { enabled: true }]));
  const plan: Array<{ name: string; emulator: Emulator; config: unknown; persona: Persona }> = [];
  for (const [name, section] of Object.entries(sections)) {
    const { enabled, persona: personaName, ...rest } = section as { enabled: boolean; persona?: string };
    if (!enabled) continue;
    const emulator = available[name];
    if (!emulator) throw new UsageError(`sensor config: emulators.${name}: unknown emulator (known: ${Object.keys(available).join(", ")})`);
    const parsed = emulator.configSchema.safeParse(rest);
    if (!parsed.success) {
      throw new UsageError(parsed.error.issues.map((i) => `sensor config: emulators.${name}.${i.path.join(".")}: ${i.message}`).join("; "));
    }
    plan.push({ name, emulator, config: parsed.data, persona: personaName ? persona(personaName) : basePersona });
  }
  if (plan.length === 0) throw new UsageError("sensor config: no emulator enabled");

  let emitted = 0;
  let invalid = 0;
  const stamp = (e: EmittedEvent): HoneypotEvent => ({ id: uuidv7(), timestamp: new Date().toISOString(), sensor: config.sensor, ...e });
  const spool = Spool.open({
    dir: config.spool.dir,
    maxBytes: config.spool.max_bytes,
    segmentBytes: config.spool.segment_bytes,
    segmentEvents: config.spool.segment_events,
    segmentAgeMs: config.spool.segment_age_ms,
    fsyncMs: config.spool.fsync_ms,
    log,
    dropEvent: (dropped) =>
      stamp({
        eventid: "sensor.limit",
        session: newSession(),
        protocol: plan[0]!.emulator.meta.protocol,
        transport: plan[0]!.emulator.meta.transport,
        src_ip: "0.0.0.0",
        src_port: 0,
        dst_port: 0,
        limit: "spool_full",
        message: `spool full: ${dropped} events dropped`,
      }),
  });

  const emit = (e: EmittedEvent) => {
    const event = stamp(e);
    const checked = honeypotEventSchema.safeParse(event);
    if (!checked.success) {
      // An emulator bug: never let one bad event block a batch at the collector.
      invalid++;
      const i = checked.error.issues[0];
      log.error({ eventid: e.eventid, path: i?.path.join("."), why: i?.message }, "sensor: emulator emitted an invalid event; dropped");
      return;
    }
    emitted++;
    spool.append(checked.data);
  };
  const limits = new SensorLimits(config.limits, emit, newSession);

  const running: Array<{ name: string; r: RunningEmulator }> = [];
  const ports: Record<string, number[]> = {};
  try {
    for (const p of plan) {
      const ctx: EmulatorContext = { sensor: config.sensor, persona: p.persona, host: config.host, limits, emit, newSession, log: log.child({ emulator: p.name }) };
      const r = await p.emulator.start(ctx, p.config as never);
      running.push({ name: p.name, r });
      ports[p.name] = r.ports;
    }
  } catch (err) {
    for (const { r } of running) await r.close();
    limits.close();
    spool.close();
    throw err instanceof UsageError ? err : new UsageError(`sensor: cannot start emulators: ${(err as Error).message}`);
  }

  const personas = [...new Set(plan.map((p) => p.persona.name))];
  let lastEmitted = 0;
  let lastAt = Date.now();
  let rate = 0;
  const heartbeat = (): Heartbeat => ({
    sensor: config.sensor,
    time: new Date().toISOString(),
    spooled_events: spool.stats().spooledEvents,
    sessions_open: limits.stats().sessionsOpen,
    events_per_s: rate,
    emulators: Object.keys(ports),
  });
  const shipper = config.collector
    ? new Shipper({ config: config.collector, sensor: config.sensor, spool, stateDir: config.spool.dir, personas, log: log.child({ part: "shipper" }), heartbeat })
    : undefined;
  shipper?.start();

  const stats = (): SensorStats => ({
    sensor: config.sensor,
    emitted,
    invalid,
    limits: limits.stats(),
    spool: spool.stats(),
    shipped: shipper?.shipped ?? 0,
    eventsPerS: rate,
  });
  const tick = setInterval(() => {
    const now = Date.now();
    rate = ((emitted - lastEmitted) * 1000) / Math.max(1, now - lastAt);
    lastEmitted = emitted;
    lastAt = now;
    log.info({ ...stats() }, "sensor stats");
  }, config.stats_s * 1000);
  tick.unref();

  let closing: Promise<void> | undefined;
  return {
    ports,
    personas,
    stats,
    close() {
      closing ??= (async () => {
        clearInterval(tick);
        for (const { r } of running) await r.close();
        limits.close();
        spool.close();
        await shipper?.stop();
      })();
      return closing;
    },
  };
}
