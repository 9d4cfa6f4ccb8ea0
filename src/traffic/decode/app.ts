/**
 * Application layer: recognise the protocol from the payload first (TLS record, HTTP/SSDP start line,
 * MQTT CONNECT), then from well-known ports, and fill the fields identification needs.
 */
import type { DecodedPacket } from "../packet.js";
import { coapMessage } from "./coap.js";
import { dnsQueryName } from "./dns.js";
import { headerNames, isHttpResponse, methodName, requestMethod, scanHeaders } from "./http.js";
import { looksLikeMqtt, mqttPacket } from "./mqtt.js";
import { isTlsRecord, tlsClientHelloSni } from "./tls.js";

const HTTP_HEADERS = headerNames("host", "user-agent");
const SSDP_HEADERS = headerNames("st", "nt");
const M_SEARCH = 9;
const NOTIFY = 10;

function either(p: DecodedPacket, port: number): boolean {
  return p.srcPort === port || p.dstPort === port;
}

export function decodeApp(p: DecodedPacket, b: Uint8Array, o: number, end: number, tcp: boolean): void {
  if (tcp) return decodeTcpApp(p, b, o, end);
  const m = requestMethod(b, o, end);
  if (m === M_SEARCH || m === NOTIFY || (either(p, 1900) && (m >= 0 || isHttpResponse(b, o, end)))) {
    p.app = "ssdp";
    const h = scanHeaders(b, o, end, SSDP_HEADERS);
    p.ssdpMethod = m >= 0 ? methodName(m) : "HTTP/1.1 200";
    p.ssdpTarget = h.values[0] ?? h.values[1];
    return;
  }
  if (either(p, 5353)) {
    p.app = "mdns";
    p.dnsQuery = dnsQueryName(b, o, end);
  } else if (either(p, 53) || either(p, 5355)) {
    p.app = "dns";
    p.dnsQuery = dnsQueryName(b, o, end);
  } else if (either(p, 5683)) {
    const c = coapMessage(b, o, end);
    if (c || o === end) p.app = "coap";
    if (c) {
      p.coapMethod = c.method;
      p.coapPath = c.path;
    }
  } else if (either(p, 123)) p.app = "ntp";
  else if (either(p, 67) || either(p, 68) || either(p, 546) || either(p, 547)) p.app = "dhcp";
  else if (either(p, 1900)) p.app = "ssdp";
  else if (either(p, 5684)) p.app = "coap";
}

function decodeTcpApp(p: DecodedPacket, b: Uint8Array, o: number, end: number): void {
  if (end > o) {
    if (isTlsRecord(b, o, end)) {
      p.app = "tls";
      p.tlsSni = tlsClientHelloSni(b, o, end);
      return;
    }
    const m = requestMethod(b, o, end);
    if (m >= 0) {
      p.app = "http";
      p.httpMethod = methodName(m);
      const h = scanHeaders(b, o, end, HTTP_HEADERS);
      p.httpPath = h.path;
      p.httpHost = h.values[0];
      p.httpUserAgent = h.values[1];
      return;
    }
    if (isHttpResponse(b, o, end)) {
      p.app = "http";
      return;
    }
    const mqttPort = either(p, 1883);
    if (mqttPort || looksLikeMqtt(b, o, end)) {
      const info = mqttPacket(b, o, end);
      if (info) {
        p.app = "mqtt";
        p.mqttType = info.type;
        p.mqttTopic = info.topic;
        return;
      }
    }
    if (either(p, 53)) {
      p.app = "dns";
      if (end - o > 2) p.dnsQuery = dnsQueryName(b, o + 2, end);
      return;
    }
  }
  p.app = tcpPortApp(p.srcPort!, p.dstPort!);
}

function tcpPortApp(a: number, b: number): DecodedPacket["app"] {
  for (let i = 0; i < 2; i++) {
    switch (i === 0 ? b : a) {
      case 23:
      case 2323:
        return "telnet";
      case 1883:
        return "mqtt";
      case 80:
      case 8080:
        return "http";
      case 443:
      case 8443:
      case 8883:
        return "tls";
      case 53:
        return "dns";
    }
  }
  return undefined;
}
