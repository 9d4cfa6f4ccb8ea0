/**
 * What `iotscope traffic read` reports about a capture: format and link types, packet/byte counts,
 * duration, flows, application protocols, top talkers and decode errors (with packet indexes). One
 * pass, memory bounded by the flow table and by caps on talkers and listed errors.
 */
import { decodePacket } from "../decode/index.js";
import type { DecodedPacket } from "../packet.js";
import type { CaptureReader } from "../pcap/index.js";
import { FlowTable } from "./table.js";

const MAX_TALKERS_TRACKED = 100_000;
const MAX_ERRORS_LISTED = 20;

export interface CaptureSummary {
  format: string | undefined;
  linkTypes: number[];
  packets: number;
  bytes: number;
  capturedBytes: number;
  firstTs: number | null;
  lastTs: number | null;
  durationSec: number;
  flows: number;
  /** Per application protocol of the flows ("other" when none was recognised); non-IP frames by their own (arp, other). */
  protocols: Record<string, { packets: number; bytes: number; flows: number }>;
  /** Source addresses sending the most bytes. */
  topTalkers: { ip: string; packets: number; bytes: number }[];
  decodeErrors: { count: number; first: { index: number; error: string }[] };
  /** Set when the capture is truncated or corrupt: the counts above cover the packets before it. */
  captureError?: { offset: number; reason: string };
}

export interface SummaryOptions {
  /** Called with every decoded packet (e.g. to print it). May return a promise to apply backpressure. */
  onPacket?: (p: DecodedPacket) => void | Promise<void>;
  topTalkers?: number;
}

export async function summarizeCapture(reader: CaptureReader, opts: SummaryOptions = {}): Promise<CaptureSummary> {
  const protocols: CaptureSummary["protocols"] = {};
  const talkers = new Map<string, { packets: number; bytes: number }>();
  const errors: { index: number; error: string }[] = [];
  let errorCount = 0;
  let packets = 0;
  let bytes = 0;
  let capturedBytes = 0;
  let firstTs: number | null = null;
  let lastTs: number | null = null;
  const flowApps = (app: string) => (protocols[app] ??= { packets: 0, bytes: 0, flows: 0 });
  // IP packets count under their flow's protocol (a flow's bare ACKs are MQTT too); others under their own.
  const table = new FlowTable({
    onEvict: (f) => {
      const c = flowApps(f.app ?? "other");
      c.flows++;
      c.packets += f.packetsFwd + f.packetsBwd;
      c.bytes += f.bytesFwd + f.bytesBwd;
    },
  });

  for await (const raw of reader) {
    const p = decodePacket(raw);
    packets++;
    bytes += p.wireLength;
    capturedBytes += p.capturedLength;
    if (firstTs === null || p.ts < firstTs) firstTs = p.ts;
    if (lastTs === null || p.ts > lastTs) lastTs = p.ts;
    if (p.decodeError !== undefined) {
      errorCount++;
      if (errors.length < MAX_ERRORS_LISTED) errors.push({ index: p.index, error: p.decodeError });
    }
    if (p.srcIp !== undefined) {
      let t = talkers.get(p.srcIp);
      if (t === undefined && talkers.size < MAX_TALKERS_TRACKED) talkers.set(p.srcIp, (t = { packets: 0, bytes: 0 }));
      if (t) {
        t.packets++;
        t.bytes += p.wireLength;
      }
    }
    if (!table.add(p)) {
      const c = flowApps(p.app ?? "other");
      c.packets++;
      c.bytes += p.wireLength;
    }
    if (opts.onPacket) await opts.onPacket(p);
  }
  table.flush();
  const top = [...talkers.entries()]
    .sort((a, b) => b[1].bytes - a[1].bytes || a[0].localeCompare(b[0]))
    .slice(0, opts.topTalkers ?? 10)
    .map(([ip, t]) => ({ ip, ...t }));
  return {
    format: reader.format,
    linkTypes: reader.linkTypes,
    packets,
    bytes,
    capturedBytes,
    firstTs,
    lastTs,
    durationSec: firstTs === null || lastTs === null ? 0 : lastTs - firstTs,
    flows: table.created,
    protocols,
    topTalkers: top,
    decodeErrors: { count: errorCount, first: errors },
    ...(reader.error ? { captureError: { offset: reader.error.offset, reason: reader.error.reason } } : {}),
  };
}
