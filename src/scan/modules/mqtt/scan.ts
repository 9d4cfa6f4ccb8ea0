/**
 * One MQTT probe: CONNECT without credentials, read the first reply (CONNACK, or a v5 DISCONNECT),
 * optionally SUBSCRIBE and listen, then DISCONNECT politely. Hot path (no --mqtt-subscribe): one dial,
 * one write of a pre-encoded Buffer, one framed read, no per-target closures.
 */
import type { Socket } from "node:net";
import { outcomeFromError, SocketReader } from "../io.js";
import { ProbeError, type ScanContext, type ScanOutcome, type Target } from "../types.js";
import { connackCodeName, disconnectReasonName, hexByte } from "./codes.js";
import { CONNACK, DISCONNECT, packetSize, packetTypeNames } from "./frame.js";
import { mqttConfig, type MqttConfig } from "./options.js";
import { parseConnack, parseDisconnect, parseMqttPacket } from "./parse.js";
import type { MqttResult, MqttSubscribeResult } from "./result.js";
import { tlsInfo, tlsOptions } from "./tls.js";

/** The MQTT-over-TLS port (IANA "secure-mqtt"): TLS there without asking. */
export const MQTT_TLS_PORT = 8883;
/** Largest first reply accepted: a CONNACK is 4 bytes in v3 and rarely 100 in v5. */
export const MAX_FIRST_PACKET = 16 * 1024;
/** Bytes of the first reply kept as hex. */
export const RAW_RESPONSE_BYTES = 256;
/** Payload bytes kept per PUBLISH. */
export const PAYLOAD_BYTES = 256;

export async function scanMqtt(target: Target, ctx: ScanContext): Promise<ScanOutcome<MqttResult>> {
  const cfg = mqttConfig(ctx.options);
  const useTls = cfg.tls || target.port === MQTT_TLS_PORT;
  const result: MqttResult = { protocol_version: cfg.version, client_id: cfg.clientId };
  let socket: Socket | undefined;
  let reader: SocketReader | undefined;
  try {
    socket = await ctx.dial(target, useTls ? { tls: tlsOptions(target) } : undefined);
    reader = new SocketReader(socket, ctx.maxReadBytes);
    if (useTls) result.tls = tlsInfo(socket);
    // Not awaited: a failed write surfaces as a socket error, which the reader turns into a status.
    socket.write(cfg.connect);
    const first = await reader.readMessage(frameFirstReply, ctx.readTimeoutMs);
    recordFirstReply(result, first, cfg.version === 5);
    if (result.anonymous_access) {
      if (cfg.subscribe && !ctx.signal.aborted) await listen(socket, reader, cfg, ctx, result);
      // Handed to the kernel synchronously (libuv writes at once when its queue is empty), so the
      // destroy below does not drop it: mosquitto logs "Received DISCONNECT".
      if (socket.writable) socket.write(cfg.disconnect);
    }
    return { status: "success", result };
  } catch (err) {
    if (reader && result.raw_response === undefined) {
      // Keep whatever the peer did send (garbage, a truncated CONNACK): it is the evidence.
      const { data } = await reader.readToEnd(0);
      if (data.length > 0) setRaw(result, data);
    }
    // Nothing was exchanged when the dial failed: no result, as in ZGrab2.
    return socket ? outcomeFromError(err, result) : outcomeFromError(err);
  } finally {
    socket?.destroy();
  }
}

/**
 * Frames the broker's first packet. Anything but CONNACK/DISCONNECT is refused at its first byte, and a
 * declared length above MAX_FIRST_PACKET at its header, without waiting for more data.
 */
export function frameFirstReply(buf: Buffer): number | undefined {
  const type = buf[0]! >> 4;
  if (type !== CONNACK && type !== DISCONNECT) {
    throw new ProbeError(
      "protocol-error",
      `expected CONNACK, got ${type === 0 ? "reserved type 0" : packetTypeNames[type]} (first byte 0x${hexByte(buf[0]!)})`,
    );
  }
  if ((buf[0]! & 0x0f) !== 0) throw new ProbeError("protocol-error", `${packetTypeNames[type]} with reserved flags 0x${hexByte(buf[0]! & 0x0f)}`);
  return packetSize(buf, MAX_FIRST_PACKET);
}

/** Fills the CONNACK/DISCONNECT fields of the result; throws ProbeError when the packet is malformed. */
export function recordFirstReply(result: MqttResult, packet: Buffer, v5: boolean): void {
  setRaw(result, packet);
  if (packet[0]! >> 4 === DISCONNECT) {
    const d = parseDisconnect(packet);
    result.response_type = "DISCONNECT";
    setCode(result, d.reason_code, disconnectReasonName(d.reason_code));
    result.anonymous_access = false;
    if (d.properties) result.properties = d.properties;
    return;
  }
  const c = parseConnack(packet, v5);
  result.response_type = "CONNACK";
  setCode(result, c.return_code, connackCodeName(c.return_code, c.v5));
  result.session_present = c.session_present;
  result.anonymous_access = c.return_code === 0;
  if (c.properties) result.properties = c.properties;
}

function setCode(result: MqttResult, code: number, name: string): void {
  result.connect_return_code = code;
  result.hex_code = hexByte(code);
  result.code = name;
}

function setRaw(result: MqttResult, data: Buffer): void {
  result.raw_response = data.subarray(0, RAW_RESPONSE_BYTES).toString("hex");
  if (data.length > RAW_RESPONSE_BYTES) result.raw_response_truncated = true;
}

const versionTopic = /^\$SYS\/(?:broker|brokers\/[^/]+)\/version$/;

/**
 * --mqtt-subscribe: SUBSCRIBE to the configured filters and record what arrives until enough messages, the
 * listening time, or the broker ends. Running out of time is the normal end, not an error.
 */
async function listen(socket: Socket, reader: SocketReader, cfg: MqttConfig, ctx: ScanContext, result: MqttResult): Promise<void> {
  const sub: MqttSubscribeResult = { topics: cfg.topics, messages: [], end: "listen-time" };
  result.subscribe = sub;
  socket.write(cfg.subscribePacket);
  const v5 = cfg.version === 5;
  const limit = ctx.maxReadBytes;
  const frame = (b: Buffer) => packetSize(b, limit);
  const deadline = Date.now() + cfg.listenMs;
  while (sub.messages.length < cfg.maxMessages) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    let packet: Buffer;
    try {
      packet = await reader.readMessage(frame, left);
    } catch (err) {
      if (err instanceof ProbeError && err.status === "io-timeout") return;
      if (err instanceof ProbeError && err.status === "connection-closed") {
        sub.end = "closed";
        return;
      }
      throw err;
    }
    const p = parseMqttPacket(packet, v5, PAYLOAD_BYTES);
    if (p.type === "PUBLISH") {
      sub.messages.push({
        topic: p.topic,
        qos: p.qos,
        retain: p.retain,
        payload: p.payload,
        payload_encoding: p.payload_encoding,
        payload_length: p.payload_length,
        payload_truncated: p.payload_truncated,
      });
      if (p.payload_encoding === "utf8" && result.broker_version === undefined && versionTopic.test(p.topic)) {
        result.broker_version = p.payload;
      }
    } else if (p.type === "SUBACK") {
      sub.suback_codes = p.codes;
    } else if (p.type === "DISCONNECT") {
      sub.end = "disconnect";
      sub.disconnect_reason_code = p.reason_code;
      return;
    }
  }
  sub.end = "max-messages";
}
