/**
 * Builds packets byte by byte for decoder tests (our own fixtures: every header written here is
 * spelled out, so a test says exactly what the decoder must find).
 */
export function bytes(...parts: (number[] | Uint8Array | string)[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Uint8Array.from(p)));
  return Uint8Array.from(Buffer.concat(chunks));
}

export const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
export const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

export function ether(type: number, payload: Uint8Array, vlans: number[] = []): Uint8Array {
  if (vlans.length === 0) return bytes([0, 1, 2, 3, 4, 5, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf], u16(type), payload);
  const head: number[] = [];
  for (let i = 0; i < vlans.length; i++) {
    head.push(...u16(i === 0 ? (vlans.length > 1 ? 0x88a8 : 0x8100) : 0x8100));
    head.push(...u16(vlans[i]!));
  }
  return bytes([0, 1, 2, 3, 4, 5, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf], head, u16(type), payload);
}

export function ipv4(proto: number, payload: Uint8Array, opts: { src?: number[]; dst?: number[]; frag?: number; mf?: boolean; ihl?: number } = {}): Uint8Array {
  const ihl = opts.ihl ?? 5;
  const total = ihl * 4 + payload.length;
  const fragField = ((opts.mf ? 0x2000 : 0) | (opts.frag ?? 0)) & 0xffff;
  const hdr = [0x40 | ihl, 0, ...u16(total), 0, 1, ...u16(fragField), 64, proto, 0, 0, ...(opts.src ?? [10, 0, 0, 1]), ...(opts.dst ?? [10, 0, 0, 2])];
  while (hdr.length < ihl * 4) hdr.push(1); // NOP options
  return bytes(hdr, payload);
}

export function ipv6(next: number, payload: Uint8Array, ext: Uint8Array = new Uint8Array(0)): Uint8Array {
  const src = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const dst = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
  return bytes([0x60, 0, 0, 0], u16(ext.length + payload.length), [next, 32], src, dst, ext, payload);
}

export function udp(sport: number, dport: number, payload: Uint8Array | string): Uint8Array {
  const p = typeof payload === "string" ? bytes(payload) : payload;
  return bytes(u16(sport), u16(dport), u16(8 + p.length), [0, 0], p);
}

export function tcp(sport: number, dport: number, flags: number, payload: Uint8Array | string = new Uint8Array(0), seq = 1000): Uint8Array {
  const p = typeof payload === "string" ? bytes(payload) : payload;
  return bytes(u16(sport), u16(dport), u32(seq), u32(0), [0x50, flags], u16(65535), [0, 0, 0, 0], p);
}

export function raw(data: Uint8Array, linkType = 1, index = 0) {
  return { index, tsSec: 1_700_000_000, tsNsec: 500_000_000, wireLength: data.length, data, linkType, iface: 0 };
}

/** A DNS query message for `name` (no compression). */
export function dnsQuery(name: string): Uint8Array {
  const labels = name.split(".").flatMap((l) => [l.length, ...Buffer.from(l, "latin1")]);
  return bytes([0x12, 0x34, 1, 0], u16(1), u16(0), u16(0), u16(0), labels, [0], u16(1), u16(1));
}

/** A TLS 1.2 ClientHello record carrying server_name `sni`. */
export function clientHello(sni: string): Uint8Array {
  const name = Buffer.from(sni, "latin1");
  const sniExt = bytes(u16(0), u16(name.length + 5), u16(name.length + 3), [0], u16(name.length), name);
  const other = bytes(u16(0x000b), u16(2), [1, 0]); // ec_point_formats first, so SNI is not at the start
  const exts = bytes(other, sniExt);
  const body = bytes([3, 3], new Uint8Array(32), [0], u16(2), [0x13, 0x01], [1, 0], u16(exts.length), exts);
  const hs = bytes([1], [0, (body.length >> 8) & 0xff, body.length & 0xff], body);
  return bytes([0x16, 3, 1], u16(hs.length), hs);
}
