/**
 * One confirmable request and its answer (RFC 7252 §4.2, §5.2): retransmission with exponential back-off
 * inside the read timeout, matching by message id (ACK/RST) and token (responses), piggy-backed and
 * separate responses, and acknowledging a confirmable separate response.
 */
import { ProbeError, type ScanStatus, type UdpExchange } from "../types.js";
import { parseCoapMessage, type CoapMessage } from "./message.js";
import { encodeEmptyAck } from "./request.js";

/** RFC 7252 §4.8 ACK_TIMEOUT and ACK_RANDOM_FACTOR; shortened when the read timeout is smaller. */
const ACK_TIMEOUT_MS = 2000;
const ACK_RANDOM_FACTOR = 1.5;

export interface IoStats {
  bytesSent: number;
  datagramsSent: number;
  bytesReceived: number;
  datagramsReceived: number;
  /** Well-formed datagrams that answered nothing we asked (wrong message id or token, duplicates). */
  ignored: number;
  retransmissions: number;
}

/** The UDP exchange with counters, a byte cap and the scan's abort signal. */
export class CoapIo {
  readonly stats: IoStats = { bytesSent: 0, datagramsSent: 0, bytesReceived: 0, datagramsReceived: 0, ignored: 0, retransmissions: 0 };

  constructor(
    private readonly ex: UdpExchange,
    private readonly maxBytes: number,
    private readonly signal: AbortSignal,
  ) {}

  async send(datagram: Buffer): Promise<void> {
    this.checkAborted();
    await this.ex.send(datagram);
    this.stats.bytesSent += datagram.length;
    this.stats.datagramsSent++;
  }

  async receive(timeoutMs: number): Promise<Buffer | null> {
    this.checkAborted();
    const d = await this.ex.receive(Math.max(0, timeoutMs));
    this.checkAborted();
    if (!d) return null;
    this.stats.bytesReceived += d.length;
    this.stats.datagramsReceived++;
    if (this.stats.bytesReceived > this.maxBytes) throw new ProbeError("protocol-error", `peer sent more than ${this.maxBytes} bytes`);
    return d;
  }

  private checkAborted(): void {
    if (this.signal.aborted) throw new ProbeError("io-timeout", "scan aborted");
  }
}

export interface Transaction {
  response: CoapMessage;
  kind: "piggybacked" | "separate" | "reset";
  /** An empty ACK came first (the server announced a separate response). */
  emptyAck: boolean;
  /** From the first transmission to the first datagram that matched the request. */
  rttMs: number;
  transmissions: number;
  /** Bytes of every datagram received during this request, matching or not. */
  bytesReceived: number;
}

/** A request that got no usable answer; carries what was seen so the result can keep it. */
export class TransactionFailure extends ProbeError {
  constructor(
    status: ScanStatus,
    message: string,
    readonly partial: {
      emptyAck: boolean;
      rttMs?: number;
      transmissions: number;
      bytesReceived: number;
      /** The datagram that failed to parse. */
      malformed?: Buffer;
    },
  ) {
    super(status, message);
  }
}

export interface TransactOptions {
  messageId: number;
  token: Buffer;
  /** Time for an answer, including retransmissions; an empty ACK restarts it for the separate response. */
  budgetMs: number;
  /** Retransmissions after the first transmission (RFC 7252's MAX_RETRANSMIT is 4). */
  retries: number;
}

/** First retransmission timeout: RFC 7252's randomised 2-3 s, or less so that all retries fit the budget. */
export function initialTimeout(budgetMs: number, retries: number): number {
  const rfc = ACK_TIMEOUT_MS * (1 + Math.random() * (ACK_RANDOM_FACTOR - 1));
  return Math.min(rfc, budgetMs / (2 ** (retries + 1) - 1));
}

export async function transact(io: CoapIo, request: Buffer, o: TransactOptions): Promise<Transaction> {
  const start = Date.now();
  const bytesBefore = io.stats.bytesReceived;
  let transmissions = 0;
  let emptyAck = false;
  let firstMatch: number | undefined;
  let malformed: Buffer | undefined;
  const fail = (status: ScanStatus, message: string): TransactionFailure =>
    new TransactionFailure(status, message, {
      emptyAck,
      transmissions,
      bytesReceived: io.stats.bytesReceived - bytesBefore,
      ...(firstMatch !== undefined ? { rttMs: firstMatch - start } : {}),
      ...(malformed ? { malformed } : {}),
    });
  const done = (response: CoapMessage, kind: Transaction["kind"]): Transaction => ({
    response,
    kind,
    emptyAck,
    rttMs: (firstMatch ?? Date.now()) - start,
    transmissions,
    bytesReceived: io.stats.bytesReceived - bytesBefore,
  });

  try {
    let deadline = start + o.budgetMs;
    let rto = initialTimeout(o.budgetMs, o.retries);
    let nextResend = start + rto;
    await io.send(request);
    transmissions = 1;
    for (;;) {
      const now = Date.now();
      if (now >= deadline) {
        throw fail("io-timeout", emptyAck ? `empty ACK, then no separate response within ${o.budgetMs} ms` : `no reply within ${o.budgetMs} ms`);
      }
      // Once the server has ACKed, it owns the request: retransmitting would only duplicate work.
      const mayResend = !emptyAck && transmissions <= o.retries;
      const datagram = await io.receive((mayResend ? Math.min(nextResend, deadline) : deadline) - now);
      if (!datagram) {
        if (mayResend && Date.now() >= nextResend) {
          await io.send(request);
          transmissions++;
          io.stats.retransmissions++;
          rto *= 2;
          nextResend = Date.now() + rto;
        }
        continue;
      }
      let msg: CoapMessage;
      try {
        msg = parseCoapMessage(datagram);
      } catch (err) {
        // The datagram comes from the target's address and port: garbage there is the target's answer.
        malformed = datagram;
        throw err;
      }
      const sameToken = msg.token.equals(o.token);
      if ((msg.type === "ACK" || msg.type === "RST") && msg.messageId === o.messageId) {
        firstMatch ??= Date.now();
        if (msg.type === "RST") return done(msg, "reset");
        if (msg.code === 0) {
          if (!emptyAck) {
            emptyAck = true;
            deadline = Date.now() + o.budgetMs;
          }
          continue;
        }
        if (sameToken) return done(msg, "piggybacked");
      } else if ((msg.type === "CON" || msg.type === "NON") && msg.code >> 5 >= 2 && sameToken) {
        firstMatch ??= Date.now();
        if (msg.type === "CON") {
          try {
            await io.send(encodeEmptyAck(msg.messageId));
          } catch (err) {
            // The response is in hand; an unsent ACK only makes the server retransmit it.
            if (!(err instanceof ProbeError)) throw err;
          }
        }
        return done(msg, "separate");
      }
      io.stats.ignored++;
    }
  } catch (err) {
    if (err instanceof TransactionFailure || !(err instanceof ProbeError)) throw err;
    throw fail(err.status, err.message);
  }
}
