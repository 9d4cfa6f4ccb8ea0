/**
 * One Telnet connection: option negotiation as BusyBox telnetd does it (DO ECHO, DO NAWS, WILL ECHO,
 * WILL SGA), the persona's login dialogue with credential capture, then the fake shell. Every client
 * negotiation becomes `telnet.client.option` ("<VERB> <OPTION>", e.g. "WILL NAWS"), a window size
 * `telnet.client.size`, every typed line `telnet.command.input`.
 *
 * Bounded: a line longer than the sensor's buffer cap is cut there (the rest of it is discarded), at
 * most MAX_OPTION_EVENTS negotiation events per session, output is dropped and the session closed
 * when the peer stops reading (its socket buffer passes the cap), idle and total timeouts close it.
 */
import type { Socket } from "node:net";
import { cap, limits as capLimits, type EmittedEvent } from "../../events.js";
import type { Persona } from "../../persona.js";
import type { EmulatorContext } from "../types.js";
import { DO, DONT, escapeIac, IAC, IacParser, OPT, optionName, verbName, WILL, WONT } from "./iac.js";
import type { TelnetPersona } from "./persona.js";
import { Shell } from "./shell.js";

const MAX_OPTION_EVENTS = 32;
/** BusyBox telnetd's opening: IAC DO ECHO, IAC DO NAWS, IAC WILL ECHO, IAC WILL SGA. */
const OPENING = Buffer.from([IAC, DO, OPT.ECHO, IAC, DO, OPT.NAWS, IAC, WILL, OPT.ECHO, IAC, WILL, OPT.SGA]);

type Phase = "login" | "password" | "shell" | "closed";

export interface SessionOptions {
  ctx: EmulatorContext;
  persona: Persona;
  tp: TelnetPersona;
  release: () => void;
  onClose: (s: TelnetSession) => void;
}

export class TelnetSession {
  private phase: Phase = "login";
  private line: number[] = [];
  private discarding = false;
  private skipLf = false;
  private username = "";
  private attempts = 0;
  private optionEvents = 0;
  private readonly answered = new Set<number>();
  private shell: Shell | undefined;
  private readonly started = Date.now();
  private readonly parser: IacParser;
  private readonly base: Pick<EmittedEvent, "session" | "protocol" | "transport" | "src_ip" | "src_port" | "dst_ip" | "dst_port" | "persona">;
  private readonly totalTimer: NodeJS.Timeout;
  /** The client accepted our WILL ECHO: we echo what it types (as a tty would), passwords excepted. */
  private serverEchoes = false;

  constructor(
    private readonly socket: Socket,
    private readonly o: SessionOptions,
  ) {
    const { ctx } = o;
    this.base = {
      session: ctx.newSession(),
      protocol: "telnet",
      transport: "tcp",
      src_ip: stripV4Mapped(socket.remoteAddress ?? "0.0.0.0"),
      src_port: socket.remotePort ?? 0,
      dst_ip: socket.localAddress ? stripV4Mapped(socket.localAddress) : undefined,
      dst_port: socket.localPort ?? 0,
      persona: o.persona.name,
    };
    this.parser = new IacParser({
      data: (b) => this.onData(b),
      negotiate: (verb, option) => this.onNegotiate(verb, option),
      subnegotiation: (option, data) => this.onSub(option, data),
    });
    this.emit({ eventid: "session.connect" });
    socket.setNoDelay(true);
    socket.setTimeout(ctx.limits.idleTimeoutMs, () => this.close("idle timeout"));
    this.totalTimer = setTimeout(() => this.close("session timeout"), ctx.limits.sessionTimeoutMs);
    this.totalTimer.unref();
    socket.on("data", (chunk: Buffer) => {
      try {
        this.parser.push(chunk);
      } catch (err) {
        // A bug, not peer behaviour; log it and drop this session rather than the sensor.
        ctx.log.error({ err }, "telnet: session failed");
        this.close("internal error");
      }
    });
    socket.on("error", () => this.close("socket error"));
    socket.on("close", () => this.close("closed by peer"));
    this.send(OPENING, true);
    this.sendText(`${o.tp.banner}${o.tp.login_prompt}`);
  }

  get id(): string {
    return this.base.session;
  }

  /** Ends the session at once (timeouts, errors, sensor shutdown). */
  close(reason: string): void {
    this.finish(reason);
    this.socket.destroy();
  }

  /** Closes after the pending output has been written (logout, too many failed logins). */
  private end(reason: string): void {
    this.finish(reason);
    this.socket.end();
    // A peer that stops reading must not keep the socket: give the output a moment, then cut.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private finish(reason: string): void {
    if (this.phase === "closed") return;
    this.phase = "closed";
    clearTimeout(this.totalTimer);
    this.emit({ eventid: "session.closed", duration: (Date.now() - this.started) / 1000, message: reason });
    this.o.release();
    this.o.onClose(this);
  }

  private emit(e: Omit<EmittedEvent, keyof TelnetSession["base"]>): void {
    this.o.ctx.emit({ ...this.base, ...e } as EmittedEvent);
  }

  private send(bytes: Buffer, raw = false): void {
    if (this.phase === "closed" && !raw) return;
    // Room for one line's full output (≤ 64 KiB) beyond the buffer cap; a peer that lets more pile up
    // is not reading, and holding its output would let it grow our memory.
    if (this.socket.writableLength > this.o.ctx.limits.maxBufferBytes + 64 * 1024) {
      this.close("peer not reading");
      return;
    }
    this.socket.write(raw ? bytes : escapeIac(bytes));
  }

  /** Terminal output: LF becomes CR LF as a tty's onlcr does (binary output included). */
  private sendText(text: string | Buffer): void {
    const b = typeof text === "string" ? Buffer.from(text, "latin1") : text;
    if (!b.includes(0x0a)) return this.send(b);
    const out: number[] = [];
    for (const x of b) {
      if (x === 0x0a) out.push(0x0d);
      out.push(x);
    }
    this.send(Buffer.from(out));
  }

  private onNegotiate(verb: number, option: number): void {
    if (this.optionEvents < MAX_OPTION_EVENTS) {
      this.optionEvents++;
      this.emit({ eventid: "telnet.client.option", option: `${verbName(verb)} ${optionName(option)}` });
    }
    if (option === OPT.ECHO && (verb === DO || verb === DONT)) this.serverEchoes = verb === DO;
    // Answer what we did not ask for, once per (verb, option): no negotiation loops (RFC 854's rule).
    const key = (verb << 8) | option;
    if (this.answered.has(key) || this.answered.size >= 64) return;
    this.answered.add(key);
    const ours = new Set<number>([OPT.ECHO, OPT.SGA]);
    const asked = new Set<number>([OPT.ECHO, OPT.NAWS]);
    if (verb === DO && !ours.has(option)) this.send(Buffer.from([IAC, WONT, option]), true);
    else if (verb === WILL && !asked.has(option)) this.send(Buffer.from([IAC, DONT, option]), true);
  }

  private onSub(option: number, data: Buffer): void {
    if (option === OPT.NAWS && data.length >= 4 && this.optionEvents < MAX_OPTION_EVENTS) {
      this.optionEvents++;
      this.emit({ eventid: "telnet.client.size", width: data.readUInt16BE(0), height: data.readUInt16BE(2) });
    }
  }

  private onData(bytes: Buffer): void {
    const max = this.o.ctx.limits.maxBufferBytes;
    for (const b of bytes) {
      if (this.phase === "closed") return;
      if (this.skipLf) {
        this.skipLf = false;
        if (b === 0x0a || b === 0x00) continue;
      }
      if (b === 0x0d || b === 0x0a) {
        this.skipLf = b === 0x0d;
        const wasDiscarding = this.discarding;
        this.discarding = false;
        if (!wasDiscarding) this.onLine(Buffer.from(this.line).toString("latin1"));
        this.line = [];
        continue;
      }
      if (this.discarding) continue;
      if (b === 0x08 || b === 0x7f) {
        this.line.pop();
        continue;
      }
      if (b === 0x00) continue;
      this.line.push(b);
      if (this.line.length >= max) {
        // Oversized line: handle what fits, discard the rest up to the next newline.
        this.onLine(Buffer.from(this.line).toString("latin1"));
        this.line = [];
        this.discarding = true;
      }
    }
  }

  private echo(line: string): void {
    if (this.serverEchoes) this.sendText(`${line}\n`);
  }

  private onLine(line: string): void {
    const { tp } = this.o;
    switch (this.phase) {
      case "login":
        this.echo(line);
        if (line === "") {
          this.sendText(tp.login_prompt);
          return;
        }
        this.username = cap(line, capLimits.credential);
        this.phase = "password";
        this.sendText(tp.password_prompt);
        return;
      case "password": {
        this.echo("");
        this.attempts++;
        const password = cap(line, capLimits.credential);
        const ok =
          tp.credentials.some(([u, p]) => u === this.username && p === password) ||
          (tp.accept_any_after !== undefined && this.attempts >= tp.accept_any_after);
        if (ok) {
          this.emit({ eventid: "telnet.login.success", username: this.username, password });
          this.phase = "shell";
          this.shell = new Shell(this.o.persona, tp);
          this.sendText(`${tp.motd}${this.shell.prompt()}`);
          return;
        }
        this.emit({ eventid: "telnet.login.failed", username: this.username, password });
        this.sendText(`${tp.login_failed}\n`);
        if (this.attempts >= tp.max_attempts) return this.end("too many failed logins");
        this.phase = "login";
        this.sendText(`\n${tp.login_prompt}`);
        return;
      }
      case "shell": {
        const shell = this.shell!;
        this.emit({ eventid: "telnet.command.input", input: cap(line, capLimits.input) });
        this.echo(line);
        const r = shell.run(line);
        for (const e of r.events) this.emit(e);
        if (r.output.length > 0) this.sendText(r.output);
        if (r.exit) return this.end("logout");
        this.sendText(shell.prompt());
        return;
      }
      case "closed":
        return;
    }
  }
}

/** "::ffff:1.2.3.4" (a dual-stack socket's view of an IPv4 peer) → "1.2.3.4". */
export function stripV4Mapped(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}
