/**
 * The spool on disk: rotation by events, size and age; batches in order; deletion only on ack; a
 * restart resumes what was not acknowledged; a torn last line (SIGKILL mid-write) is cut with a
 * warning and every earlier line kept; a full spool drops the newest events and says how many.
 */
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { HoneypotEvent } from "../../src/honeypot/events.js";
import { Spool, uuidv7 } from "../../src/honeypot/index.js";
import { waitFor } from "../helpers/wait.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function event(i: number, extra: Partial<HoneypotEvent> = {}): HoneypotEvent {
  return {
    id: uuidv7(),
    eventid: "telnet.command.input",
    timestamp: new Date().toISOString(),
    sensor: "s1",
    session: "0123456789abcdef",
    protocol: "telnet",
    transport: "tcp",
    src_ip: "192.0.2.1",
    src_port: 40000,
    dst_port: 23,
    input: `cmd ${i}`,
    ...extra,
  };
}

function open(opts: Partial<ConstructorParameters<typeof Object>[0]> & Record<string, unknown> = {}, dir?: string) {
  const warnings: string[] = [];
  const log = pino({ level: "warn" }, { write: (s: string) => warnings.push(JSON.parse(s).msg as string) });
  dir ??= mkdtempSync(path.join(os.tmpdir(), "spool-"));
  if (!dirs.includes(dir)) dirs.push(dir);
  const spool = Spool.open({
    dir,
    maxBytes: 1 << 30,
    segmentBytes: 1 << 20,
    segmentEvents: 1000,
    segmentAgeMs: 60_000,
    fsyncMs: 1000,
    log,
    dropEvent: (n) => event(-1, { eventid: "sensor.limit", limit: "spool_full", message: `spool full: ${n} events dropped` }),
    ...opts,
  });
  return { spool, dir, warnings };
}

const segments = (dir: string) => readdirSync(path.join(dir, "segments")).sort();

describe("spool", () => {
  it("rotates by event count and ships closed segments oldest first, deleting only on ack", () => {
    const { spool, dir } = open({ segmentEvents: 3 });
    for (let i = 0; i < 7; i++) expect(spool.append(event(i))).toBe(true);
    expect(segments(dir).map((f) => f.split(".")[1])).toEqual(["jsonl", "jsonl", "open"]);
    const b1 = spool.nextBatch()!;
    expect(b1.events.map((e) => e.input)).toEqual(["cmd 0", "cmd 1", "cmd 2"]);
    expect(spool.nextBatch()!.id).toBe(b1.id); // not acknowledged: offered again
    spool.ack(b1.id);
    expect(spool.nextBatch()!.events.map((e) => e.input)).toEqual(["cmd 3", "cmd 4", "cmd 5"]);
    expect(spool.stats()).toMatchObject({ spooledEvents: 4, appended: 7, acked: 3, closedSegments: 1 });
    spool.close();
  });

  it("rotates by size and by age", async () => {
    const { spool, dir } = open({ segmentBytes: 4096, segmentAgeMs: 50 });
    for (let i = 0; i < 30; i++) spool.append(event(i, { input: "x".repeat(400) }));
    expect(segments(dir).filter((f) => f.endsWith(".jsonl")).length).toBeGreaterThanOrEqual(3);
    await waitFor(() => segments(dir).every((f) => f.endsWith(".jsonl")), "the age rotation");
    let n = 0;
    for (let b = spool.nextBatch(); b; b = spool.nextBatch()) {
      n += b.events.length;
      spool.ack(b.id);
    }
    expect(n).toBe(30);
    expect(segments(dir)).toEqual([]);
    spool.close();
  });

  it("resumes unacknowledged segments after a restart, cutting a torn last line with a warning", () => {
    const first = open({ segmentEvents: 2 });
    for (let i = 0; i < 5; i++) first.spool.append(event(i));
    // Simulate SIGKILL in the middle of a write: half a line at the end of the open segment.
    const openSeg = segments(first.dir).find((f) => f.endsWith(".open"))!;
    appendFileSync(path.join(first.dir, "segments", openSeg), '{"id":"0190');
    // no close(): the process "died"
    const second = open({ segmentEvents: 2 }, first.dir);
    expect(second.warnings.some((w) => w.includes("torn last line"))).toBe(true);
    const inputs: string[] = [];
    for (let b = second.spool.nextBatch(); b; b = second.spool.nextBatch()) {
      inputs.push(...b.events.map((e) => e.input!));
      second.spool.ack(b.id);
    }
    expect(inputs).toEqual(["cmd 0", "cmd 1", "cmd 2", "cmd 3", "cmd 4"]);
    // New segments sort after the recovered ones.
    second.spool.append(event(5));
    second.spool.rotate();
    expect(second.spool.nextBatch()!.events[0]!.input).toBe("cmd 5");
    second.spool.close();
  });

  it("skips a corrupt line inside a closed segment with a warning naming segment and line", () => {
    const { spool, dir, warnings } = open();
    spool.append(event(0));
    spool.rotate();
    const file = path.join(dir, "segments", segments(dir)[0]!);
    appendFileSync(file, "not json\n");
    appendFileSync(file, `${JSON.stringify(event(1))}\n`);
    const b = spool.nextBatch()!;
    expect(b.events.map((e) => e.input)).toEqual(["cmd 0", "cmd 1"]);
    expect(b.skipped).toBe(1);
    expect(warnings.join("\n")).toContain("not JSON");
    spool.close();
  });

  it("when full drops the newest events, never crashes, and records a counter event once space frees", () => {
    const { spool } = open({ maxBytes: 64 * 1024, segmentEvents: 10 });
    let accepted = 0;
    for (let i = 0; i < 1000; i++) if (spool.append(event(i, { message: "y".repeat(200) }))) accepted++;
    const s = spool.stats();
    expect(accepted).toBeLessThan(1000);
    expect(s.dropped).toBe(1000 - accepted);
    expect(s.bytes).toBeLessThanOrEqual(64 * 1024);
    const first = spool.nextBatch()!;
    expect(first.events[0]!.input).toBe("cmd 0"); // the oldest are kept
    spool.ack(first.id); // frees space: the counter event is written now
    const all: HoneypotEvent[] = [];
    spool.rotate();
    for (let b = spool.nextBatch(); b; b = spool.nextBatch()) {
      all.push(...b.events);
      spool.ack(b.id);
    }
    const counter = all.filter((e) => e.eventid === "sensor.limit");
    expect(counter).toHaveLength(1);
    expect(counter[0]!.message).toBe(`spool full: ${1000 - accepted} events dropped`);
    spool.close();
  });

  it("wakes a waiting shipper when a segment closes", async () => {
    const { spool } = open();
    let woke = false;
    const waiting = spool.waitForBatch().then(() => (woke = true));
    spool.append(event(0));
    expect(woke).toBe(false);
    spool.rotate();
    await waiting;
    expect(woke).toBe(true);
    spool.close();
  });
});
