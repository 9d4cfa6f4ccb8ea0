/**
 * Reading from a peer without trusting it: every read has a deadline and a byte cap, and every failure
 * becomes a ProbeError with a ZGrab2 status, so a module's scan() can never hang or throw on peer
 * behaviour.
 */
import type { Socket } from "node:net";
import { ProbeError, type ScanOutcome, type ScanStatus } from "./types.js";

/** Buffers what a socket sends and hands it out message by message. */
export class SocketReader {
  private buffer: Buffer = Buffer.alloc(0);
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
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
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
      const size = this.buffer.length > 0 ? frame(this.buffer) : undefined;
      if (size !== undefined) {
        if (size > this.buffer.length) throw new ProbeError("protocol-error", "frame longer than the data received");
        const message = this.buffer.subarray(0, size);
        this.buffer = this.buffer.subarray(size);
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
