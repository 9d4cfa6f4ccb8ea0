/**
 * Whole campaigns through the public API, on both database backends: shards that together cover the
 * target set exactly once, and a campaign stopped and resumed in-process.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { listAudit } from "../../../src/core/storage/index.js";
import type { Storage } from "../../../src/core/storage/index.js";
import { getCampaign, readResults, resumeCampaign, runCampaign } from "../../../src/scan/index.js";
import { describeEachBackend } from "../../helpers/db.js";
import { waitFor } from "../../helpers/wait.js";
import { loopbackRange, startLoopback, type Loopback } from "./support/loopback.js";
import { probeModule, tcpBannerModule } from "./support/modules.js";

function counts(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

async function stored(storage: Storage, id: string): Promise<string[]> {
  const out: string[] = [];
  for await (const r of readResults(storage.db, id)) out.push(`${r.record.ip}:${r.record.port}`);
  return out;
}

describeEachBackend("scan campaigns", (open) => {
  let peer: Loopback;
  beforeAll(async () => {
    peer = await startLoopback(loopbackRange(0, 63), { ports: 2 });
  });
  afterAll(async () => {
    await peer.close();
  });
  const fast = { rate: 100_000, perNetRate: 100_000, concurrency: 50, allowLocalTargets: true };

  it("shards 0..n-1 of one campaign cover the target set exactly once", async () => {
    const storage = await open();
    peer.hits.length = 0;
    const shards = 5;
    const ports = [peer.port, peer.port + 1];
    const reports = [];
    for (let shard = 0; shard < shards; shard++) {
      reports.push(
        await runCampaign(
          { module: tcpBannerModule, targets: ["127.0.0.0/26"], ports, seed: "shard-test", shards, shard, ...fast },
          { storage, batchIntervalMs: 50 },
        ),
      );
    }
    const expected = new Map(loopbackRange(0, 63).flatMap((ip) => ports.map((p) => [`${ip}:${p}`, 1] as const)));
    expect(counts(peer.hits.map((h) => `${h.ip}:${h.port}`))).toEqual(expected);
    const all = (await Promise.all(reports.map((r) => stored(storage, r.campaign.id)))).flat();
    expect(counts(all)).toEqual(expected);
    for (const r of reports) {
      expect(r.summary.state).toBe("finished");
      expect(r.summary.targets).toBe(128);
      expect(r.summary.statuses).toEqual({ success: r.summary.targetsDone });
    }
    expect(reports.reduce((n, r) => n + r.summary.targetsDone, 0)).toBe(128);
    // Each shard is its own campaign row, recording its place in the whole.
    const c = await getCampaign(storage.db, reports[3]!.campaign.id);
    expect(c).toMatchObject({ seed: "shard-test", shards: 5, shard: 3, state: "finished" });
  });

  it("a stopped campaign is marked interrupted and a resume finishes it without probing anything twice", async () => {
    const storage = await open();
    peer.hits.length = 0;
    const stop = new AbortController();
    const first = await runCampaign(
      { module: probeModule, targets: ["127.0.0.0/26"], ports: [peer.port], rate: 300, perNetRate: 1000, concurrency: 100, allowLocalTargets: true, purpose: "resume test" },
      { storage, stop: stop.signal, batchSize: 5, batchIntervalMs: 50, onProbe: () => peer.hits.length >= 20 && stop.abort() },
    );
    expect(first.summary.state).toBe("interrupted");
    expect((await getCampaign(storage.db, first.campaign.id)).state).toBe("interrupted");
    const done = first.summary.targetsDone;
    expect(done).toBeLessThan(64);

    const second = await resumeCampaign(first.campaign.id, { storage, resolveModule: (name) => (name === probeModule.name ? probeModule : undefined) });
    expect(second.summary).toMatchObject({ state: "finished", targetsDone: 64, results: 64, probes: 64 });
    await waitFor(() => peer.hits.length >= 64, "every probe");
    expect(counts(peer.hits.map((h) => h.ip))).toEqual(new Map(loopbackRange(0, 63).map((ip) => [ip, 1])));
    expect(counts(await stored(storage, first.campaign.id)).size).toBe(64);
    const actions = (await listAudit(storage.db)).map((a) => a.action).reverse();
    expect(actions.slice(-4)).toEqual(["scan.campaign.start", "scan.campaign.interrupt", "scan.campaign.resume", "scan.campaign.finish"]);
  });

  it("refuses to resume a module that is not registered", async () => {
    const storage = await open();
    const r = await runCampaign({ module: probeModule, targets: ["127.0.0.1"], ports: [peer.port], maxTargets: 1, ...fast }, { storage, stop: AbortSignal.abort() });
    expect(r.summary.state).toBe("interrupted");
    await expect(resumeCampaign(r.campaign.id, { storage })).rejects.toThrow(/no scan module "probe-test"/);
  });
});
