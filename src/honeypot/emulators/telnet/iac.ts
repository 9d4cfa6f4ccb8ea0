/**
 * Telnet (RFC 854/855) byte-stream parser: separates data from IAC commands, option negotiation
 * (WILL/WONT/DO/DONT) and subnegotiation (SB … IAC SE), across arbitrary chunk boundaries.
 *
 * Hand-written rather than telnet-stream (the maintained-enough npm choice, last released years ago):
 * a honeypot holds ~10,000 sessions, and a Transform stream pair per socket costs buffers and
 * listeners that this ~80-line state machine does not; and here every buffer is capped (a
 * subnegotiation is cut at 64 bytes, data goes straight out) so hostile input cannot grow memory.
 */
export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;

export const OPT = { BINARY: 0, ECHO: 1, SGA: 3, STATUS: 5, TIMING_MARK: 6, TTYPE: 24, NAWS: 31, TSPEED: 32, LFLOW: 33, LINEMODE: 34, XDISPLOC: 35, ENVIRON: 36, NEW_ENVIRON: 39 } as const;

const optionNames: Record<number, string> = Object.fromEntries(Object.entries(OPT).map(([k, v]) => [v, k]));
const verbNames: Record<number, string> = { [WILL]: "WILL", [WONT]: "WONT", [DO]: "DO", [DONT]: "DONT" };

export function optionName(option: number): string {
  return optionNames[option] ?? String(option);
}
export function verbName(verb: number): string {
  return verbNames[verb] ?? String(verb);
}

const MAX_SB = 64;

export interface IacHandlers {
  /** Plain data bytes (IAC IAC already folded to one 0xFF). */
  data(bytes: Buffer): void;
  negotiate(verb: number, option: number): void;
  subnegotiation(option: number, data: Buffer): void;
}

const enum State {
  Data,
  Iac,
  Verb,
  Sb,
  SbData,
  SbIac,
}

export class IacParser {
  private state = State.Data;
  private verb = 0;
  private sbOption = 0;
  private sb: number[] = [];

  constructor(private readonly on: IacHandlers) {}

  push(chunk: Buffer): void {
    let start = 0; // start of the current run of plain data
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case State.Data:
          if (b !== IAC) continue; // part of the current data run
          if (i > start) this.on.data(chunk.subarray(start, i));
          this.state = State.Iac;
          break;
        case State.Iac:
          if (b === IAC) {
            this.on.data(Buffer.from([IAC]));
            this.state = State.Data;
          } else if (b >= WILL && b <= DONT) {
            this.verb = b;
            this.state = State.Verb;
          } else if (b === SB) this.state = State.Sb;
          else this.state = State.Data; // NOP, GA, AYT, … carry no data here
          break;
        case State.Verb:
          this.on.negotiate(this.verb, b);
          this.state = State.Data;
          break;
        case State.Sb:
          this.sbOption = b;
          this.sb = [];
          this.state = State.SbData;
          break;
        case State.SbData:
          if (b === IAC) this.state = State.SbIac;
          else if (this.sb.length < MAX_SB) this.sb.push(b);
          break;
        case State.SbIac:
          if (b === SE) {
            this.on.subnegotiation(this.sbOption, Buffer.from(this.sb));
            this.sb = [];
            this.state = State.Data;
          } else {
            if (b === IAC && this.sb.length < MAX_SB) this.sb.push(IAC);
            this.state = State.SbData;
          }
          break;
      }
      start = i + 1;
    }
    if (this.state === State.Data && start < chunk.length) this.on.data(chunk.subarray(start));
  }
}

/** Escapes output for the wire: every 0xFF data byte is sent as IAC IAC. */
export function escapeIac(data: Buffer): Buffer {
  if (!data.includes(IAC)) return data;
  const out: number[] = [];
  for (const b of data) {
    out.push(b);
    if (b === IAC) out.push(IAC);
  }
  return Buffer.from(out);
}
