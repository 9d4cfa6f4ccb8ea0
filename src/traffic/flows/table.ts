/**
 * Bidirectional flow table over decoded packets. A flow is keyed the way nDPI's ndpiReader keys it:
 * IP protocol + VLAN + the two (address, port) endpoints in canonical order, so both directions meet
 * in one entry; packets without IP (ARP, LLDP, …) belong to no flow. The initiator is the source of
 * the first packet seen. Memory is bounded: flows idle longer than `idleTimeout` seconds (capture
 * time) are evicted, and past `maxFlows` the least recently seen flow is evicted. A Map kept in
 * least-recently-seen order (delete + set on every packet) makes both evictions O(1).
 */
import type { DecodedPacket } from "../packet.js";

export type TcpState = "none" | "syn-sent" | "established" | "closing" | "closed" | "reset";

export interface Flow {
  key: string;
  ipProto: number;
  vlan: number;
  /** Initiator (source of the first packet) and responder. */
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  packetsFwd: number;
  bytesFwd: number;
  packetsBwd: number;
  bytesBwd: number;
  firstTs: number;
  lastTs: number;
  /** First application protocol recognised in the flow. */
  app: DecodedPacket["app"];
  tcpState: TcpState;
  /** Internal TCP bookkeeping: FIN seen from the initiator (1) and from the responder (2). */
  finMask: number;
  /** Index of the flow's first packet in the capture. */
  firstIndex: number;
}

export type EvictReason = "idle" | "capacity" | "end";

export interface FlowTableOptions {
  /** Seconds without a packet after which a flow ends (default 300). */
  idleTimeout?: number;
  /** Most flows held at once (default 1,000,000). */
  maxFlows?: number;
  /** Called with every flow that leaves the table. */
  onEvict?: (flow: Flow, reason: EvictReason) => void;
}

export class FlowTable {
  private readonly flows = new Map<string, Flow>();
  private readonly idleTimeout: number;
  private readonly maxFlows: number;
  private readonly onEvict: ((flow: Flow, reason: EvictReason) => void) | undefined;
  /** Flows ever created (including evicted ones). */
  created = 0;
  evicted = 0;

  constructor(opts: FlowTableOptions = {}) {
    this.idleTimeout = opts.idleTimeout ?? 300;
    this.maxFlows = Math.max(1, opts.maxFlows ?? 1_000_000);
    this.onEvict = opts.onEvict;
  }

  get size(): number {
    return this.flows.size;
  }

  active(): IterableIterator<Flow> {
    return this.flows.values();
  }

  /** Accounts one packet; returns its flow (undefined for non-IP packets). */
  add(p: DecodedPacket): Flow | undefined {
    const src = p.srcIp;
    const dst = p.dstIp;
    if (src === undefined || dst === undefined || p.ipProto === undefined) return undefined;
    this.expire(p.ts);
    const sport = p.srcPort ?? 0;
    const dport = p.dstPort ?? 0;
    const vlan = p.vlan ?? 0;
    const srcFirst = src < dst || (src === dst && sport <= dport);
    const key = srcFirst ? `${p.ipProto}|${vlan}|${src}|${sport}|${dst}|${dport}` : `${p.ipProto}|${vlan}|${dst}|${dport}|${src}|${sport}`;
    let f = this.flows.get(key);
    let fwd: boolean;
    if (f === undefined) {
      if (this.flows.size >= this.maxFlows) this.evictOldest("capacity");
      f = {
        key,
        ipProto: p.ipProto,
        vlan,
        srcIp: src,
        srcPort: sport,
        dstIp: dst,
        dstPort: dport,
        packetsFwd: 0,
        bytesFwd: 0,
        packetsBwd: 0,
        bytesBwd: 0,
        firstTs: p.ts,
        lastTs: p.ts,
        app: undefined,
        tcpState: "none",
        finMask: 0,
        firstIndex: p.index,
      };
      this.created++;
      fwd = true;
    } else {
      this.flows.delete(key); // re-inserted below: the Map stays in least-recently-seen order
      fwd = f.srcIp === src && f.srcPort === sport;
    }
    this.flows.set(key, f);
    if (fwd) {
      f.packetsFwd++;
      f.bytesFwd += p.wireLength;
    } else {
      f.packetsBwd++;
      f.bytesBwd += p.wireLength;
    }
    if (p.ts > f.lastTs) f.lastTs = p.ts;
    if (f.app === undefined && p.app !== undefined) f.app = p.app;
    if (p.tcpFlags !== undefined) tcpTransition(f, p.tcpFlags, fwd);
    return f;
  }

  /** Ends every flow (end of capture). */
  flush(): void {
    for (const f of this.flows.values()) this.evict(f, "end");
    this.flows.clear();
  }

  /** Evicts flows idle at capture time `now`. */
  expire(now: number): void {
    for (const f of this.flows.values()) {
      if (now - f.lastTs <= this.idleTimeout) break;
      this.flows.delete(f.key);
      this.evict(f, "idle");
    }
  }

  private evictOldest(reason: EvictReason): void {
    const first = this.flows.values().next();
    if (first.done) return;
    this.flows.delete(first.value.key);
    this.evict(first.value, reason);
  }

  private evict(f: Flow, reason: EvictReason): void {
    this.evicted++;
    this.onEvict?.(f, reason);
  }
}

function tcpTransition(f: Flow, flags: number, fwd: boolean): void {
  if (flags & 0x04) {
    f.tcpState = "reset";
    return;
  }
  if (flags & 0x01) {
    f.finMask |= fwd ? 1 : 2;
    f.tcpState = f.finMask === 3 ? "closed" : "closing";
    return;
  }
  if (f.tcpState === "none" && flags & 0x02 && !(flags & 0x10)) f.tcpState = "syn-sent";
  else if ((f.tcpState === "none" || f.tcpState === "syn-sent") && flags & 0x10) f.tcpState = "established";
}
