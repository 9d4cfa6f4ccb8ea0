/**
 * MQTT (TCP 1883, TLS 8883): does the broker let anyone in? CONNECT without credentials and record the
 * CONNACK, like ZGrab2's mqtt module and Shadowserver's Open-MQTT report; optionally (--mqtt-subscribe)
 * read $SYS and other topics like nmap's mqtt-subscribe. See docs/scan-modules/mqtt.md.
 */
import type { ScanModule } from "../types.js";
import { mqttFlags } from "./options.js";
import type { MqttResult } from "./result.js";
import { scanMqtt } from "./scan.js";

export const mqttModule: ScanModule<MqttResult> = {
  name: "mqtt",
  description: "MQTT broker: CONNECT without credentials, CONNACK code, anonymous access (optionally topics)",
  transport: "tcp",
  defaultPort: 1883,
  flags: mqttFlags,
  scan: scanMqtt,
};

export type { MqttMessage, MqttResult, MqttSubscribeResult } from "./result.js";
export type { MqttProperties } from "./properties.js";
export type { MqttTlsInfo } from "./tls.js";
export type { MqttConfig, MqttVersion } from "./options.js";
export type { MqttConnack, MqttDisconnect, MqttOtherPacket, MqttPacket, MqttPublish, MqttSuback } from "./parse.js";
export type { MqttFixedHeader, MqttPacketType } from "./frame.js";
export { parseConnack, parseDisconnect, parseMqttPacket, parsePublish, parseSuback, payloadText } from "./parse.js";
export { expectPacket, packetSize, packetTypeNames, readFixedHeader } from "./frame.js";
export { readProperties } from "./properties.js";
export { Cursor } from "./cursor.js";
export { connackCodeName, disconnectReasonName, subackCodeName } from "./codes.js";
export { mqttConfig, mqttFlags, parseMqttOptions } from "./options.js";
export { frameFirstReply, MQTT_TLS_PORT, recordFirstReply, scanMqtt } from "./scan.js";
