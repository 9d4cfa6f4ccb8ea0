/**
 * What the decoder (src/traffic/decode) gives every consumer (flows, features, models, `traffic read`):
 * one flat record per packet, cheap to build (numbers and short strings, no nested objects on the hot
 * path), with the layers it could decode. Fields a layer does not have stay undefined. Application
 * fields are filled only for the packets that carry them (a DNS query, a ClientHello, …).
 */
export interface DecodedPacket {
  /** Index of the packet in the capture (0-based), for errors and labels. */
  index: number;
  /** Capture timestamp, seconds since the epoch with sub-second precision (ns captures keep µs here). */
  ts: number;
  /** Bytes on the wire (original length) and bytes captured. */
  wireLength: number;
  capturedLength: number;
  /** pcapng interface id (0 for pcap). */
  iface: number;
  linkType: number;
  srcMac?: string;
  dstMac?: string;
  vlan?: number;
  /** EtherType of the payload after VLAN tags (0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP, …). */
  etherType?: number;
  ipVersion?: 4 | 6;
  srcIp?: string;
  dstIp?: string;
  ttl?: number;
  /**
   * The IP datagram is longer than the bytes captured (snaplen, or a record cut short): the layers above
   * may be partial. nDPI's reader drops such IPv4 packets from its flows; we keep them (docs/traffic.md).
   */
  ipTruncated?: boolean;
  /** IP protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 47 GRE, … */
  ipProto?: number;
  srcPort?: number;
  dstPort?: number;
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80). */
  tcpFlags?: number;
  tcpSeq?: number;
  tcpAck?: number;
  tcpWindow?: number;
  icmpType?: number;
  icmpCode?: number;
  /** Transport payload length in bytes. */
  payloadLength: number;
  /** The application protocol recognised from the payload (or the port when the payload says nothing). */
  app?: "dns" | "mdns" | "tls" | "http" | "mqtt" | "coap" | "ssdp" | "ntp" | "dhcp" | "telnet" | "arp" | "icmp";
  dnsQuery?: string;
  tlsSni?: string;
  httpHost?: string;
  httpUserAgent?: string;
  httpMethod?: string;
  httpPath?: string;
  /** MQTT control packet type name (CONNECT, PUBLISH, …) and topic when it has one. */
  mqttType?: string;
  mqttTopic?: string;
  coapMethod?: string;
  coapPath?: string;
  /** SSDP start line method (M-SEARCH, NOTIFY) or HTTP/1.1 200 for answers, and ST/NT. */
  ssdpMethod?: string;
  ssdpTarget?: string;
  /** A layer that could not be decoded: which and why (the packet is still counted). */
  decodeError?: string;
}
