/**
 * The sensor's append-only spool: events go to disk before anything else happens to them, and leave
 * only when the collector has acknowledged them.
 *
 * Layout: `<dir>/segments/<15-digit ms>-<6-digit n>.open` is the segment being written (one JSON line
 * per event); rotation (by size, event count or age) fsyncs it and renames it to `.jsonl` — closed
 * segments are immutable and each ships as one batch (its name is the batch id). `ack(id)` deletes it.
 *
 * Durability trade-off: every event is handed to the kernel with one write(2) before `append`
 * returns, so a SIGKILL or crash of the sensor loses nothing it has spooled (the page cache survives
 * the process). fsync happens on rotation and on a timer (`fsync_ms`, default 1 s): a power loss or
 * kernel crash may lose up to that window of events. fsync per event would cost a disk flush per
 * event, which a flood would turn into the bottleneck.
 *
 * A SIGKILL in the middle of a write can leave a torn last line in the `.open` segment: on open it is
 * detected, reported as a warning and cut off; every complete line before it is kept. Bounded total
 * size: past `max_bytes` new events are dropped (newest first, never the spooled ones) and counted;
 * once space frees up, one counter event (`sensor.limit`, limit "spool_full") records how many.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { honeypotEventSchema, type HoneypotEvent } from "../events.js";

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  segmentBytes: number;
  segmentEvents: number;
  segmentAgeMs: number;
  fsyncMs: number;
  log: Logger;
  /** Builds the counter event written when the spool has space again after dropping `dropped` events. */
  dropEvent: (dropped: number) => HoneypotEvent;
}

export interface SpoolBatch {
  /** The segment name: the batch id sent to the collector. */
  id: string;
  events: HoneypotEvent[];
  /** Lines skipped as torn or invalid. */
  skipped: number;
}

export interface SpoolStats {
  /** Events on disk not yet acknowledged (closed and open segments). */
  spooledEvents: number;
  bytes: number;
  closedSegments: number;
  appended: number;
  dropped: number;
  acked: number;
}

/** Headroom kept below max_bytes (segment bookkeeping, the counter event). */
const RESERVE = 8192;

interface Segment {
  bytes: number;
  events: number;
}

interface OpenSegment extends Segment {
  name: string;
  fd: number;
  openedAt: number;
  dirty: boolean;
}

export class Spool {
  private readonly segDir: string;
  private readonly closed = new Map<string, Segment>();
  private current: OpenSegment | undefined;
  private totalBytes = 0;
  private lastName = "";
  private counter = 0;
  private dropped = 0;
  private pendingDropped = 0;
  private appended = 0;
  private acked = 0;
  private lastFsync = Date.now();
  private readonly timer: NodeJS.Timeout;
  private waiters: Array<() => void> = [];
  private closedFlag = false;

  private constructor(private readonly opts: SpoolOptions) {
    this.segDir = path.join(opts.dir, "segments");
    mkdirSync(this.segDir, { recursive: true });
    this.recover();
    this.timer = setInterval(() => this.tick(), Math.max(10, Math.min(opts.segmentAgeMs, opts.fsyncMs) / 2));
    this.timer.unref();
  }

  static open(opts: SpoolOptions): Spool {
    return new Spool(opts);
  }

  /** Spools one event; false when the spool is full (the event is dropped and counted). */
  append(event: HoneypotEvent): boolean {
    if (this.closedFlag) return false;
    if (this.pendingDropped > 0 && !this.writePendingCounter()) return this.drop();
    const line = `${JSON.stringify(event)}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.totalBytes + bytes > this.opts.maxBytes - RESERVE) return this.drop();
    return this.write(line, bytes) || this.drop();
  }

  /** Closes the open segment (if it has events) so that it can ship. */
  rotate(): void {
    const seg = this.current;
    if (!seg) return;
    this.current = undefined;
    try {
      fsyncSync(seg.fd);
    } catch (err) {
      this.opts.log.warn({ err, segment: seg.name }, "spool: fsync failed on rotation");
    }
    closeSync(seg.fd);
    renameSync(path.join(this.segDir, `${seg.name}.open`), path.join(this.segDir, `${seg.name}.jsonl`));
    this.closed.set(seg.name, { bytes: seg.bytes, events: seg.events });
    this.lastFsync = Date.now();
    this.wake();
  }

  /** The oldest closed segment, read and checked, or undefined when none is waiting. */
  nextBatch(): SpoolBatch | undefined {
    for (;;) {
      const id = [...this.closed.keys()].sort()[0];
      if (id === undefined) return undefined;
      const file = path.join(this.segDir, `${id}.jsonl`);
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (err) {
        this.opts.log.error({ err, segment: id }, "spool: cannot read segment; skipping it");
        this.forget(id);
        continue;
      }
      const { events, skipped } = parseLines(text, id, this.opts.log);
      if (events.length === 0) {
        // Nothing shippable (every line torn or invalid): nothing to wait an ack for.
        this.ack(id);
        continue;
      }
      return { id, events, skipped };
    }
  }

  /** Deletes an acknowledged batch. */
  ack(id: string): void {
    const seg = this.closed.get(id);
    if (!seg) return;
    try {
      unlinkSync(path.join(this.segDir, `${id}.jsonl`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    this.forget(id);
    this.acked += seg.events;
    if (this.pendingDropped > 0) this.writePendingCounter();
  }

  /** Moves a batch the collector refuses for good aside (never deleted unread), out of the queue. */
  quarantine(id: string): void {
    if (!this.closed.has(id)) return;
    const dir = path.join(this.opts.dir, "rejected");
    mkdirSync(dir, { recursive: true });
    renameSync(path.join(this.segDir, `${id}.jsonl`), path.join(dir, `${id}.jsonl`));
    this.forget(id);
  }

  /** Resolves when a closed segment is waiting (at once if one is), or when `signal` aborts. */
  waitForBatch(signal?: AbortSignal): Promise<void> {
    if (this.closed.size > 0 || this.closedFlag || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  stats(): SpoolStats {
    let events = this.current?.events ?? 0;
    for (const s of this.closed.values()) events += s.events;
    return {
      spooledEvents: events,
      bytes: this.totalBytes,
      closedSegments: this.closed.size,
      appended: this.appended,
      dropped: this.dropped,
      acked: this.acked,
    };
  }

  /** Flushes: closes the open segment (fsynced) so the next run ships it. */
  close(): void {
    if (this.closedFlag) return;
    if (this.pendingDropped > 0) this.writePendingCounter();
    this.rotate();
    this.closedFlag = true;
    clearInterval(this.timer);
    this.wake();
  }

  private drop(): false {
    this.dropped++;
    this.pendingDropped++;
    return false;
  }

  private writePendingCounter(): boolean {
    const line = `${JSON.stringify(this.opts.dropEvent(this.pendingDropped))}\n`;
    const bytes = Buffer.byteLength(line);
    // Written only once there is room again (a counter per dropped event would fill the spool too).
    if (this.totalBytes + bytes > this.opts.maxBytes - RESERVE) return false;
    if (!this.write(line, bytes)) return false;
    this.opts.log.warn({ dropped: this.pendingDropped }, "spool: was full, events dropped");
    this.pendingDropped = 0;
    return true;
  }

  private write(line: string, bytes: number): boolean {
    let seg = this.current;
    if (seg && (seg.bytes + bytes > this.opts.segmentBytes || seg.events >= this.opts.segmentEvents)) {
      this.rotate();
      seg = undefined;
    }
    seg ??= this.startSegment();
    try {
      writeSync(seg.fd, line);
    } catch (err) {
      // Disk full or I/O error: the event is lost, the sensor keeps running.
      this.opts.log.error({ err }, "spool: write failed");
      return false;
    }
    seg.bytes += bytes;
    seg.events++;
    seg.dirty = true;
    this.totalBytes += bytes;
    this.appended++;
    return true;
  }

  private startSegment(): OpenSegment {
    const name = this.nextName();
    const fd = openSync(path.join(this.segDir, `${name}.open`), "a");
    this.current = { name, fd, bytes: 0, events: 0, openedAt: Date.now(), dirty: false };
    return this.current;
  }

  /** Names sort in creation order, also across restarts (never below the last name seen). */
  private nextName(): string {
    let name = `${String(Date.now()).padStart(15, "0")}-${String(this.counter++ % 1_000_000).padStart(6, "0")}`;
    while (name <= this.lastName) name = `${this.lastName.slice(0, 15)}-${String(this.counter++ % 1_000_000).padStart(6, "0")}`;
    this.lastName = name;
    return name;
  }

  private tick(): void {
    const seg = this.current;
    if (!seg) return;
    const now = Date.now();
    if (seg.events > 0 && now - seg.openedAt >= this.opts.segmentAgeMs) {
      this.rotate();
      return;
    }
    if (seg.dirty && now - this.lastFsync >= this.opts.fsyncMs) {
      try {
        fsyncSync(seg.fd);
      } catch (err) {
        this.opts.log.warn({ err }, "spool: fsync failed");
      }
      seg.dirty = false;
      this.lastFsync = now;
    }
  }

  private forget(id: string): void {
    const seg = this.closed.get(id);
    if (!seg) return;
    this.closed.delete(id);
    this.totalBytes -= seg.bytes;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Takes over what a previous run left: closes its `.open` segments (cutting a torn last line). */
  private recover(): void {
    for (const file of readdirSync(this.segDir).sort()) {
      const full = path.join(this.segDir, file);
      const m = /^(\d{15}-\d{6})\.(open|jsonl)$/.exec(file);
      if (!m) continue;
      const name = m[1]!;
      if (name > this.lastName) this.lastName = name;
      if (m[2] === "open") this.recoverOpen(full, name);
      else {
        const text = readFileSync(full, "utf8");
        this.closed.set(name, { bytes: Buffer.byteLength(text), events: countLines(text) });
      }
    }
    for (const s of this.closed.values()) this.totalBytes += s.bytes;
    if (this.closed.size > 0) this.opts.log.info({ segments: this.closed.size, bytes: this.totalBytes }, "spool: resuming unacknowledged segments");
  }

  private recoverOpen(full: string, name: string): void {
    const data = readFileSync(full);
    const end = data.lastIndexOf(0x0a) + 1;
    if (end < data.length) {
      this.opts.log.warn({ segment: name, bytes: data.length - end }, "spool: torn last line (interrupted write) skipped");
      const fd = openSync(full, "r+");
      ftruncateSync(fd, end);
      fsyncSync(fd);
      closeSync(fd);
    }
    if (end === 0) {
      unlinkSync(full);
      return;
    }
    const closedPath = full.replace(/\.open$/, ".jsonl");
    if (existsSync(closedPath)) unlinkSync(closedPath); // cannot happen with rename semantics; be safe
    renameSync(full, closedPath);
    this.closed.set(name, { bytes: statSync(closedPath).size, events: countLines(data.subarray(0, end).toString("utf8")) });
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Parses a segment's lines; torn or invalid lines are skipped with a warning naming segment and line. */
export function parseLines(text: string, id: string, log: Logger): { events: HoneypotEvent[]; skipped: number } {
  const events: HoneypotEvent[] = [];
  let skipped = 0;
  const lines = text.split("\n");
  const last = lines.length - 1;
  lines.forEach((line, i) => {
    if (line === "") return;
    let why: string | undefined;
    if (i === last) why = "torn last line (no newline)";
    else {
      try {
        const parsed = honeypotEventSchema.safeParse(JSON.parse(line));
        if (parsed.success) events.push(parsed.data);
        else why = `invalid event: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`;
      } catch {
        why = "not JSON (torn line)";
      }
    }
    if (why) {
      skipped++;
      log.warn({ segment: id, line: i + 1 }, `spool: line skipped: ${why}`);
    }
  });
  return { events, skipped };
}
