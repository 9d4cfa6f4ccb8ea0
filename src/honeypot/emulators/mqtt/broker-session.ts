/**
 * One MQTT client connection, answered like an open broker (3.1, 3.1.1 and 5): CONNACK per the auth
 * config, SUBACK + the persona's retained messages that match, PUBACK/PUBREC/PUBCOMP, UNSUBACK, PINGRESP.
 * Everything the client sends is recorded. A session is an island: what one client publishes is
 * delivered back only to that client's own subscriptions and its retained messages live only as long as
 * the session — so the honeypot can never relay between attackers (a C2 channel) nor show one
 * attacker's data to the next.
 */
import { generate, parser as mqttParser, type IConnectPacket, type IPublishPacket, type Packet } from "mqtt-packet";
import { cap, limits } from "../../events.js";
import type { EmulatorContext } from "../types.js";
import type { MqttConfig, RetainedMessage } from "./config.js";
import { readFrame } from "./frame.js";
import type { TcpSession } from "./tcp-session.js";
import { isValidFilter, isValidTopic, matches } from "./topics.js";

const CONNECT = 1;
/** Bytes of a malformed input kept as a sample. */
const MALFORMED_SAMPLE = 256;

export class BrokerSession {
  private pending: Buffer = Buffer.alloc(0);
  private readonly parser = mqttParser();
  private version: 3 | 4 | 5 = 4;
  private connected = false;
  private closed = false;
  private readonly subscriptions = new Map<string, number>();
  private readonly ownRetained = new Map<string, RetainedMessage>();
  private nextMessageId = 1;
  private parsed: Packet[] = [];
  private parseError: string | undefined;

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly config: MqttConfig,
    private readonly retained: RetainedMessage[],
    private readonly session: TcpSession,
    private readonly write: (bytes: Buffer) => void,
  ) {
    this.parser.on("packet", (p: Packet) => this.parsed.push(p));
    this.parser.on("error", (err: unknown) => (this.parseError = err instanceof Error ? err.message : String(err)));
  }

  /** Bytes from the socket. */
  onData(chunk: Buffer): void {
    if (this.closed) return;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    // A client's first byte must be CONNECT with zero flags: anything else is garbage, no need to wait.
    if (!this.connected && this.pending[0] !== 0x10) return this.malformed("first packet is not CONNECT", this.pending);
    for (;;) {
      const r = readFrame(this.pending, this.config.max_packet_bytes ?? this.ctx.limits.maxBufferBytes);
      if (r.kind === "need-more") {
        // A partial header can't be longer than 5 bytes; a partial body is bounded by readFrame's cap.
        return;
      }
      if (r.kind === "malformed") return this.malformed(r.reason, this.pending);
      this.pending = this.pending.subarray(r.frame.length);
      if (!this.connected && r.type !== CONNECT) return this.malformed("first packet is not CONNECT", r.frame);
      if (this.connected && r.type === CONNECT) return this.malformed("second CONNECT", r.frame);
      // Copy: the parser keeps references into its input, and pending may be reused.
      const packet = this.parseOne(Buffer.from(r.frame));
      if (!packet) return this.malformed(this.parseError ?? "unparseable packet", r.frame);
      this.handle(packet);
      if (this.closed) return;
    }
  }

  private parseOne(frame: Buffer): Packet | undefined {
    this.parsed = [];
    this.parseError = undefined;
    try {
      this.parser.parse(frame);
    } catch (err) {
      // mqtt-packet throws on some inputs instead of emitting "error" (e.g. invalid UTF-8 in strings).
      this.parseError = err instanceof Error ? err.message : String(err);
    }
    return this.parseError === undefined && this.parsed.length === 1 ? this.parsed[0] : undefined;
  }

  private handle(packet: Packet): void {
    switch (packet.cmd) {
      case "connect":
        return this.onConnect(packet);
      case "subscribe": {
        // QoS 3 is reserved (3.1.1 §3.8.3.1: a malformed packet); mqtt-packet's parser lets it through.
        if (packet.subscriptions.some((sub) => sub.qos > 2)) return this.malformed("requested QoS 3 in SUBSCRIBE", Buffer.alloc(0));
        const topics = packet.subscriptions.map((s) => cap(s.topic, limits.input));
        const granted = packet.subscriptions.map((s) => {
          if (!isValidFilter(s.topic) || (!this.subscriptions.has(s.topic) && this.subscriptions.size >= this.config.max_subscriptions)) return 0x80;
          this.subscriptions.set(s.topic, s.qos);
          return s.qos;
        });
        this.session.emit({
          eventid: "mqtt.subscribe",
          topics: topics.slice(0, 256),
          qos: Math.max(0, ...packet.subscriptions.map((s) => s.qos)),
        });
        this.send({ cmd: "suback", messageId: packet.messageId ?? 0, granted });
        // Retained messages matching the new filters, as a broker sends them after SUBACK.
        packet.subscriptions.forEach((s, i) => {
          if (granted[i] === 0x80) return;
          for (const msg of [...this.retained, ...this.ownRetained.values()]) {
            if (matches(s.topic, msg.topic)) this.deliver(msg.topic, msg.payload, Math.min(msg.qos, s.qos), true);
          }
        });
        return;
      }
      case "unsubscribe": {
        const topics = packet.unsubscriptions.map((t) => cap(t, limits.input));
        for (const t of packet.unsubscriptions) this.subscriptions.delete(t);
        this.session.emit({ eventid: "mqtt.unsubscribe", topics: topics.slice(0, 256) });
        this.send({ cmd: "unsuback", messageId: packet.messageId ?? 0, granted: packet.unsubscriptions.map(() => 0) });
        return;
      }
      case "publish":
        return this.onPublish(packet);
      case "pubrel":
        this.send({ cmd: "pubcomp", messageId: packet.messageId ?? 0 });
        return;
      case "puback":
      case "pubrec":
      case "pubcomp":
        if (packet.cmd === "pubrec") this.send({ cmd: "pubrel", messageId: packet.messageId ?? 0 });
        return;
      case "pingreq":
        this.send({ cmd: "pingresp" });
        return;
      case "disconnect":
        this.closed = true;
        this.session.destroy();
        return;
      default:
        // CONNACK, SUBACK, … are broker-to-client packets: a client sending them is malformed.
        return this.malformed(`unexpected ${packet.cmd} from a client`, Buffer.alloc(0));
    }
  }

  private onConnect(p: IConnectPacket): void {
    this.version = p.protocolVersion ?? 4;
    const username = p.username;
    const password = p.password?.toString("utf8");
    const accepted =
      this.config.auth === "open" ||
      (this.config.auth === "credentials" && this.config.accept.some((c) => c.username === username && c.password === password));
    // v3.1/3.1.1: 5 = not authorized (mosquitto sends 5, never 4); v5: 0x87 Not authorized.
    const code = accepted ? 0 : this.version === 5 ? 0x87 : 5;
    const will = p.will;
    const willPayload = will ? Buffer.from(will.payload) : undefined;
    this.session.emit({
      eventid: "mqtt.connect",
      client_id: cap(p.clientId ?? "", limits.credential),
      username: username !== undefined ? cap(username, limits.credential) : undefined,
      password: password !== undefined ? cap(password, limits.credential) : undefined,
      protocol_version: this.version,
      clean: p.clean ?? true,
      keepalive: p.keepalive ?? 0,
      status: code,
      // The will message, when the client sets one: its topic and payload in the usual fields.
      topic: will ? cap(will.topic, limits.input) : undefined,
      payload_b64: willPayload ? willPayload.subarray(0, limits.payloadBytes).toString("base64") : undefined,
      payload_size: willPayload?.length,
    });
    if (this.version === 5) this.send({ cmd: "connack", sessionPresent: false, reasonCode: code });
    else this.send({ cmd: "connack", sessionPresent: false, returnCode: code });
    if (!accepted) {
      this.closed = true;
      this.session.destroy("not authorized");
      return;
    }
    this.connected = true;
  }

  private onPublish(p: IPublishPacket): void {
    const payload = Buffer.isBuffer(p.payload) ? p.payload : Buffer.from(p.payload);
    this.session.emit({
      eventid: "mqtt.publish",
      topic: cap(p.topic, limits.input),
      qos: p.qos,
      retain: p.retain,
      payload_b64: payload.subarray(0, limits.payloadBytes).toString("base64"),
      payload_size: payload.length,
    });
    if (p.qos === 1) this.send({ cmd: "puback", messageId: p.messageId ?? 0 });
    if (p.qos === 2) this.send({ cmd: "pubrec", messageId: p.messageId ?? 0 });
    if (!isValidTopic(p.topic)) return;
    if (p.retain) {
      if (payload.length === 0) this.ownRetained.delete(p.topic);
      else if (this.ownRetained.has(p.topic) || this.ownRetained.size < this.config.max_session_retained) {
        this.ownRetained.set(p.topic, { topic: p.topic, payload: Buffer.from(payload), qos: p.qos });
      }
    }
    // Delivered back to this client's own matching subscriptions, as a broker does (never to others).
    let best = -1;
    for (const [filter, qos] of this.subscriptions) if (matches(filter, p.topic)) best = Math.max(best, qos);
    if (best >= 0) this.deliver(p.topic, payload, Math.min(best, p.qos), false);
  }

  private deliver(topic: string, payload: Buffer, qos: number, retain: boolean): void {
    const packet: IPublishPacket = { cmd: "publish", topic, payload, qos: qos as 0 | 1 | 2, retain, dup: false };
    if (qos > 0) {
      packet.messageId = this.nextMessageId;
      this.nextMessageId = (this.nextMessageId % 65535) + 1;
    }
    this.send(packet);
  }

  private send(packet: Packet): void {
    if (this.closed) return;
    let bytes: Buffer;
    try {
      bytes = generate(packet, { protocolVersion: this.version });
    } catch (err) {
      // Only reachable with values taken from a client packet that the parser let through: their input.
      return this.malformed(`cannot answer: ${err instanceof Error ? err.message : String(err)}`, Buffer.alloc(0));
    }
    this.write(bytes);
  }

  private malformed(reason: string, sample: Buffer): void {
    this.closed = true;
    this.session.emit({
      eventid: "mqtt.malformed",
      reason: cap(reason, 1024),
      payload_b64: sample.subarray(0, MALFORMED_SAMPLE).toString("base64"),
      payload_size: sample.length,
    });
    this.session.destroy("malformed input");
  }
}
