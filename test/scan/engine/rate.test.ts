/**
 * The acceptance criterion for rate limiting, measured where it matters: on the receiving side.
 * Each run lasts about two seconds; the rate is taken over the steady part of the run (the first probes,
 * which the small token burst lets through at once, are left out) and must be within ±10 %.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../helpers/wait.js";
import { runInMemory } from "./support/harness.js";
import { loopbackRange, startLoopback, type Hit, type Loopback } from "./support/loopback.js";
import { probeModule } from "./support/modules.js";

/** Probes per second between the `skip`-th arrival and the last one. */
function measuredRate(hits: readonly Hit[], skip = 20): number {
  const times = hits.map((h) => h.at).sort((a, b) => a - b).slice(skip);
  return ((times.length - 1) / (times[times.length - 1]! - times[0]!)) * 1000;
}

describe("rate limits, measured at the listener", () => {
  let peer: Loopback;
  beforeAll(async () => {
    peer = await startLoopback([...loopbackRange(0, 255), ...loopbackRange(0, 127, 1)], { banner: false });
  });
  afterAll(async () => {
    await peer.close();
  });

  it("holds the global rate within 10 % (500 probes/s for about 2 s)", async () => {
    peer.hits.length = 0;
    const { result } = await runInMemory({
      module: probeModule,
      targets: ["127.0.0.0/24"],
      ports: [peer.port],
      // 256 targets × 4 connection attempts = 1024 probes: about two seconds at 500/s.
      moduleOptions: { dials: 4 },
      limits: { rate: 500, perNetRate: 1_000_000, concurrency: 500 },
    });
    await waitFor(() => peer.hits.length >= 1024, "every connection to arrive", 5000);
    expect(result.probes).toBe(1024);
    const rate = measuredRate(peer.hits);
    expect(rate).toBeGreaterThan(450);
    expect(rate).toBeLessThan(550);
  });

  it("holds the per-/24 rate within 10 % in each network while the total is higher", async () => {
    peer.hits.length = 0;
    await runInMemory({
      module: probeModule,
      // Two /24s, 128 targets each: at 100/s per network, about 1.3 s, 200 probes/s in total.
      targets: ["127.0.0.0/25", "127.0.1.0/25"],
      ports: [peer.port],
      moduleOptions: { dials: 2 },
      limits: { rate: 100_000, perNetRate: 100, concurrency: 500 },
    });
    await waitFor(() => peer.hits.length >= 512, "every connection to arrive", 5000);
    for (const net of ["127.0.0.", "127.0.1."]) {
      const rate = measuredRate(peer.hits.filter((h) => h.ip.startsWith(net)), 5);
      expect(rate).toBeGreaterThan(90);
      expect(rate).toBeLessThan(110);
    }
    expect(measuredRate(peer.hits, 10)).toBeGreaterThan(180);
  });
});
