/**
 * Reading from a peer without trusting it: every read has a deadline and a byte cap, and every failure
 * becomes a ProbeError with a ZGrab2 status, so a module's scan() can never hang or throw on peer
 * behaviour.
 */
import type { Socket } from "node:net";
import { ProbeError, type ScanOutcome, type ScanStatus } from "./types.js";

/**
 * Buffers what a socket sends and hands it out message by message. The bytes live in one buffer that
 * grows by doubling (appending a chunk is amortised O(chunk), not a copy of everything so far, which was
 * quadratic for a peer that sends a large reply in many small pieces); the usual single-chunk reply is
 * kept as it came, without a copy. Bytes already handed out are never overwritten: a message returned
 * earlier stays valid.
 */
export class SocketReader {
  private store: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private total = 0;
  private ended: ScanStatus | undefined;
  private endReason = "";
  private wake: (() => void) | undefined;

  constructor(
    readonly socket: Socket,
    private readonly maxBytes: number,
  ) {
    socket.on("data", (chunk: Buffer) => {
      this.total += chunk.length;
      this.append(chunk);
      if (this.total > this.maxBytes) this.fail("protocol-error", `peer sent more than ${this.maxBytes} bytes`);
      this.notify();
    });
    socket.on("end", () => this.fail("connection-closed", "peer closed the connection"));
    socket.on("close", () => this.fail("connection-closed", "connection closed"));
    socket.on("error", (err: NodeJS.ErrnoException) =>
      this.fail(
        err.code === "ECONNRESET" || err.code === "EPIPE" ? "connection-closed" : "unknown-error",
        `socket error: ${err.code ?? err.message}`,
      ),
    );
  }

  /** What is received and not yet handed out. */
  private get buffer(): Buffer {
    return this.store.subarray(this.start, this.end);
  }

  private append(chunk: Buffer): void {
    if (this.start === this.end) {
      this.store = chunk;
      this.start = 0;
      this.end = chunk.length;
      return;
    }
    const live = this.end - this.start;
    // A chunk adopted as it came is full (end = its length): growing copies it into our own buffer.
    if (this.end + chunk.length > this.store.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * live, live + chunk.length, 256));
      this.store.copy(grown, 0, this.start, this.end);
      this.store = grown;
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.store, this.end);
    this.end += chunk.length;
  }

  /** Bytes received so far in total (for response-size and amplification figures). */
  get bytesReceived(): number {
    return this.total;
  }

  /**
   * Waits until `frame(buffered)` returns the length of a complete message, then returns and consumes it.
   * `frame` returns undefined while more bytes are needed (it must not return a size larger than what is
   * buffered: that is treated as a protocol error) and may throw ProbeError for garbage.
   */
  async readMessage(frame: (buffered: Buffer) => number | undefined, timeoutMs: number): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const buffered = this.buffer;
      const size = buffered.length > 0 ? frame(buffered) : undefined;
      if (size !== undefined) {
        if (size > buffered.length) throw new ProbeError("protocol-error", "frame longer than the data received");
        const message = this.store.subarray(this.start, this.start + size);
        this.start += size;
        return message;
      }
      if (this.ended) {
        throw new ProbeError(this.ended, this.buffer.length > 0 ? `${this.endReason} mid-message` : this.endReason);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new ProbeError("io-timeout", `no complete reply within ${timeoutMs} ms`);
      await this.waitForData(left);
    }
  }

  /** Everything the peer sends until it closes, the cap is reached, or the deadline passes. */
  async readToEnd(timeoutMs: number): Promise<{ data: Buffer; complete: boolean }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) return { data: this.buffer, complete: false };
      await this.waitForData(left);
    }
    return { data: this.buffer, complete: this.ended === "connection-closed" };
  }

  private waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private notify(): void {
    this.wake?.();
  }

  private fail(status: ScanStatus, reason: string): void {
    if (!this.ended) {
      this.ended = status;
      this.endReason = reason;
    }
    this.notify();
  }
}

/** Writes and waits until the data is handed to the kernel (or the socket fails). */
export function writeAll(socket: Socket, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(data, (err) => (err ? reject(new ProbeError("connection-closed", `write failed: ${err.message}`)) : resolve()));
  });
}

/** Turns whatever a probe threw into an outcome: ProbeErrors keep their status, anything else is a bug. */
export function outcomeFromError<R>(err: unknown, partial?: R): ScanOutcome<R> {
  if (err instanceof ProbeError) return { status: err.status, error: err.message, ...(partial !== undefined ? { result: partial } : {}) };
  throw err;
}
