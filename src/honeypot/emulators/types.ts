/**
 * The one interface every honeypot emulator implements (ZGrab2's lesson, like scan modules and vuln
 * sources): adding a protocol adds one folder under src/honeypot/emulators/<name>/ exporting
 * `emulator`, and one line in registry.ts. An emulator binds its own listeners (so UDP and TCP
 * emulators look alike to the sensor), asks the context before accepting a session (limits), and
 * reports everything through `emit` — it never writes files, never executes or fetches anything the
 * attacker sends.
 */
import type { Logger } from "pino";
import type { z } from "zod";
import type { EmittedEvent, HoneypotProtocol } from "../events.js";
import type { Persona } from "../persona.js";

export interface EmulatorMeta {
  /** Config key and registry name: telnet, mqtt, coap, http, ssdp. */
  name: string;
  protocol: HoneypotProtocol;
  transport: "tcp" | "udp";
  defaultPorts: number[];
  description: string;
}

/** Optional details of a refused peer, so the sensor's `sensor.limit` event names ports and transport. */
export interface PeerInfo {
  srcPort: number;
  dstPort: number;
  transport: "tcp" | "udp";
}

/** Sensor-wide protections every emulator goes through; the sensor owns the counters. */
export interface SessionLimits {
  /**
   * Asks for a session slot for this source (max sessions overall and per source). Returns a release
   * function, or undefined when a limit refuses it (the sensor has emitted `sensor.limit`).
   */
  acquire(srcIp: string, protocol: HoneypotProtocol, peer?: PeerInfo): (() => void) | undefined;
  /**
   * UDP replies: may we send `bytes` to this source now (per-source token bucket against amplification)?
   * A refusal emits `sensor.rate_limited` (itself rate-limited) when `peer` is given, else is only counted.
   */
  allowReply(srcIp: string, bytes: number, peer?: PeerInfo & { protocol: HoneypotProtocol }): boolean;
  /** Idle and total timeouts, and the per-session buffer cap, from the sensor config. */
  idleTimeoutMs: number;
  sessionTimeoutMs: number;
  maxBufferBytes: number;
}

export interface EmulatorContext {
  sensor: string;
  persona: Persona;
  /** Address to bind (default 0.0.0.0; tests use 127.0.0.1). */
  host: string;
  limits: SessionLimits;
  emit(event: EmittedEvent): void;
  /** A new session id (random, 16 hex chars). */
  newSession(): string;
  log: Logger;
}

export interface RunningEmulator {
  /** The ports actually bound (a configured port 0 gets an ephemeral one: tests use that). */
  ports: number[];
  /** Stops listening and ends open sessions (emitting their session.closed). */
  close(): Promise<void>;
}

export interface Emulator<C = unknown> {
  meta: EmulatorMeta;
  /** This emulator's section of the sensor config (ports, banners, …), validated at load with where/why. */
  configSchema: z.ZodType<C>;
  start(ctx: EmulatorContext, config: C): Promise<RunningEmulator>;
}
