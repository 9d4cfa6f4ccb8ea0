/**
 * The engine with probe workers (--workers > 1): the same guarantees as with one thread, checked at the
 * listeners. The blocklist and the opt-out list are never probed, every other target exactly once; the
 * global rate holds across workers (one shared limiter) and the per-/24 rate in each network; a stopped
 * campaign resumes without probing anything twice. Workers run registered modules only (they load the
 * module by name in their own thread), so these tests use the MQTT module: against the loopback
 * listeners it makes one TCP connection per target.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CidrSet } from "../../../src/core/net/index.js";
import { getCampaign, getScanModule, readResults, resumeCampaign, runCampaign } from "../../../src/scan/index.js";
import { describeEachBackend } from "../../helpers/db.js";
import { waitFor } from "../../helpers/wait.js";
import { runInMemory } from "./support/harness.js";
import { loopbackRange, startLoopback, type Hit, type Loopback } from "./support/loopback.js";

const mqtt = getScanModule("mqtt")!;
const lo = (octet: number) => `127.0.0.${octet}`;
const tmp = () => mkdtempSync(path.join(tmpdir(), "iotscope-workers-"));

const pieceArb = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map(lo),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 26, max: 32 })).map(([o, p]) => `${lo(o)}/${p}`),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 40 })).map(([o, len]) => `${lo(o)}-${lo(Math.min(255, o + len))}`),
);

function setOf(pieces: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const [a, b] of CidrSet.from(pieces).intervalsV4()) for (let n = a; n <= b; n++) out.add(lo(n & 255));
  return out;
}

function counts(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

/** Probes per second between the `skip`-th arrival and the last one. */
function measuredRate(hits: readonly Hit[], skip = 20): number {
  const times = hits.map((h) => h.at).sort((a, b) => a - b).slice(skip);
  return ((times.length - 1) / (times[times.length - 1]! - times[0]!)) * 1000;
}

describe("probe workers against loopback listeners", () => {
  let peer: Loopback;
  beforeAll(async () => {
    peer = await startLoopback([...loopbackRange(0, 255), ...loopbackRange(0, 127, 1)], { banner: false });
  });
  afterAll(async () => {
    await peer.close();
  });

  it("never probe the blocklist or the opt-out list, and probe every other target exactly once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pieceArb, { minLength: 1, maxLength: 4 }),
        fc.array(pieceArb, { maxLength: 3 }),
        fc.array(pieceArb, { maxLength: 3 }),
        fc.integer({ min: 2, max: 3 }),
        fc.string({ maxLength: 4 }),
        async (targets, blocked, optedOut, workers, seed) => {
          const dir = tmp();
          writeFileSync(path.join(dir, "block.txt"), blocked.join("\n"));
          writeFileSync(path.join(dir, "optout.txt"), optedOut.join("\n"));
          const refused = new Set([...setOf(blocked), ...setOf(optedOut)]);
          const wanted = [...setOf(targets)].filter((ip) => !refused.has(ip));
          fc.pre(wanted.length > 0);
          peer.hits.length = 0;
          const { result, records } = await runInMemory({
            module: mqtt,
            targets,
            ports: [peer.port],
            seed,
            workers,
            blocklistFiles: [path.join(dir, "block.txt")],
            optoutFile: path.join(dir, "optout.txt"),
          });
          await waitFor(() => peer.hits.length >= wanted.length, "every probe to arrive", 5000);
          for (const h of peer.hits) expect(refused.has(h.ip)).toBe(false);
          expect(counts(peer.hits.map((h) => h.ip))).toEqual(new Map(wanted.map((ip) => [ip, 1])));
          expect(result.probes).toBe(wanted.length);
          expect(result.complete).toBe(true);
          expect(result.counters.results).toBe(wanted.length);
          expect(new Set(records.map((r) => r.record.ip))).toEqual(new Set(wanted));
        },
      ),
      // Each run starts fresh worker threads (about a second each when the sources go through tsx).
      { numRuns: 6 },
    );
  }, 180_000);

  it("apply an opt-out list reloaded during the run in every worker", async () => {
    const dir = tmp();
    const optout = path.join(dir, "optout.txt");
    writeFileSync(optout, "# nobody yet\n");
    peer.hits.length = 0;
    const late = setOf(["127.0.0.128/25"]);
    let applied = Number.POSITIVE_INFINITY;
    const { result } = await runInMemory({
      module: mqtt,
      targets: ["127.0.0.0/24", "127.0.1.0/25"],
      ports: [peer.port],
      workers: 2,
      optoutFile: optout,
      limits: { rate: 300 },
      during: async (plan) => {
        await waitFor(() => peer.hits.length >= 40, "some probes");
        const version = plan.blocklist.optout!.version;
        writeFileSync(optout, "# the upper half asked us to stop\n127.0.0.128/25\n");
        await waitFor(() => plan.blocklist.optout!.version > version, "the opt-out list to be reloaded", 5000);
        // The workers get the new list in a message right after the reload; connections that passed a
        // gate just before it may still be arriving (at 300/s, a few), so count from a moment later.
        await new Promise((r) => setTimeout(r, 100));
        applied = peer.hits.length;
      },
    });
    expect(applied).toBeLessThan(300);
    expect(peer.hits.slice(applied).filter((h) => late.has(h.ip))).toEqual([]);
    await waitFor(() => peer.hits.length >= result.probes, "every probe to arrive", 5000);
    const tcp = counts(peer.hits.map((h) => h.ip));
    for (const ip of [...loopbackRange(0, 127), ...loopbackRange(0, 127, 1)]) expect(tcp.get(ip)).toBe(1);
    for (const ip of late) expect(tcp.get(ip) ?? 0).toBeLessThanOrEqual(1);
    expect(result.counters.refused).toBe(384 - result.probes);
    expect(result.counters.refused).toBeGreaterThan(0);
  });

  it("hold the global rate within 10 % across workers (200 probes/s for about 2 s, two /24s)", async () => {
    peer.hits.length = 0;
    const { result } = await runInMemory({
      module: mqtt,
      // 384 targets in two /24s, which go to different workers: both take from the one shared limiter.
      targets: ["127.0.0.0/24", "127.0.1.0/25"],
      ports: [peer.port],
      workers: 2,
      limits: { rate: 200, perNetRate: 1_000_000, concurrency: 500 },
    });
    await waitFor(() => peer.hits.length >= 384, "every connection to arrive", 5000);
    expect(result.probes).toBe(384);
    const rate = measuredRate(peer.hits, 10);
    expect(rate).toBeGreaterThan(180);
    expect(rate).toBeLessThan(220);
  });

  it("hold the per-/24 rate within 10 % in each network", async () => {
    peer.hits.length = 0;
    await runInMemory({
      module: mqtt,
      targets: ["127.0.0.0/25", "127.0.1.0/25"],
      ports: [peer.port],
      workers: 2,
      limits: { rate: 100_000, perNetRate: 100, concurrency: 500 },
    });
    await waitFor(() => peer.hits.length >= 256, "every connection to arrive", 5000);
    for (const net of ["127.0.0.", "127.0.1."]) {
      const rate = measuredRate(peer.hits.filter((h) => h.ip.startsWith(net)), 5);
      expect(rate).toBeGreaterThan(90);
      expect(rate).toBeLessThan(110);
    }
  });
});

describeEachBackend("campaigns with probe workers", (open) => {
  let peer: Loopback;
  beforeAll(async () => {
    peer = await startLoopback(loopbackRange(0, 63), { banner: false });
  });
  afterAll(async () => {
    await peer.close();
  });

  it("a stopped campaign resumes without probing anything twice or skipping anything", async () => {
    const storage = await open();
    peer.hits.length = 0;
    const stop = new AbortController();
    const request = { module: "mqtt", targets: ["127.0.0.0/26"], ports: [peer.port], rate: 200, perNetRate: 1000, concurrency: 100, allowLocalTargets: true, purpose: "workers test" };
    const running = runCampaign(request, { storage, stop: stop.signal, batchSize: 5, batchIntervalMs: 50, workers: 2 });
    await waitFor(() => peer.hits.length >= 20, "some probes");
    stop.abort();
    const first = await running;
    expect(first.summary.state).toBe("interrupted");
    expect(first.summary.targetsDone).toBeLessThan(64);
    const sentFirst = peer.hits.length;
    // In flight at the stop means sent: every probe that left is finished and stored, none is lost.
    expect(first.summary.probes).toBe(sentFirst);
    expect(first.summary.targetsDone).toBe(sentFirst);

    const second = await resumeCampaign(first.campaign.id, { storage, workers: 2 });
    expect(second.summary).toMatchObject({ state: "finished", targetsDone: 64, results: 64, probes: 64 });
    await waitFor(() => peer.hits.length >= 64, "every probe");
    expect(counts(peer.hits.map((h) => h.ip))).toEqual(new Map(loopbackRange(0, 63).map((ip) => [ip, 1])));
    const stored: string[] = [];
    for await (const r of readResults(storage.db, first.campaign.id)) stored.push(r.record.ip);
    expect(counts(stored)).toEqual(new Map(loopbackRange(0, 63).map((ip) => [ip, 1])));
    expect((await getCampaign(storage.db, first.campaign.id)).state).toBe("finished");
  });
});
