/**
 * The sensor's SessionLimits: global and per-source session slots, a per-source byte budget for UDP
 * replies (so a spoofed source cannot use the sensor as an amplifier), and the events that say a peer
 * was refused. Those events are themselves rate-limited: a flood of refused connections would
 * otherwise flood the spool, which is exactly what the limits protect. Suppressed events are counted
 * and summarised once a second in one event of the same kind.
 */
import type { EmittedEvent, HoneypotProtocol } from "../events.js";
import type { PeerInfo, SessionLimits } from "../emulators/types.js";
import type { LimitsConfig } from "./config.js";

const udpProtocols: ReadonlySet<HoneypotProtocol> = new Set(["coap", "ssdp"]);
/** Sources tracked for UDP reply budgets; beyond this, new sources get no reply (fail closed). */
const MAX_REPLY_SOURCES = 65_536;

interface Bucket {
  tokens: number;
  at: number;
}

export interface LimitCounters {
  sessionsOpen: number;
  refusedSessions: number;
  refusedReplies: number;
  suppressedEvents: number;
}

export class SensorLimits implements SessionLimits {
  readonly idleTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly maxBufferBytes: number;
  private open = 0;
  private readonly perSource = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly counters: LimitCounters = { sessionsOpen: 0, refusedSessions: 0, refusedReplies: 0, suppressedEvents: 0 };
  // Event budget: a token bucket of limit_events_per_s, burst of the same size (at least 1).
  private eventTokens: number;
  private eventAt = Date.now();
  private readonly suppressed = new Map<"sensor.limit" | "sensor.rate_limited", { count: number; last: EmittedEvent }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly config: LimitsConfig,
    private readonly emit: (event: EmittedEvent) => void,
    private readonly newSession: () => string,
  ) {
    this.idleTimeoutMs = config.idle_timeout_s * 1000;
    this.sessionTimeoutMs = config.session_timeout_s * 1000;
    this.maxBufferBytes = config.buffer_bytes;
    this.eventTokens = Math.max(1, config.limit_events_per_s);
    this.timer = setInterval(() => this.flushSuppressed(), 1000);
    this.timer.unref();
  }

  acquire(srcIp: string, protocol: HoneypotProtocol, peer?: PeerInfo): (() => void) | undefined {
    const fromSource = this.perSource.get(srcIp) ?? 0;
    const refusedBy =
      this.open >= this.config.max_sessions ? "max_sessions" : fromSource >= this.config.per_source_sessions ? "per_source_sessions" : undefined;
    if (refusedBy) {
      this.counters.refusedSessions++;
      this.report("sensor.limit", refusedBy, srcIp, protocol, peer);
      return undefined;
    }
    this.open++;
    this.perSource.set(srcIp, fromSource + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
      const n = (this.perSource.get(srcIp) ?? 1) - 1;
      if (n <= 0) this.perSource.delete(srcIp);
      else this.perSource.set(srcIp, n);
    };
  }

  allowReply(srcIp: string, bytes: number, peer?: PeerInfo & { protocol: HoneypotProtocol }): boolean {
    const now = Date.now();
    const rate = this.config.udp_reply_bytes_per_s;
    const burst = this.config.udp_reply_burst_bytes;
    let bucket = this.buckets.get(srcIp);
    if (!bucket) {
      if (this.buckets.size >= MAX_REPLY_SOURCES) this.pruneBuckets(now);
      if (this.buckets.size >= MAX_REPLY_SOURCES) return this.refuseReply(srcIp, peer);
      bucket = { tokens: burst, at: now };
      this.buckets.set(srcIp, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bytes > bucket.tokens) return this.refuseReply(srcIp, peer);
    bucket.tokens -= bytes;
    return true;
  }

  stats(): LimitCounters {
    return { ...this.counters, sessionsOpen: this.open };
  }

  close(): void {
    clearInterval(this.timer);
    this.flushSuppressed();
  }

  private refuseReply(srcIp: string, peer?: PeerInfo & { protocol: HoneypotProtocol }): false {
    this.counters.refusedReplies++;
    if (peer) this.report("sensor.rate_limited", "udp_reply_budget", srcIp, peer.protocol, peer);
    return false;
  }

  /** Drops buckets that have refilled completely: they hold no state worth keeping. */
  private pruneBuckets(now: number): void {
    const full = this.config.udp_reply_bytes_per_s > 0 ? (this.config.udp_reply_burst_bytes / this.config.udp_reply_bytes_per_s) * 1000 : Infinity;
    for (const [ip, b] of this.buckets) if (now - b.at >= full) this.buckets.delete(ip);
  }

  private report(eventid: "sensor.limit" | "sensor.rate_limited", limit: string, srcIp: string, protocol: HoneypotProtocol, peer?: PeerInfo): void {
    const event: EmittedEvent = {
      eventid,
      session: this.newSession(),
      protocol,
      transport: peer?.transport ?? (udpProtocols.has(protocol) ? "udp" : "tcp"),
      src_ip: srcIp,
      src_port: peer?.srcPort ?? 0,
      dst_port: peer?.dstPort ?? 0,
      limit,
    };
    const now = Date.now();
    const perS = this.config.limit_events_per_s;
    this.eventTokens = Math.min(Math.max(1, perS), this.eventTokens + ((now - this.eventAt) / 1000) * perS);
    this.eventAt = now;
    if (this.eventTokens >= 1) {
      this.eventTokens -= 1;
      this.emit(event);
      return;
    }
    this.counters.suppressedEvents++;
    const s = this.suppressed.get(eventid);
    if (s) {
      s.count++;
      s.last = event;
    } else this.suppressed.set(eventid, { count: 1, last: event });
  }

  /** One summary event per kind for what the budget suppressed (named after the last refused peer). */
  private flushSuppressed(): void {
    for (const [eventid, s] of this.suppressed) {
      this.emit({ ...s.last, eventid, limit: s.last.limit, message: `${s.count} more ${eventid} events suppressed in the last second (last shown)` });
    }
    this.suppressed.clear();
  }
}
