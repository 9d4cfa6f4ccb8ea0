/**
 * The only place scan traffic leaves the process. Every TCP connection and every UDP datagram goes through
 * `probeGate`: the target is checked against the blocklist once more (the opt-out list can change while a
 * campaign runs) and a global and a per-network rate token is taken, right before the packet is sent.
 */
import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";
import { ProbeError, type DialOptions, type ModuleOptions, type ScanContext, type Target, type UdpExchange } from "../modules/types.js";
import type { KeyedRateLimiter, TokenSource } from "./rate.js";

/** Decides whether a target may be probed; returns the reason when it may not. */
export interface TargetCheck {
  refusal(target: Target): string | undefined;
}

export interface ProbeGateOptions {
  check: TargetCheck;
  rate?: TokenSource;
  perNetwork?: KeyedRateLimiter;
  /** Observes every probe actually sent (tests and counters). */
  onProbe?: (target: Target, kind: "tcp" | "udp") => void;
  /** Once aborted, the gate lets nothing more out: a stopping campaign sends no new packet. */
  stop?: AbortSignal;
}

/** What the gate did for one target's scan: packets let out, and whether one was held back by a stop. */
export interface ProbeTicket {
  sent: number;
  cancelled: boolean;
}

/** Thrown by the gate for a packet held back because the campaign is stopping. */
export class ProbeCancelled extends ProbeError {
  constructor() {
    super("unknown-error", "campaign stopping: probe not sent");
    this.name = "ProbeCancelled";
  }
}

export class ProbeGate {
  probes = 0;
  private readonly onStop: (() => void) | undefined;

  constructor(private readonly opts: ProbeGateOptions) {
    const { stop } = opts;
    if (stop && !stop.aborted) {
      // One listener for the whole campaign (not one per waiting packet): a stop withdraws every waiter.
      this.onStop = () => {
        const reason = new ProbeCancelled();
        opts.rate?.withdrawAll(reason);
        opts.perNetwork?.withdraw(undefined, reason);
      };
      stop.addEventListener("abort", this.onStop, { once: true });
    }
  }

  /** Removes the gate's stop listener (the runner calls it when the run ends). */
  dispose(): void {
    if (this.onStop) this.opts.stop?.removeEventListener("abort", this.onStop);
  }

  /**
   * Lets one packet to `target` out, or throws/rejects with a ProbeError. Returns undefined when the packet
   * may go at once (the common case at high rates: no promise, no microtask), else a promise that resolves
   * once the rate tokens are taken and the target has been checked again.
   */
  pass(target: Target, kind: "tcp" | "udp", ticket?: ProbeTicket): Promise<void> | undefined {
    const { stop, rate, perNetwork } = this.opts;
    const before = this.opts.check.refusal(target);
    if (before) throw new ProbeError("blocklisted-target", before);
    if (stop?.aborted) {
      if (ticket) ticket.cancelled = true;
      throw new ProbeCancelled();
    }
    if (!rate || rate.tryTake()) {
      // Nothing was awaited, so nothing (no opt-out reload) can have changed since the check above.
      if (!perNetwork || perNetwork.tryTake(networkKey(target))) return void this.admit(target, kind, ticket);
      return this.wait(target, kind, ticket, false);
    }
    return this.wait(target, kind, ticket, true);
  }

  private async wait(target: Target, kind: "tcp" | "udp", ticket: ProbeTicket | undefined, global: boolean): Promise<void> {
    const { stop, rate, perNetwork } = this.opts;
    try {
      if (global && rate) await rate.take();
      if (stop?.aborted) throw new ProbeCancelled();
      if (perNetwork) await perNetwork.take(networkKey(target));
      if (stop?.aborted) throw new ProbeCancelled();
    } catch (err) {
      if (!stop?.aborted) throw err;
      if (ticket) ticket.cancelled = true;
      throw err instanceof ProbeCancelled ? err : new ProbeCancelled();
    }
    // Checked again after waiting: a reloaded opt-out list may have changed while we waited for tokens.
    const after = this.opts.check.refusal(target);
    if (after) throw new ProbeError("blocklisted-target", after);
    this.admit(target, kind, ticket);
  }

  private admit(target: Target, kind: "tcp" | "udp", ticket: ProbeTicket | undefined): void {
    this.probes++;
    if (ticket) ticket.sent++;
    this.opts.onProbe?.(target, kind);
  }
}

/** The /24 (IPv4) or /64 (IPv6) a target belongs to: the unit of the per-network rate limit. */
export function networkKey(target: Target): string {
  if (target.v === 4) return target.ip.slice(0, target.ip.lastIndexOf("."));
  const groups = expandIpv6Groups(target.ip);
  return groups.slice(0, 4).join(":");
}

function expandIpv6Groups(ip: string): string[] {
  const [head = "", tail] = ip.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? [] : new Array<string>(Math.max(0, 8 - h.length - t.length)).fill("0");
  return [...h, ...fill, ...t];
}

export interface ContextOptions {
  gate: ProbeGate;
  udp: UdpMux;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  maxReadBytes: number;
  options: ModuleOptions;
  signal: AbortSignal;
  /** Records what the gate did for this scan (the runner makes one per target). */
  ticket?: ProbeTicket;
}

export function createScanContext(o: ContextOptions): ScanContext {
  return {
    connectTimeoutMs: o.connectTimeoutMs,
    readTimeoutMs: o.readTimeoutMs,
    maxReadBytes: o.maxReadBytes,
    options: o.options,
    signal: o.signal,
    async dial(target: Target, dialOptions?: DialOptions) {
      await o.gate.pass(target, "tcp", o.ticket);
      return connect(target, o.connectTimeoutMs, o.readTimeoutMs, dialOptions);
    },
    udp(target: Target) {
      return o.udp.exchange(target, o.gate, o.ticket);
    },
  };
}

/** The per-run half of a scan context: what every target's context shares. */
export interface ProbeEnv {
  gate: ProbeGate;
  udp: UdpMux;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  maxReadBytes: number;
  options: ModuleOptions;
}

/**
 * One target's ScanContext and ProbeTicket in one object: methods on the prototype instead of closures
 * per target, and the abort signal made only when a module asks for it (the MQTT hot path never does).
 * It is the engine's per-target cost, paid tens of thousands of times a second.
 */
export class ProbeContext implements ScanContext, ProbeTicket {
  sent = 0;
  cancelled = false;
  private controller: AbortController | undefined;

  constructor(private readonly env: ProbeEnv) {}

  get connectTimeoutMs(): number {
    return this.env.connectTimeoutMs;
  }

  get readTimeoutMs(): number {
    return this.env.readTimeoutMs;
  }

  get maxReadBytes(): number {
    return this.env.maxReadBytes;
  }

  get options(): ModuleOptions {
    return this.env.options;
  }

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  /** The probe deadline passed: tells the module (through `signal`) to give up. */
  abort(): void {
    (this.controller ??= new AbortController()).abort();
  }

  async dial(target: Target, dialOptions?: DialOptions): Promise<net.Socket | tls.TLSSocket> {
    const wait = this.env.gate.pass(target, "tcp", this);
    if (wait) await wait;
    return connect(target, this.env.connectTimeoutMs, this.env.readTimeoutMs, dialOptions);
  }

  udp(target: Target): UdpExchange {
    return this.env.udp.exchange(target, this.env.gate, this);
  }
}

/**
 * TCP connect within `connectMs` (else connection-timeout), then, for TLS, the handshake within `readMs`
 * (else io-timeout, as ZGrab2 reports a peer that accepted but stalls).
 */
async function connect(target: Target, connectMs: number, readMs: number, dialOptions?: DialOptions): Promise<net.Socket | tls.TLSSocket> {
  const tcp = await phase(net.connect({ host: target.ip, port: target.port, family: target.v }), "connect", connectMs, () =>
    new ProbeError("connection-timeout", `no connection within ${connectMs} ms`),
  );
  if (!dialOptions?.tls) return tcp;
  const secure = tls.connect({
    rejectUnauthorized: false, // a scanner records certificates; it does not judge them here
    ...dialOptions.tls,
    ...secureContextFor(dialOptions.tls),
    socket: tcp,
  });
  try {
    return await phase(secure, "secureConnect", readMs, () => new ProbeError("io-timeout", `no TLS handshake within ${readMs} ms`));
  } finally {
    // On failure the TLS socket is destroyed by phase(); the TCP socket under it goes with it.
    if (secure.destroyed) tcp.destroy();
  }
}

/** Options that belong to one connection, not to the SecureContext tls.connect would build from the rest. */
const perConnection = new Set(["servername", "ALPNProtocols", "checkServerIdentity", "rejectUnauthorized", "session", "socket", "host", "port"]);
const contexts = new Map<string, tls.SecureContext>();

/**
 * tls.connect builds a new SecureContext (an OpenSSL SSL_CTX: cipher list, versions, the CA store) for
 * every connection unless it is given one; a scan dials with the same few option sets thousands of times.
 * The context is cached by its options when they are all plain values (anything else — keys, buffers —
 * is left to tls.connect, as before).
 */
function secureContextFor(options: tls.ConnectionOptions): { secureContext?: tls.SecureContext } {
  if (options.secureContext) return {};
  const parts: [string, string | number | boolean][] = [];
  for (const [k, v] of Object.entries(options)) {
    if (perConnection.has(k) || v === undefined) continue;
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return {};
    parts.push([k, v]);
  }
  const key = JSON.stringify(parts.sort(([a], [b]) => (a < b ? -1 : 1)));
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = tls.createSecureContext(Object.fromEntries(parts) as tls.SecureContextOptions);
    if (contexts.size >= 64) contexts.clear();
    contexts.set(key, ctx);
  }
  return { secureContext: ctx };
}

/** Waits for `ready` on a fresh socket with a deadline; destroys the socket on any failure. */
function phase<S extends net.Socket>(socket: S, ready: string, ms: number, onTimeout: () => ProbeError): Promise<S> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(onTimeout());
    }, ms);
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      // OpenSSL messages span several lines; a status line must stay one line.
      const message = err.message.split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
      reject(new ProbeError(statusOfSocketError(err), `${err.code ?? "error"}: ${message}`));
    });
  });
}

function statusOfSocketError(err: NodeJS.ErrnoException) {
  switch (err.code) {
    case "ECONNREFUSED":
      return "connection-refused" as const;
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "connection-timeout" as const;
    case "ECONNRESET":
    case "EPIPE":
      return "connection-closed" as const;
    default:
      // TLS alerts and handshake failures arrive here with an ERR_SSL_* code.
      return err.code?.startsWith("ERR_SSL") || err.message.includes("SSL") ? ("protocol-error" as const) : ("unknown-error" as const);
  }
}

/**
 * One UDP socket per address family for the whole campaign (like ZMap's single raw socket): opening a
 * socket per target would cost a file descriptor and a bind each. Replies are routed to the exchange
 * waiting for that (address, port); replies nobody waits for are counted and dropped.
 */
export class UdpMux {
  private sockets = new Map<4 | 6, dgram.Socket>();
  private readonly waiting = new Map<string, UdpExchangeImpl>();
  unsolicited = 0;

  exchange(target: Target, gate: ProbeGate, ticket?: ProbeTicket): UdpExchange {
    const key = `${target.ip}|${target.port}`;
    const ex = new UdpExchangeImpl(target, gate, this.socket(target.v), ticket, () => {
      if (this.waiting.get(key) === ex) this.waiting.delete(key);
    });
    // A second exchange with the same target (another module run) replaces the first: its replies win.
    this.waiting.set(key, ex);
    return ex;
  }

  private socket(v: 4 | 6): dgram.Socket {
    let s = this.sockets.get(v);
    if (!s) {
      s = dgram.createSocket({ type: v === 4 ? "udp4" : "udp6", recvBufferSize: 4 << 20 });
      s.on("message", (msg, rinfo) => {
        const ex = this.waiting.get(`${rinfo.address}|${rinfo.port}`);
        if (ex) ex.deliver(msg);
        else this.unsolicited++;
      });
      s.on("error", () => {
        // Per-datagram errors (ICMP unreachable surfacing as ECONNREFUSED on some kernels) are not fatal.
      });
      s.bind(0);
      s.unref();
      this.sockets.set(v, s);
    }
    return s;
  }

  close(): void {
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
    this.waiting.clear();
  }
}

class UdpExchangeImpl implements UdpExchange {
  private readonly inbox: Buffer[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly target: Target,
    private readonly gate: ProbeGate,
    private readonly socket: dgram.Socket,
    private readonly ticket: ProbeTicket | undefined,
    private readonly onClose: () => void,
  ) {}

  deliver(msg: Buffer): void {
    if (this.closed || this.inbox.length >= 64) return; // bounded: a flood of replies cannot grow memory
    this.inbox.push(msg);
    this.wake?.();
  }

  async send(payload: Uint8Array): Promise<void> {
    await this.gate.pass(this.target, "udp", this.ticket);
    await new Promise<void>((resolve, reject) =>
      this.socket.send(payload, this.target.port, this.target.ip, (err) =>
        err ? reject(new ProbeError("unknown-error", `send failed: ${err.message}`)) : resolve(),
      ),
    );
  }

  receive(timeoutMs: number): Promise<Buffer | null> {
    const ready = this.inbox.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(null);
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(this.inbox.shift() ?? null);
      };
    });
  }

  close(): void {
    this.closed = true;
    this.wake?.();
    this.onClose();
  }
}
