import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CidrSet } from "../../../src/core/net/index.js";
import { emptyCounters, fromRanges, toRanges, WatermarkTracker, type Checkpoint } from "../../../src/scan/engine/checkpoint.js";
import { buildRecord } from "../../../src/scan/engine/output.js";
import { CyclicPermutation } from "../../../src/scan/engine/permutation.js";
import { commitBatch, getCampaign, insertCampaign, readResults, updateCampaign, type NewCampaign } from "../../../src/scan/engine/store.js";
import { TargetSpace } from "../../../src/scan/engine/targets.js";
import { describeEachBackend } from "../../helpers/db.js";

/**
 * Simulates a shard whose probes finish in a random order, crashing at a random point: everything
 * committed before the crash plus everything the resumed run does must be each index exactly once.
 */
function simulate(n: number, seed: string, finishOrder: number[], crashAfter: number, commitEvery: number) {
  const done: number[] = [];
  let cp: { w: number; x: number; pos: number; above: [number, number][] } | undefined;

  const run = (from: typeof cp, stopAfter: number) => {
    const perm = new CyclicPermutation({ size: n, seed });
    const tracker = from ? new WatermarkTracker({ w: from.w, above: from.above }) : new WatermarkTracker();
    if (from) perm.seek({ x: from.x, pos: from.pos });
    let emitted = tracker.watermark;
    const inflight: { seq: number; index: number }[] = [];
    let pending: { seq: number; index: number }[] = [];
    let finishedThisRun = 0;
    let k = 0;
    const skip = () => {
      while (tracker.isFinished(emitted)) {
        if (perm.next() === -1) return;
        emitted++;
      }
    };
    skip();
    for (;;) {
      // Keep up to 8 in flight; finish one chosen by the random order.
      while (inflight.length < 8) {
        const before = perm.state;
        const index = perm.next();
        if (index === -1) break;
        tracker.dispatch(emitted, before);
        inflight.push({ seq: emitted++, index });
        skip();
      }
      if (inflight.length === 0) break;
      const pick = finishOrder[k++ % finishOrder.length]! % inflight.length;
      pending.push(inflight.splice(pick, 1)[0]!);
      if (pending.length >= commitEvery || inflight.length === 0) {
        for (const f of pending) tracker.finish(f.seq);
        const at = tracker.position(emitted, perm.state);
        // "Commit": results and checkpoint together.
        done.push(...pending.map((f) => f.index));
        cp = { w: at.w, x: at.state.x, pos: at.state.pos, above: at.above };
        finishedThisRun += pending.length;
        pending = [];
        if (finishedThisRun >= stopAfter) return; // crash: in-flight and pending work is lost
      }
    }
  };
  run(undefined, crashAfter);
  run(cp, Number.POSITIVE_INFINITY);
  return done;
}

describe("watermark tracker", () => {
  it("encodes sorted numbers as ranges and back", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(200)), (xs) => {
        const sorted = [...xs].sort((a, b) => a - b);
        expect(fromRanges(toRanges(sorted))).toEqual(sorted);
      }),
    );
  });

  it("advances the watermark over out-of-order completions", () => {
    const t = new WatermarkTracker();
    for (let s = 0; s < 5; s++) t.dispatch(s, { x: s + 1, pos: s });
    t.finish(2);
    t.finish(1);
    expect(t.watermark).toBe(0);
    expect(t.position(5, { x: 99, pos: 5 })).toEqual({ w: 0, state: { x: 1, pos: 0 }, above: [[1, 2]] });
    t.finish(0);
    expect(t.watermark).toBe(3);
    expect(t.position(5, { x: 99, pos: 5 })).toEqual({ w: 3, state: { x: 4, pos: 3 }, above: [] });
    t.finish(3);
    t.finish(4);
    expect(t.position(5, { x: 99, pos: 5 })).toEqual({ w: 5, state: { x: 99, pos: 5 }, above: [] });
    expect(() => t.finish(4)).toThrow(/twice/);
  });

  it("a crash at any point, then a resume, covers every index exactly once", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.string({ maxLength: 6 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
        fc.nat(400),
        fc.integer({ min: 1, max: 30 }),
        (n, seed, order, crashAfter, commitEvery) => {
          const done = simulate(n, seed, order, crashAfter, commitEvery);
          expect(done.length).toBe(n);
          expect(new Set(done).size).toBe(n);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describeEachBackend("scan store", (open) => {
  const space = TargetSpace.build({ v4: CidrSet.from(["192.0.2.0/29"]), v6: [], domains: new Map() }, new CidrSet(), [80]);
  const campaign = (): NewCampaign => ({
    id: randomUUID(),
    module: "tcp-banner",
    ports: [80],
    createdAt: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    state: "running",
    operator: "tester",
    purpose: "unit test",
    targets: { specs: ["192.0.2.0/29"], requestedAddresses: 8, blocklistedAddresses: 0, addresses: 8, size: 8, spaceSha256: space.digest() },
    blocklist: { allowLocalTargets: false, sources: [], sha256: "x" },
    rate: 1000,
    perNetRate: 100,
    concurrency: 10,
    seed: "42",
    shards: 1,
    shard: 0,
    options: { connectTimeoutMs: 1, readTimeoutMs: 1, maxReadBytes: 1, allowLocalTargets: false, blocklistFiles: [], moduleOptions: {} },
    runner: { host: "h", pid: 1, since: new Date().toISOString() },
  });
  const checkpoint = (w: number): Checkpoint => ({
    version: 1,
    seed: "42",
    p: 11,
    g: 2,
    shards: 1,
    shard: 0,
    w,
    x: 3,
    pos: w,
    above: [[w + 2, w + 3]],
    complete: false,
    counters: { ...emptyCounters(), done: w + 2, results: w + 2 },
    at: "2024-05-01T12:00:00.000Z",
  });
  const record = (i: number) => ({
    seq: i,
    record: buildRecord({ ip: `192.0.2.${i}`, v: 4, port: 80 }, "tcp-banner", { status: "success", result: { banner: `b${i}`, raw: Buffer.from([i]) } }, "2024-05-01T12:00:00.000Z"),
  });

  it("stores results and the checkpoint together, and reads them back in order", async () => {
    const storage = await open();
    const c = campaign();
    await insertCampaign(storage.db, c, space);
    await commitBatch(storage, c.id, [record(3), record(1)], checkpoint(2));
    await commitBatch(storage, c.id, [record(0), record(2)], checkpoint(4));
    const back = await getCampaign(storage.db, c.id.slice(0, 8));
    expect(back.checkpoint).toEqual(checkpoint(4));
    expect(back.targets).toEqual(c.targets);
    const rows = [];
    for await (const r of readResults(storage.db, c.id, 3)) rows.push(r);
    expect(rows.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    expect(rows[1]!.record).toEqual(record(1).record);
    expect(rows[1]!.record.data["tcp-banner"]!.result).toEqual({ banner: "b1", raw: "AQ==" });
  });

  it("commits a batch all or nothing: a result stored twice rolls back the batch and its checkpoint", async () => {
    const storage = await open();
    const c = campaign();
    await insertCampaign(storage.db, c, space);
    await commitBatch(storage, c.id, [record(0)], checkpoint(1));
    // seq 0 again: the unique (campaign_id, seq) index refuses it, and the whole batch with it.
    await expect(commitBatch(storage, c.id, [record(5), record(0)], checkpoint(6))).rejects.toThrow();
    const rows = [];
    for await (const r of readResults(storage.db, c.id)) rows.push(r.seq);
    expect(rows).toEqual([0]);
    expect((await getCampaign(storage.db, c.id)).checkpoint).toEqual(checkpoint(1));
  });

  it("records state changes and refuses unknown or ambiguous ids", async () => {
    const storage = await open();
    const c = campaign();
    await insertCampaign(storage.db, c, space);
    await updateCampaign(storage.db, c.id, { state: "interrupted", finishedAt: "2024-01-01T00:00:00.000Z" });
    expect((await getCampaign(storage.db, c.id)).state).toBe("interrupted");
    await expect(getCampaign(storage.db, "nope")).rejects.toThrow(/no scan campaign/);
    await expect(updateCampaign(storage.db, c.id, { state: "bogus" as "failed" })).rejects.toThrow();
  });
});
