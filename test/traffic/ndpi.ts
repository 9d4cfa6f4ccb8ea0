/**
 * Reads nDPI's expected-output files (`<capture>.ndpi.out`, from nDPI's tests/cfgs/default/result):
 * every flow line looks like
 *   `\t3\tUDP 1.2.3.4:5 <-> 6.7.8.9:53 [VLAN: 785][proto: …]…[1 pkts/91 bytes <-> 1 pkts/219 bytes]…`
 * (`->` and `0 pkts/0 bytes` for one-way flows), listed under the detected flows and again under
 * "Undetected flows:". nDPI's totals are the sums over these lines.
 */
export interface NdpiFlow {
  proto: string;
  a: string;
  b: string;
  vlan: number;
  packetsAB: number;
  bytesAB: number;
  packetsBA: number;
  bytesBA: number;
}

const FLOW = /^\t\d+\t(\S+) (\S+) <?-> (\S+) (.*)$/;
const COUNTS = /\[(\d+) pkts\/(\d+) bytes <?-> (\d+) pkts\/(\d+) bytes\]/;
const VLAN = /\[VLAN: (\d+)\]/;

export function parseNdpiOut(text: string): NdpiFlow[] {
  const flows: NdpiFlow[] = [];
  for (const line of text.split("\n")) {
    const m = FLOW.exec(line);
    if (!m) continue;
    const c = COUNTS.exec(m[4]!);
    if (!c) throw new Error(`nDPI flow line without counts: ${line}`);
    flows.push({
      proto: m[1]!,
      a: m[2]!,
      b: m[3]!,
      vlan: Number(VLAN.exec(m[4]!)?.[1] ?? 0),
      packetsAB: Number(c[1]),
      bytesAB: Number(c[2]),
      packetsBA: Number(c[3]),
      bytesBA: Number(c[4]),
    });
  }
  return flows;
}

/** "1.2.3.4:5" or "[::1]:5" → ["1.2.3.4", 5]. */
export function splitEndpoint(ep: string): [string, number] {
  const i = ep.lastIndexOf(":");
  const host = ep.slice(0, i);
  return [host.startsWith("[") ? host.slice(1, -1) : host, Number(ep.slice(i + 1))];
}
