/**
 * One TCP connection as a honeypot session, shared by the TCP emulators of this folder set (mqtt, http):
 * asks the sensor's limits for a slot (refused → the socket is destroyed at once; the sensor emits
 * sensor.limit, rate-limited), emits session.connect / session.closed (with the duration), enforces the idle and total
 * timeouts, and stamps every event with the session's addressing fields. The emulator only handles bytes.
 * (It lives in mqtt/ because the helper that owns these emulators owns only their folders; it has no
 * MQTT in it and can move to a shared emulators/ module unchanged.)
 */
import type { Socket } from "node:net";
import type { EmittedEvent, HoneypotProtocol } from "../../events.js";
import type { EmulatorContext } from "../types.js";

/** The fields of an event the emulator fills in (the session fills in the addressing). */
export type EventFields = Omit<EmittedEvent, "session" | "protocol" | "transport" | "src_ip" | "src_port" | "dst_ip" | "dst_port" | "persona">;

export interface TcpSession {
  id: string;
  srcIp: string;
  srcPort: number;
  dstPort: number;
  startedAt: number;
  /** Emits an event of this session; `protocol` overrides the emulator's (http → upnp for UPnP fetches). */
  emit(fields: EventFields, protocol?: HoneypotProtocol): void;
  /** Ends the connection now; the close handler emits session.closed with this reason as `message`. */
  destroy(reason?: CloseReason): void;
}

/** session.closed `message` values (docs/honeypot-events.md lists them). */
export type CloseReason = "closed by peer" | "idle timeout" | "session timeout" | "peer not reading" | "sensor shutdown" | "malformed input" | "not authorized" | "request too large" | "request timeout";

/** IPv4-mapped IPv6 (a dual-stack listener's view of an IPv4 peer) is reported as plain IPv4. */
export function normalizeIp(address: string | undefined): string {
  if (!address) return "0.0.0.0";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** Tracks the open sessions of one emulator so that close() can end them all. */
export class TcpSessions {
  private readonly open = new Set<Socket>();
  private readonly ends = new WeakMap<Socket, (why: CloseReason) => void>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly protocol: HoneypotProtocol,
  ) {}

  /** Starts a session for a freshly accepted socket, or destroys the socket when a limit refuses it. */
  accept(socket: Socket): TcpSession | undefined {
    const { ctx, protocol } = this;
    const srcIp = normalizeIp(socket.remoteAddress);
    const release = ctx.limits.acquire(srcIp, protocol, { srcPort: socket.remotePort ?? 0, dstPort: socket.localPort ?? 0, transport: "tcp" });
    if (!release) {
      socket.destroy();
      return undefined;
    }
    const id = ctx.newSession();
    const base = {
      session: id,
      transport: "tcp" as const,
      src_ip: srcIp,
      src_port: socket.remotePort ?? 0,
      dst_ip: normalizeIp(socket.localAddress),
      dst_port: socket.localPort ?? 0,
      persona: ctx.persona.name,
    };
    const startedAt = Date.now();
    let reason: CloseReason | undefined;
    const end = (why: CloseReason) => {
      reason ??= why;
      socket.destroy();
    };
    const session: TcpSession = {
      id,
      srcIp,
      srcPort: base.src_port,
      dstPort: base.dst_port,
      startedAt,
      emit: (fields, proto = protocol) => ctx.emit({ ...base, protocol: proto, ...fields }),
      destroy: (why = "closed by peer") => end(why),
    };
    this.open.add(socket);
    this.ends.set(socket, end);
    // Idle: no byte either way for idleTimeoutMs. Total: a hard cap whatever the peer does (slow senders).
    socket.setTimeout(ctx.limits.idleTimeoutMs, () => end("idle timeout"));
    const total = setTimeout(() => end("session timeout"), ctx.limits.sessionTimeoutMs);
    total.unref();
    socket.on("error", () => socket.destroy()); // resets and timeouts are peer behaviour; close follows
    socket.once("close", () => {
      clearTimeout(total);
      this.open.delete(socket);
      release();
      session.emit({ eventid: "session.closed", duration: (Date.now() - startedAt) / 1000, message: reason ?? "closed by peer" });
    });
    session.emit({ eventid: "session.connect" });
    return session;
  }

  /** Ends every open session and resolves when their close handlers have run. */
  async closeAll(): Promise<void> {
    // A socket still in the set has not run its close handler yet, so "close" is still to come.
    const closing = [...this.open].map(
      (socket) =>
        new Promise<void>((resolve) => {
          socket.once("close", () => resolve());
          this.ends.get(socket)!("sensor shutdown");
        }),
    );
    await Promise.all(closing);
  }
}
