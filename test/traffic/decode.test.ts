import { describe, expect, it } from "vitest";
import { decodePacket, dnsName, dnsQueryName, ipv6String } from "../../src/traffic/decode/index.js";
import { bytes, clientHello, dnsQuery, ether, ipv4, ipv6, raw, tcp, u16, udp } from "./build.js";

const dec = (data: Uint8Array, linkType = 1) => decodePacket(raw(data, linkType));

describe("link and network layers", () => {
  it("Ethernet + IPv4 + UDP, with MACs, TTL, ports and payload length (Ethernet padding ignored)", () => {
    const frame = bytes(ether(0x0800, ipv4(17, udp(4000, 9999, "abc"))), new Uint8Array(20));
    const p = dec(frame);
    expect(p).toMatchObject({ srcMac: "0a:0b:0c:0d:0e:0f", dstMac: "00:01:02:03:04:05", etherType: 0x0800, ipVersion: 4, srcIp: "10.0.0.1", dstIp: "10.0.0.2", ttl: 64, ipProto: 17, srcPort: 4000, dstPort: 9999, payloadLength: 3 });
    expect(p.decodeError).toBeUndefined();
  });

  it("802.1Q and QinQ: the inner VLAN id is kept (as nDPI does), the EtherType is the payload's", () => {
    expect(dec(ether(0x0800, ipv4(17, udp(1, 2, "")), [100]))).toMatchObject({ vlan: 100, etherType: 0x0800, srcPort: 1 });
    expect(dec(ether(0x0800, ipv4(17, udp(1, 2, "")), [7, 300]))).toMatchObject({ vlan: 300, etherType: 0x0800, dstPort: 2 });
  });

  it("ARP", () => {
    expect(dec(ether(0x0806, bytes(u16(1), u16(0x0800), [6, 4], u16(1), new Uint8Array(20))))).toMatchObject({ app: "arp", etherType: 0x0806 });
  });

  it("IPv4 with options, and fragments: only the first has a transport header", () => {
    expect(dec(ether(0x0800, ipv4(6, tcp(1234, 80, 0x02), { ihl: 7 })))).toMatchObject({ srcPort: 1234, dstPort: 80, tcpFlags: 0x02 });
    expect(dec(ether(0x0800, ipv4(17, udp(5, 6, "x"), { mf: true })))).toMatchObject({ srcPort: 5, dstPort: 6 });
    const later = dec(ether(0x0800, ipv4(17, udp(5, 6, "x"), { frag: 185 })));
    expect(later.srcPort).toBeUndefined();
    expect(later.ipProto).toBe(17);
    expect(later.decodeError).toBeUndefined();
  });

  it("IPv6 through hop-by-hop, routing, destination options and a first fragment", () => {
    const hop = bytes([43, 0], new Uint8Array(6));
    const routing = bytes([60, 0], new Uint8Array(6));
    const dest = bytes([44, 0], new Uint8Array(6));
    const frag = bytes([17, 0], u16(0x0001), [0, 0, 0, 9]);
    const p = dec(ether(0x86dd, ipv6(0, udp(5353, 5353, dnsQuery("printer.local")), bytes(hop, routing, dest, frag))));
    expect(p).toMatchObject({ ipVersion: 6, srcIp: "2001:db8::1", dstIp: "fe80::2", ipProto: 17, srcPort: 5353, app: "mdns", dnsQuery: "printer.local" });
    const later = dec(ether(0x86dd, ipv6(44, new Uint8Array(16), bytes([17, 0], u16(0x0010), [0, 0, 0, 9]))));
    expect(later.srcPort).toBeUndefined();
    expect(later.ipProto).toBe(17);
  });

  it("marks an IP datagram longer than the bytes captured (snaplen) as ipTruncated, still decoding its headers", () => {
    const whole = ether(0x0800, ipv4(6, tcp(1, 2, 0x18, "some payload")));
    expect(dec(whole).ipTruncated).toBeUndefined();
    const cut = dec(whole.subarray(0, whole.length - 4));
    expect(cut).toMatchObject({ ipTruncated: true, srcPort: 1, payloadLength: 8 });
    expect(cut.decodeError).toBeUndefined();
    const v6 = ether(0x86dd, ipv6(17, udp(1, 2, "abcdef")));
    expect(dec(v6.subarray(0, v6.length - 2)).ipTruncated).toBe(true);
  });

  it("ICMP and ICMPv6 type/code", () => {
    expect(dec(ether(0x0800, ipv4(1, bytes([8, 0, 0, 0, 0, 1, 0, 1]))))).toMatchObject({ app: "icmp", icmpType: 8, icmpCode: 0 });
    expect(dec(ether(0x86dd, ipv6(58, bytes([135, 0, 0, 0], new Uint8Array(20)))))).toMatchObject({ app: "icmp", icmpType: 135, ipProto: 58 });
  });

  it("Linux cooked SLL and SLL2, raw IP (101, 228, 229), null/loopback in both byte orders", () => {
    const ip = ipv4(17, udp(1, 53, dnsQuery("a.example")));
    const sll = bytes(u16(0), u16(1), u16(6), [1, 2, 3, 4, 5, 6, 0, 0], u16(0x0800), ip);
    expect(dec(sll, 113)).toMatchObject({ srcMac: "01:02:03:04:05:06", srcIp: "10.0.0.1", dnsQuery: "a.example" });
    const sll2 = bytes(u16(0x0800), u16(0), [0, 0, 0, 2], u16(1), [0, 6], [1, 2, 3, 4, 5, 6, 0, 0], ip);
    expect(dec(sll2, 276)).toMatchObject({ srcMac: "01:02:03:04:05:06", dstPort: 53 });
    for (const lt of [101, 228]) expect(dec(ip, lt)).toMatchObject({ ipVersion: 4, dstPort: 53 });
    expect(dec(ipv6(17, udp(1, 2, "")), 229)).toMatchObject({ ipVersion: 6, dstPort: 2 });
    expect(dec(bytes([2, 0, 0, 0], ip), 0)).toMatchObject({ ipVersion: 4 });
    expect(dec(bytes([0, 0, 0, 2], ip), 0)).toMatchObject({ ipVersion: 4 });
    expect(dec(bytes([30, 0, 0, 0], ipv6(17, udp(1, 2, ""))), 0)).toMatchObject({ ipVersion: 6 });
  });

  it("names the layer that failed, keeps the layers before it, never throws", () => {
    expect(dec(bytes([1, 2, 3]))).toMatchObject({ decodeError: "ethernet: truncated (3 bytes)" });
    const cut = ether(0x0800, ipv4(6, tcp(1, 2, 0x10))).subarray(0, 14 + 20 + 10);
    expect(dec(cut)).toMatchObject({ srcIp: "10.0.0.1", ipProto: 6, decodeError: "tcp: truncated header (10 bytes)" });
    expect(dec(bytes([0x45]), 101).decodeError).toMatch(/ipv4: truncated/);
    expect(dec(new Uint8Array(10), 147).decodeError).toBe("link type 147 not decoded");
  });

  it("IPv6 text form follows RFC 5952", () => {
    const a = (hex: string) => ipv6String(Buffer.from(hex, "hex"), 0);
    expect(a("00000000000000000000000000000001")).toBe("::1");
    expect(a("20010db8000000010000000000000001")).toBe("2001:db8:0:1::1");
    expect(a("20010db8000000000001000000000001")).toBe("2001:db8::1:0:0:1");
    expect(a("20010db8000100010001000100010001")).toBe("2001:db8:1:1:1:1:1:1");
    expect(a("00000000000000000000000000000000")).toBe("::");
    expect(a("fe800000000000000000000000000000")).toBe("fe80::");
  });
});

describe("application fields", () => {
  it("DNS query name with compression pointers, and a pointer loop ends without a name", () => {
    expect(dec(ether(0x0800, ipv4(17, udp(3333, 53, dnsQuery("www.example.com")))))).toMatchObject({ app: "dns", dnsQuery: "www.example.com" });
    const q = bytes([0, 0, 0, 0], u16(1), u16(0), u16(0), u16(0), [7], "example", [3], "com", [0]);
    expect(dnsQueryName(q, 0, q.length)).toBe("example.com");
    // An answer name "www" + pointer back to offset 12 ("example.com"), as servers compress answers.
    const msg = bytes(q, [3], "www", [0xc0, 12]);
    expect(dnsName(msg, 0, q.length, msg.length)).toBe("www.example.com");
    // Loops: a pointer to itself, and two names pointing at each other, end without a name.
    const self = bytes([0, 0, 0, 0], u16(1), u16(0), u16(0), u16(0), [0xc0, 12]);
    expect(dnsQueryName(self, 0, self.length)).toBeUndefined();
    const mutual = bytes(q, [1], "a", [0xc0, 25], [0xc0, 25]);
    expect(dnsName(mutual, 0, 25, mutual.length)).toBeUndefined();
    // A label running past the end of the message.
    const cut = bytes([0, 0, 0, 0], u16(1), u16(0), u16(0), u16(0), [30], "short");
    expect(dnsQueryName(cut, 0, cut.length)).toBeUndefined();
  });

  it("TLS ClientHello SNI, also when SNI is not the first extension; a cut ClientHello gives none", () => {
    const hello = clientHello("device.cloud.example");
    expect(dec(ether(0x0800, ipv4(6, tcp(50000, 443, 0x18, hello))))).toMatchObject({ app: "tls", tlsSni: "device.cloud.example" });
    const cut = dec(ether(0x0800, ipv4(6, tcp(50000, 443, 0x18, hello.subarray(0, hello.length - 5)))));
    expect(cut.app).toBe("tls");
    expect(cut.tlsSni).toBeUndefined();
  });

  it("HTTP request line, Host and User-Agent (header names case-insensitive)", () => {
    const req = "GET /api/status?x=1 HTTP/1.1\r\nhOST: cam.local:8080\r\nUser-Agent:  curl/8.5 \r\nAccept: */*\r\n\r\n";
    expect(dec(ether(0x0800, ipv4(6, tcp(40000, 8080, 0x18, req))))).toMatchObject({ app: "http", httpMethod: "GET", httpPath: "/api/status?x=1", httpHost: "cam.local:8080", httpUserAgent: "curl/8.5" });
  });

  it("MQTT CONNECT, PUBLISH topic, SUBSCRIBE topic (3.1.1 and 5.0), on 1883 and on another port", () => {
    const topic = "home/plug/1/state";
    const publish = bytes([0x30, 2 + topic.length + 2], u16(topic.length), topic, "on");
    expect(dec(ether(0x0800, ipv4(6, tcp(40000, 1883, 0x18, publish))))).toMatchObject({ app: "mqtt", mqttType: "PUBLISH", mqttTopic: topic });
    expect(dec(ether(0x0800, ipv4(6, tcp(40000, 17501, 0x18, publish))))).toMatchObject({ app: "mqtt", mqttTopic: topic });
    const sub311 = bytes([0x82, 2 + 2 + 3 + 1], u16(7), u16(3), "a/#", [1]);
    expect(dec(ether(0x0800, ipv4(6, tcp(40000, 1883, 0x18, sub311))))).toMatchObject({ mqttType: "SUBSCRIBE", mqttTopic: "a/#" });
    const sub5 = bytes([0x82, 2 + 1 + 2 + 3 + 1], u16(7), [0], u16(3), "b/+", [1]);
    expect(dec(ether(0x0800, ipv4(6, tcp(40000, 1883, 0x18, sub5))))).toMatchObject({ mqttType: "SUBSCRIBE", mqttTopic: "b/+" });
    const connect = bytes([0x10, 12], u16(4), "MQTT", [4, 2], u16(60), u16(0));
    expect(dec(ether(0x0800, ipv4(6, tcp(40000, 1883, 0x18, connect))))).toMatchObject({ mqttType: "CONNECT" });
    // Random bytes on an unknown port are not MQTT.
    expect(dec(ether(0x0800, ipv4(6, tcp(40000, 17501, 0x18, bytes([0x30, 0x99, 1, 2, 3]))))).app).toBeUndefined();
  });

  it("CoAP method and Uri-Path; response codes as class.detail", () => {
    const get = bytes([0x42, 0x01], u16(0x1234), [0xaa, 0xbb], [0xb7], "sensors", [0x04], "temp", [0xff], "x");
    expect(dec(ether(0x0800, ipv4(17, udp(40000, 5683, get))))).toMatchObject({ app: "coap", coapMethod: "GET", coapPath: "sensors/temp" });
    const content = bytes([0x60, 0x45], u16(0x1234));
    expect(dec(ether(0x0800, ipv4(17, udp(5683, 40000, content))))).toMatchObject({ app: "coap", coapMethod: "2.05" });
  });

  it("SSDP M-SEARCH, NOTIFY and 200 answers with ST/NT, also on a non-1900 port", () => {
    const ms = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nST: urn:schemas-upnp-org:device:MediaRenderer:1\r\n\r\n";
    expect(dec(ether(0x0800, ipv4(17, udp(40000, 1900, ms))))).toMatchObject({ app: "ssdp", ssdpMethod: "M-SEARCH", ssdpTarget: "urn:schemas-upnp-org:device:MediaRenderer:1" });
    expect(dec(ether(0x0800, ipv4(17, udp(40000, 32412, ms))))).toMatchObject({ app: "ssdp" });
    const notify = "NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n\r\n";
    expect(dec(ether(0x0800, ipv4(17, udp(1900, 1900, notify))))).toMatchObject({ ssdpMethod: "NOTIFY", ssdpTarget: "upnp:rootdevice" });
    const ok = "HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n\r\n";
    expect(dec(ether(0x0800, ipv4(17, udp(1900, 40000, ok))))).toMatchObject({ ssdpMethod: "HTTP/1.1 200", ssdpTarget: "upnp:rootdevice" });
  });

  it("NTP, DHCP and Telnet by port", () => {
    expect(dec(ether(0x0800, ipv4(17, udp(123, 123, new Uint8Array(48))))).app).toBe("ntp");
    expect(dec(ether(0x0800, ipv4(17, udp(68, 67, new Uint8Array(240))))).app).toBe("dhcp");
    expect(dec(ether(0x0800, ipv4(6, tcp(40000, 23, 0x02)))).app).toBe("telnet");
    expect(dec(ether(0x0800, ipv4(6, tcp(2323, 40000, 0x12)))).app).toBe("telnet");
  });
});
