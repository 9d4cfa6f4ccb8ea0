/**
 * The one interface every scan module implements (ZGrab2's lesson): adding a protocol adds one folder
 * under src/scan/modules/<name>/ and one line in registry.ts.
 *
 * Modules never open sockets themselves (lint forbids node:net/dgram/tls here): they ask the context,
 * which checks the blocklist again and takes a rate token right before every connection or datagram.
 */
import type { Socket } from "node:net";
import type { ConnectionOptions, TLSSocket } from "node:tls";

/** ZGrab2's statuses, plus the refusal a responsible scanner records instead of probing. */
export const scanStatuses = [
  "success",
  "connection-refused",
  "connection-timeout",
  "connection-closed",
  "io-timeout",
  "protocol-error",
  "application-error",
  "blocklisted-target",
  "unknown-error",
] as const;
export type ScanStatus = (typeof scanStatuses)[number];

export interface Target {
  /** Canonical text form of the address. */
  ip: string;
  v: 4 | 6;
  port: number;
  /** Host name for SNI / Host headers, when the target list gave one. */
  domain?: string;
}

export interface ScanOutcome<R = unknown> {
  status: ScanStatus;
  /** Whatever the peer said, parsed, even when the status is an error (partial results are kept). */
  result?: R;
  /** Why the status is not success, in one line. */
  error?: string;
}

/** A module's own command-line flag, e.g. MQTT's `--mqtt-version 5`. */
export interface ModuleFlag {
  /** Long flag without dashes, e.g. "mqtt-version". Becomes the option key in camelCase. */
  name: string;
  description: string;
  /** Placeholder for a value, e.g. "<n>"; absent for boolean switches. */
  value?: string;
  default?: string | boolean | number;
}

export type ModuleOptions = Record<string, string | boolean | number | undefined>;

export interface DialOptions {
  /** Wrap the connection in TLS with these options (servername, ALPN, ...). Certificates are never verified. */
  tls?: ConnectionOptions;
}

/** A datagram exchange with one target over the engine's shared UDP socket. */
export interface UdpExchange {
  /** Sends one datagram (blocklist re-check and rate token first). */
  send(payload: Uint8Array): Promise<void>;
  /** The next datagram from the target, or null when `timeoutMs` passes first. */
  receive(timeoutMs: number): Promise<Buffer | null>;
  close(): void;
}

export interface ScanContext {
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  /** Upper bound on bytes read from one target; parsers must stop there. */
  readonly maxReadBytes: number;
  readonly options: ModuleOptions;
  readonly signal: AbortSignal;
  /** Opens a TCP (or TLS) connection to the target; rejects with a ProbeError carrying a ScanStatus. */
  dial(target: Target, options?: DialOptions): Promise<Socket | TLSSocket>;
  /** Starts a UDP exchange with the target. */
  udp(target: Target): UdpExchange;
}

export interface ScanModule<R = unknown> {
  readonly name: string;
  readonly description: string;
  readonly transport: "tcp" | "udp";
  readonly defaultPort: number;
  readonly flags: readonly ModuleFlag[];
  /** Probes one target. Never throws on peer behaviour: garbage, silence and resets are statuses. */
  scan(target: Target, ctx: ScanContext): Promise<ScanOutcome<R>>;
}

/**
 * Thrown by the context's `dial`/`send` and by the read helpers when a probe cannot go on; `status` says
 * why. Modules catch it (see `outcomeFromError`) and turn it into a ScanOutcome.
 */
export class ProbeError extends Error {
  constructor(
    readonly status: ScanStatus,
    message: string,
  ) {
    super(message);
    this.name = "ProbeError";
  }
}
