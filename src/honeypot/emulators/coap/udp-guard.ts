/**
 * What the UDP emulators (coap, ssdp) share: binding (a handler error costs one datagram, not the
 * sensor), sessions per source (ip, port) exchange window, and the reply gate against amplification.
 * UDP has no handshake, so a source address is never verified: every reply is (1) at most `factor` ×
 * the size of the datagram that caused it (the emulator shapes its reply to fit, or sends nothing)
 * and (2) allowed by the sensor's per-source byte budget (limits.allowReply). A refused reply makes
 * the sensor emit sensor.rate_limited — rate-limited by the sensor over all sources, so a flood (even
 * from spoofed sources) does not become an event flood.
 * (It lives in coap/ because the helper that owns these emulators owns only their folders.)
 */
import dgram, { type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import type { HoneypotProtocol } from "../../events.js";
import type { EventFields } from "../mqtt/tcp-session.js";
import type { EmulatorContext, RunningEmulator } from "../types.js";

/** Sources remembered at once (their session ids); the oldest are forgotten first. */
const MAX_TRACKED = 4096;

export class UdpGuard {
  private readonly sessions = new Map<string, { id: string; lastSeen: number }>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly protocol: HoneypotProtocol,
    /** Largest reply per request byte. */
    readonly factor: number,
  ) {}

  /** The reply budget for a request of this size. */
  budget(requestBytes: number): number {
    return Math.floor(requestBytes * this.factor);
  }

  /** An emitter for one datagram's events: the source's session of the current window, its addressing. */
  from(rinfo: RemoteInfo, localPort: number): (fields: EventFields) => void {
    const key = `${rinfo.address}|${rinfo.port}`;
    const now = Date.now();
    let s = this.sessions.get(key);
    if (!s || now - s.lastSeen > this.ctx.limits.idleTimeoutMs) {
      s = { id: this.ctx.newSession(), lastSeen: now };
    }
    s.lastSeen = now;
    remember(this.sessions, key, s);
    const base = {
      session: s.id,
      protocol: this.protocol,
      transport: "udp" as const,
      src_ip: rinfo.address,
      src_port: rinfo.port,
      dst_ip: this.ctx.host === "0.0.0.0" || this.ctx.host === "::" ? undefined : this.ctx.host,
      dst_port: localPort,
      persona: this.ctx.persona.name,
    };
    return (fields) => this.ctx.emit({ ...base, ...fields });
  }

  /**
   * Sends `bytes` to the source when the sensor's budget allows; returns whether it was sent. The caller
   * has already fitted `bytes` into what is left of budget() (`maxBytes`); this checks it again (a bug
   * must not amplify).
   */
  reply(socket: UdpSocket, rinfo: RemoteInfo, bytes: Buffer, maxBytes: number, localPort: number): boolean {
    if (bytes.length > maxBytes) return false;
    const peer = { srcPort: rinfo.port, dstPort: localPort, transport: "udp" as const, protocol: this.protocol };
    if (!this.ctx.limits.allowReply(rinfo.address, bytes.length, peer)) return false;
    socket.send(bytes, rinfo.port, rinfo.address);
    return true;
  }
}

/** Map insertion order is age: re-insert to refresh, drop the oldest beyond the cap. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value!);
}

/** Binds one UDP socket (IPv6 when the host is), resolving when bound.  */
export function bindUdp(
  port: number,
  host: string,
  onMessage: (socket: dgram.Socket, localPort: number, msg: Buffer, rinfo: dgram.RemoteInfo) => void,
  onError: (err: unknown) => void,
): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: host.includes(":") ? "udp6" : "udp4" });
    socket.once("error", reject);
    socket.bind(port, host, () => {
      socket.off("error", reject);
      // Send errors (ICMP unreachable reported late, EPERM) are the peer's business, not a crash.
      socket.on("error", () => undefined);
      const localPort = socket.address().port;
      socket.on("message", (msg, rinfo) => {
        try {
          onMessage(socket, localPort, msg, rinfo);
        } catch (err) {
          // A bug met by attacker input must cost one datagram, not the sensor: logged loudly.
          onError(err);
        }
      });
      resolve(socket);
    });
  });
}

/** Binds every configured port with `bindUdp` (all or none: a failure closes what was bound) — the UDP emulators' whole listener. */
export async function listenUdp(
  ports: readonly number[],
  host: string,
  onMessage: (socket: dgram.Socket, localPort: number, msg: Buffer, rinfo: dgram.RemoteInfo) => void,
  onError: (err: unknown) => void,
): Promise<RunningEmulator> {
  const sockets: dgram.Socket[] = [];
  try {
    for (const port of ports) sockets.push(await bindUdp(port, host, onMessage, onError));
  } catch (err) {
    sockets.forEach((s) => s.close());
    throw err;
  }
  return {
    ports: sockets.map((s) => s.address().port),
    async close() {
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
