/**
 * One captured frame → one flat DecodedPacket: link layer (Ethernet + 802.1Q/QinQ, Linux cooked
 * SLL/SLL2, raw IP, BSD null/loop) → ARP / IPv4 / IPv6 (extension headers, fragments) → TCP / UDP /
 * ICMP / ICMPv6 → application fields. Never throws: what cannot be decoded is named in decodeError and
 * the layers decoded so far are kept. Hot path: plain loops over bytes, no closures or regexes, and a
 * record built with every field in the same order so V8 keeps one shape for all packets.
 */
import type { DecodedPacket } from "../packet.js";
import type { RawPacket } from "../pcap/types.js";
import { ipv4String, ipv6String, macString } from "./addr.js";
import { decodeApp } from "./app.js";

function blank(raw: RawPacket): DecodedPacket {
  return {
    index: raw.index,
    ts: raw.tsSec + raw.tsNsec / 1e9,
    wireLength: raw.wireLength,
    capturedLength: raw.data.length,
    iface: raw.iface,
    linkType: raw.linkType,
    srcMac: undefined,
    dstMac: undefined,
    vlan: undefined,
    etherType: undefined,
    ipVersion: undefined,
    srcIp: undefined,
    dstIp: undefined,
    ttl: undefined,
    ipTruncated: undefined,
    ipProto: undefined,
    srcPort: undefined,
    dstPort: undefined,
    tcpFlags: undefined,
    tcpSeq: undefined,
    tcpAck: undefined,
    tcpWindow: undefined,
    icmpType: undefined,
    icmpCode: undefined,
    payloadLength: 0,
    app: undefined,
    dnsQuery: undefined,
    tlsSni: undefined,
    httpHost: undefined,
    httpUserAgent: undefined,
    httpMethod: undefined,
    httpPath: undefined,
    mqttType: undefined,
    mqttTopic: undefined,
    coapMethod: undefined,
    coapPath: undefined,
    ssdpMethod: undefined,
    ssdpTarget: undefined,
    decodeError: undefined,
  };
}

export function decodePacket(raw: RawPacket): DecodedPacket {
  const p = blank(raw);
  try {
    decodeLink(p, raw.data, raw.linkType);
  } catch (err) {
    // A bug in a decoder must not stop a capture: record it like any undecodable layer.
    p.decodeError = `internal: ${(err as Error).message}`;
  }
  return p;
}

function decodeLink(p: DecodedPacket, b: Uint8Array, linkType: number): void {
  const end = b.length;
  switch (linkType) {
    case 1: {
      if (end < 14) return void (p.decodeError = `ethernet: truncated (${end} bytes)`);
      p.dstMac = macString(b, 0);
      p.srcMac = macString(b, 6);
      return decodeEtherType(p, b, 12, end);
    }
    case 113: {
      if (end < 16) return void (p.decodeError = `sll: truncated (${end} bytes)`);
      if (((b[4]! << 8) | b[5]!) === 6) p.srcMac = macString(b, 6);
      return decodeEtherType(p, b, 14, end);
    }
    case 276: {
      if (end < 20) return void (p.decodeError = `sll2: truncated (${end} bytes)`);
      if (b[11] === 6) p.srcMac = macString(b, 12);
      return decodeL3(p, b, (b[0]! << 8) | b[1]!, 20, end);
    }
    case 0:
    case 108: {
      if (end < 4) return void (p.decodeError = `null: truncated (${end} bytes)`);
      // DLT_NULL stores the address family in the capturing host's byte order; DLT_LOOP in network order.
      const fam = linkType === 108 || b[0] === 0 ? (b[2]! << 8) | b[3]! : b[0]!;
      if (fam === 2) return decodeL3(p, b, 0x0800, 4, end);
      if (fam === 24 || fam === 28 || fam === 30 || fam === 10) return decodeL3(p, b, 0x86dd, 4, end);
      return void (p.decodeError = `null: unknown address family ${fam}`);
    }
    case 101:
    case 12:
    case 14:
    case 228:
    case 229: {
      if (end < 1) return void (p.decodeError = "raw: empty packet");
      const v = b[0]! >> 4;
      if (v === 4) return decodeL3(p, b, 0x0800, 0, end);
      if (v === 6) return decodeL3(p, b, 0x86dd, 0, end);
      return void (p.decodeError = `raw: IP version ${v}`);
    }
    default:
      p.decodeError = `link type ${linkType} not decoded`;
  }
}

function decodeEtherType(p: DecodedPacket, b: Uint8Array, o: number, end: number): void {
  let type = (b[o]! << 8) | b[o + 1]!;
  o += 2;
  // 802.1Q (0x8100), 802.1ad (0x88a8) and the old QinQ 0x9100: like nDPI, the innermost tag is kept.
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
    if (end - o < 4) return void (p.decodeError = "vlan: truncated tag");
    p.vlan = ((b[o]! << 8) | b[o + 1]!) & 0x0fff;
    type = (b[o + 2]! << 8) | b[o + 3]!;
    o += 4;
  }
  if (type < 0x0600) return; // 802.3 length field: LLC frame (STP, …), no EtherType
  if (type === 0x8864) {
    // PPPoE session: 6-byte PPPoE header, then the PPP protocol (0x0021 IPv4, 0x0057 IPv6).
    p.etherType = type;
    if (end - o < 8) return void (p.decodeError = "pppoe: truncated");
    const ppp = (b[o + 6]! << 8) | b[o + 7]!;
    if (ppp === 0x0021) return decodeL3(p, b, 0x0800, o + 8, end);
    if (ppp === 0x0057) return decodeL3(p, b, 0x86dd, o + 8, end);
    return;
  }
  decodeL3(p, b, type, o, end);
}

function decodeL3(p: DecodedPacket, b: Uint8Array, type: number, o: number, end: number): void {
  p.etherType = type;
  if (type === 0x0800) return decodeIPv4(p, b, o, end);
  if (type === 0x86dd) return decodeIPv6(p, b, o, end);
  if (type === 0x0806) {
    p.app = "arp";
    if (end - o < 8) p.decodeError = "arp: truncated";
  }
}

function decodeIPv4(p: DecodedPacket, b: Uint8Array, o: number, end: number): void {
  if (end - o < 20) return void (p.decodeError = `ipv4: truncated header (${end - o} bytes)`);
  const vihl = b[o]!;
  if (vihl >> 4 !== 4) return void (p.decodeError = `ipv4: version ${vihl >> 4}`);
  const hl = (vihl & 0x0f) * 4;
  if (hl < 20) return void (p.decodeError = `ipv4: header length ${hl}`);
  p.ipVersion = 4;
  p.ttl = b[o + 8]!;
  p.ipProto = b[o + 9]!;
  p.srcIp = ipv4String(b, o + 12);
  p.dstIp = ipv4String(b, o + 16);
  if (end - o < hl) return void (p.decodeError = `ipv4: options truncated (header ${hl} bytes)`);
  const total = (b[o + 2]! << 8) | b[o + 3]!;
  // Ethernet pads short frames: the IP total length says where the datagram ends. A smaller
  // captured length is just snaplen; a total below the header length is TSO/offload zero, ignored.
  if (total >= hl && o + total < end) end = o + total;
  else if (o + total > end) p.ipTruncated = true;
  const frag = ((b[o + 6]! << 8) | b[o + 7]!) & 0x1fff;
  if (frag !== 0) {
    p.payloadLength = end - o - hl;
    return; // not the first fragment: no transport header here
  }
  decodeL4(p, b, p.ipProto, o + hl, end);
}

function decodeIPv6(p: DecodedPacket, b: Uint8Array, o: number, end: number): void {
  if (end - o < 40) return void (p.decodeError = `ipv6: truncated header (${end - o} bytes)`);
  if (b[o]! >> 4 !== 6) return void (p.decodeError = `ipv6: version ${b[o]! >> 4}`);
  p.ipVersion = 6;
  p.ttl = b[o + 7]!;
  p.srcIp = ipv6String(b, o + 8);
  p.dstIp = ipv6String(b, o + 24);
  const plen = (b[o + 4]! << 8) | b[o + 5]!;
  if (plen > 0 && o + 40 + plen < end) end = o + 40 + plen; // plen 0: jumbogram or offload
  else if (o + 40 + plen > end) p.ipTruncated = true;
  let next = b[o + 6]!;
  let q = o + 40;
  for (let hops = 0; hops < 16; hops++) {
    if (next === 0 || next === 43 || next === 60 || next === 44 || next === 51) {
      if (end - q < 8) {
        p.ipProto = next;
        return void (p.decodeError = `ipv6: extension header ${next} truncated`);
      }
      if (next === 44) {
        const off = ((b[q + 2]! << 8) | b[q + 3]!) >> 3;
        next = b[q]!;
        q += 8;
        if (off !== 0) {
          p.ipProto = next;
          p.payloadLength = end - q;
          return;
        }
        continue;
      }
      const len = next === 51 ? (b[q + 1]! + 2) * 4 : (b[q + 1]! + 1) * 8;
      next = b[q]!;
      q += len;
      if (q > end) {
        p.ipProto = next;
        return void (p.decodeError = "ipv6: extension header overruns the packet");
      }
      continue;
    }
    break;
  }
  p.ipProto = next;
  decodeL4(p, b, next, q, end);
}

function decodeL4(p: DecodedPacket, b: Uint8Array, proto: number, o: number, end: number): void {
  switch (proto) {
    case 6: {
      if (end - o < 20) return void (p.decodeError = `tcp: truncated header (${end - o} bytes)`);
      p.srcPort = (b[o]! << 8) | b[o + 1]!;
      p.dstPort = (b[o + 2]! << 8) | b[o + 3]!;
      p.tcpSeq = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
      p.tcpAck = ((b[o + 8]! << 24) | (b[o + 9]! << 16) | (b[o + 10]! << 8) | b[o + 11]!) >>> 0;
      p.tcpFlags = b[o + 13]!;
      p.tcpWindow = (b[o + 14]! << 8) | b[o + 15]!;
      const doff = (b[o + 12]! >> 4) * 4;
      if (doff < 20) return void (p.decodeError = `tcp: data offset ${doff}`);
      if (end - o < doff) return void (p.decodeError = `tcp: options truncated (header ${doff} bytes)`);
      p.payloadLength = end - o - doff;
      return decodeApp(p, b, o + doff, end, true);
    }
    case 17: {
      if (end - o < 8) return void (p.decodeError = `udp: truncated header (${end - o} bytes)`);
      p.srcPort = (b[o]! << 8) | b[o + 1]!;
      p.dstPort = (b[o + 2]! << 8) | b[o + 3]!;
      const len = (b[o + 4]! << 8) | b[o + 5]!;
      if (len >= 8 && o + len < end) end = o + len;
      p.payloadLength = end - o - 8;
      return decodeApp(p, b, o + 8, end, false);
    }
    case 1:
    case 58: {
      p.app = "icmp";
      if (end - o < 4) return void (p.decodeError = "icmp: truncated header");
      p.icmpType = b[o]!;
      p.icmpCode = b[o + 1]!;
      p.payloadLength = Math.max(0, end - o - 8);
      return;
    }
    default:
      p.payloadLength = Math.max(0, end - o);
  }
}
