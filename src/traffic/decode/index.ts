export { decodePacket } from "./packet.js";
export { dnsName, dnsQueryName } from "./dns.js";
export { tlsClientHelloSni } from "./tls.js";
export { mqttPacket } from "./mqtt.js";
export { coapMessage } from "./coap.js";
export { ipv4String, ipv6String, macString } from "./addr.js";
