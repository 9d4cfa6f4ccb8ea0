/**
 * A Telnet client that behaves like Mirai's scanner (scanner.c): it answers the server's option
 * negotiation the way consume_iacs() does — DO NAWS → WILL NAWS + SB NAWS 80×24, any other DO →
 * WONT, WILL → DO, byte for byte — then waits for prompts the way consume_any_prompt() does (the last
 * ':', '>', '$', '#' or '%' in what it has read) and types its credential and command sequence.
 */
import net from "node:net";

const IAC = 0xff;

export class MiraiClient {
  private buf = Buffer.alloc(0);
  /** Everything received after the negotiation, for assertions. */
  received = Buffer.alloc(0);
  private handledIacs = false;
  private waiter: (() => void) | undefined;
  closed = false;
  readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (d: Buffer) => this.onData(d));
    socket.on("close", () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on("error", () => {});
  }

  static connect(port: number, host = "127.0.0.1"): Promise<MiraiClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new MiraiClient(s)));
      s.once("error", reject);
    });
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    this.received = Buffer.concat([this.received, d]);
    if (!this.handledIacs && this.buf[0] === IAC) {
      // consume_iacs(): only IAC sequences at the start of the buffer.
      let i = 0;
      while (i + 2 < this.buf.length + 1 && this.buf[i] === IAC) {
        if (i + 1 >= this.buf.length) break;
        if (this.buf[i + 1] === IAC) {
          i += 2;
          continue;
        }
        if (i + 2 >= this.buf.length) break;
        const seq = Buffer.from(this.buf.subarray(i, i + 3));
        if (seq[1] === 0xfd && seq[2] === 31) {
          this.socket.write(Buffer.from([255, 251, 31]));
          this.socket.write(Buffer.from([255, 250, 31, 0, 80, 0, 24, 255, 240]));
        } else {
          for (let k = 0; k < 3; k++) {
            if (seq[k] === 0xfd) seq[k] = 0xfc;
            else if (seq[k] === 0xfb) seq[k] = 0xfd;
          }
          this.socket.write(seq);
        }
        i += 3;
      }
      if (i > 0) {
        this.handledIacs = true;
        this.buf = this.buf.subarray(i);
        this.received = Buffer.from(this.buf);
      }
    }
    this.waiter?.();
  }

  /** consume_any_prompt(): waits until the buffer holds a prompt ending; consumes up to it. */
  async prompt(timeoutMs = 5000): Promise<string> {
    return this.until((b) => {
      for (let i = b.length - 1; i > 0; i--) if (":>$#%".includes(String.fromCharCode(b[i]!))) return i + 1;
      return 0;
    }, timeoutMs);
  }

  /** Waits until `text` has been received (consumes up to its end). */
  async expect(text: string, timeoutMs = 5000): Promise<string> {
    return this.until((b) => {
      const i = b.indexOf(text, 0, "latin1");
      return i === -1 ? 0 : i + text.length;
    }, timeoutMs);
  }

  private until(find: (b: Buffer) => number, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timed out; buffer: ${JSON.stringify(this.buf.toString("latin1"))}`));
      }, timeoutMs);
      const check = () => {
        const n = this.handledIacs ? find(this.buf) : 0;
        if (n > 0) {
          clearTimeout(timer);
          this.waiter = undefined;
          const out = this.buf.subarray(0, n).toString("latin1");
          this.buf = this.buf.subarray(n);
          resolve(out);
        } else if (this.closed) {
          clearTimeout(timer);
          this.waiter = undefined;
          reject(new Error(`connection closed; buffer: ${JSON.stringify(this.buf.toString("latin1"))}`));
        }
      };
      this.waiter = check;
      check();
    });
  }

  line(text: string): void {
    this.socket.write(`${text}\r\n`, "latin1");
  }

  close(): void {
    this.socket.destroy();
  }
}
