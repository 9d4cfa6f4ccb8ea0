import { describe, expect, it } from "vitest";
import { decodePacket } from "../../src/traffic/decode/index.js";
import { FlowTable, type EvictReason, type Flow } from "../../src/traffic/flows/index.js";
import { ether, ipv4, tcp, udp } from "./build.js";

let index = 0;
function pkt(ts: number, data: Uint8Array) {
  return decodePacket({ index: index++, tsSec: ts, tsNsec: 0, wireLength: data.length, data, linkType: 1, iface: 0 });
}
const A = [10, 0, 0, 1];
const B = [10, 0, 0, 2];
const fromA = (ts: number, flags: number, payload = "") => pkt(ts, ether(0x0800, ipv4(6, tcp(40000, 1883, flags, payload), { src: A, dst: B })));
const fromB = (ts: number, flags: number, payload = "") => pkt(ts, ether(0x0800, ipv4(6, tcp(1883, 40000, flags, payload), { src: B, dst: A })));

describe("flow table", () => {
  it("one bidirectional flow per 5-tuple: counts each way, times, app, TCP states", () => {
    const t = new FlowTable();
    const states: string[] = [];
    const seq = [fromA(1, 0x02), fromB(1.1, 0x12), fromA(1.2, 0x10), fromA(2, 0x18, "\u00c0\u0000"), fromA(5, 0x11), fromB(5.1, 0x11)];
    for (const p of seq) states.push(t.add(p)!.tcpState);
    expect(t.size).toBe(1);
    const f = [...t.active()][0]!;
    expect(f).toMatchObject({ srcIp: "10.0.0.1", srcPort: 40000, dstIp: "10.0.0.2", dstPort: 1883, packetsFwd: 4, packetsBwd: 2, firstTs: 1, lastTs: 5.1, app: "mqtt", ipProto: 6 });
    expect(f.bytesFwd + f.bytesBwd).toBe(seq.reduce((s, p) => s + p.wireLength, 0));
    expect(states).toEqual(["syn-sent", "established", "established", "established", "closing", "closed"]);
    expect(t.add(fromB(6, 0x04))!.tcpState).toBe("reset");
  });

  it("VLAN and protocol are part of the key; non-IP packets have no flow", () => {
    const t = new FlowTable();
    t.add(pkt(1, ether(0x0800, ipv4(17, udp(1, 2, "x"), { src: A, dst: B }))));
    t.add(pkt(1, ether(0x0800, ipv4(17, udp(1, 2, "x"), { src: A, dst: B }), [10])));
    t.add(pkt(1, ether(0x0800, ipv4(6, tcp(1, 2, 0x02), { src: A, dst: B }))));
    expect(t.add(pkt(1, ether(0x0806, new Uint8Array(28))))).toBeUndefined();
    expect(t.created).toBe(3);
  });

  it("evicts idle flows (capture time) and, past maxFlows, the least recently seen", () => {
    const gone: [Flow, EvictReason][] = [];
    const t = new FlowTable({ idleTimeout: 10, maxFlows: 2, onEvict: (f, r) => gone.push([f, r]) });
    const u = (ts: number, sport: number) => pkt(ts, ether(0x0800, ipv4(17, udp(sport, 53, "q"), { src: A, dst: B })));
    t.add(u(0, 1));
    t.add(u(1, 2));
    t.add(u(2, 1)); // flow 1 seen again: flow 2 is now the least recently seen
    t.add(u(3, 3)); // over capacity: flow 2 goes
    expect(gone.map(([f, r]) => [f.srcPort, r])).toEqual([[2, "capacity"]]);
    t.add(u(20, 4)); // flows 1 and 3 idle for more than 10 s
    expect(gone.map(([f, r]) => [f.srcPort, r])).toEqual([
      [2, "capacity"],
      [1, "idle"],
      [3, "idle"],
    ]);
    expect(t.size).toBe(1);
    t.flush();
    expect(gone.at(-1)![1]).toBe("end");
    expect(t.size).toBe(0);
    expect(t.created).toBe(4);
  });
});
