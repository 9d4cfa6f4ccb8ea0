import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CidrSet } from "../../../src/core/net/index.js";
import type { Target } from "../../../src/scan/modules/types.js";
import { waitFor } from "../../helpers/wait.js";
import { runInMemory } from "./support/harness.js";
import { loopbackRange, startLoopback, type Loopback } from "./support/loopback.js";
import { CyclicPermutation } from "../../../src/scan/engine/permutation.js";
import { hangingModule, noopModule, probeModule, tcpBannerModule, throwingModule } from "./support/modules.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "iotscope-runner-"));

/** Address text for the last octet in 127.0.0.0/24. */
const lo = (octet: number) => `127.0.0.${octet}`;

/** A random piece of 127.0.0.0/24 as target/blocklist text: an address, a CIDR or a range. */
const pieceArb = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map(lo),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 26, max: 32 })).map(([o, p]) => `${lo(o)}/${p}`),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 40 })).map(([o, len]) => `${lo(o)}-${lo(Math.min(255, o + len))}`),
);

function setOf(pieces: readonly string[]): Set<string> {
  const set = CidrSet.from(pieces);
  const out = new Set<string>();
  for (const [a, b] of set.intervalsV4()) for (let n = a; n <= b; n++) out.add(lo(n & 255));
  return out;
}

function counts(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

describe("runner bookkeeping", () => {
  it("probes exactly the first --max-targets targets of the shard's order (or all of them)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pieceArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(3),
        fc.integer({ min: 1, max: 300 }),
        fc.string({ maxLength: 4 }),
        async (targets, shards, shardPick, maxTargets, seed) => {
          const shard = shardPick % shards;
          const run = await runInMemory({ module: noopModule, targets, ports: [1, 2], seed, shards, shard, maxTargets });
          const order = [...new CyclicPermutation({ size: run.plan.space.size, seed, shards, shard })].slice(0, maxTargets);
          const expected = order.map((i, seq) => ({ seq, ip: run.plan.space.at(i).ip, port: run.plan.space.at(i).port }));
          const got = run.records.map((r) => ({ seq: r.seq, ip: r.record.ip, port: r.record.port })).sort((a, b) => a.seq - b.seq);
          expect(got).toEqual(expected);
          expect(run.result.complete).toBe(true);
          expect(run.checkpoints.at(-1)!.complete).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("runner against loopback listeners", () => {
  let peer: Loopback;
  beforeAll(async () => {
    peer = await startLoopback(loopbackRange(0, 255), { udp: true });
  });
  afterAll(async () => {
    await peer.close();
  });

  it("never probes the blocklist or the opt-out list, and probes every other target exactly once (TCP and UDP)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pieceArb, { minLength: 1, maxLength: 4 }),
        fc.array(pieceArb, { maxLength: 3 }),
        fc.array(pieceArb, { maxLength: 3 }),
        fc.string({ maxLength: 4 }),
        async (targets, blocked, optedOut, seed) => {
          const dir = tmp();
          writeFileSync(path.join(dir, "block.txt"), blocked.join("\n"));
          writeFileSync(path.join(dir, "optout.txt"), optedOut.join("\n"));
          const refused = new Set([...setOf(blocked), ...setOf(optedOut)]);
          const wanted = [...setOf(targets)].filter((ip) => !refused.has(ip));
          fc.pre(wanted.length > 0);
          peer.hits.length = 0;
          const gate: string[] = [];
          const { result } = await runInMemory({
            module: probeModule,
            targets,
            ports: [peer.port],
            seed,
            blocklistFiles: [path.join(dir, "block.txt")],
            optoutFile: path.join(dir, "optout.txt"),
            moduleOptions: { udp: true },
            onProbe: (t, kind) => gate.push(`${kind} ${t.ip}`),
          });
          await waitFor(() => peer.hits.length >= 2 * wanted.length, "every probe to arrive", 5000);
          const tcp = peer.hits.filter((h) => h.kind === "tcp").map((h) => h.ip);
          const udp = peer.hits.filter((h) => h.kind === "udp").map((h) => h.ip);
          for (const ip of [...tcp, ...udp, ...gate.map((g) => g.split(" ")[1]!)]) expect(refused.has(ip)).toBe(false);
          const expected = new Map(wanted.map((ip) => [ip, 1]));
          expect(counts(tcp)).toEqual(expected);
          expect(counts(udp)).toEqual(expected);
          expect(gate.length).toBe(2 * wanted.length);
          expect(result.probes).toBe(2 * wanted.length);
          expect(result.complete).toBe(true);
          expect(result.counters.results).toBe(wanted.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  for (const how of ["SIGHUP", "mtime polling"] as const) {
    it(`applies an opt-out list reloaded during the run (${how})`, async () => {
      const dir = tmp();
      const optout = path.join(dir, "optout.txt");
      writeFileSync(optout, "# nobody yet\n");
      peer.hits.length = 0;
      const gate: { ip: string; n: number }[] = [];
      const late = setOf(["127.0.0.128/25"]);
      let reloadedAt = Number.POSITIVE_INFINITY;
      const { result } = await runInMemory({
        module: probeModule,
        targets: ["127.0.0.0/24"],
        ports: [peer.port],
        optoutFile: optout,
        limits: { rate: 300 },
        onProbe: (t) => gate.push({ ip: t.ip, n: gate.length }),
        during: async (plan) => {
          await waitFor(() => gate.length >= 40, "some probes");
          const version = plan.blocklist.optout!.version;
          // A whole /25 opts out mid-run; mtime + size change, so polling sees it as well as SIGHUP.
          writeFileSync(optout, "# the upper half asked us to stop\n127.0.0.128/25\n");
          if (how === "SIGHUP") process.kill(process.pid, "SIGHUP");
          await waitFor(() => plan.blocklist.optout!.version > version, "the opt-out list to be reloaded", 5000);
          reloadedAt = gate.length;
        },
      });
      expect(reloadedAt).toBeLessThan(200);
      // After the reload no probe reached the opted-out half; before it, some may have (that is allowed).
      expect(gate.filter((g) => g.n >= reloadedAt && late.has(g.ip))).toEqual([]);
      await waitFor(() => peer.hits.length >= gate.length, "every probe to arrive", 5000);
      const tcp = counts(peer.hits.map((h) => h.ip));
      for (const ip of loopbackRange(0, 127)) expect(tcp.get(ip)).toBe(1);
      for (const ip of late) expect(tcp.get(ip) ?? 0).toBeLessThanOrEqual(1);
      expect(result.counters.refused).toBe(256 - gate.length);
      expect(result.counters.refused).toBeGreaterThan(0);
    });
  }

  it("stores a module's exception as unknown-error and goes on", async () => {
    const { records, result } = await runInMemory({ module: throwingModule, targets: ["127.0.0.0/29"], ports: [1] });
    expect(result.complete).toBe(true);
    const byIp = new Map(records.map((r) => [r.record.ip, r.record]));
    expect(byIp.size).toBe(8);
    expect(byIp.get("127.0.0.1")).toMatchObject({ status: "unknown-error", data: { "throw-test": { error: "module throw-test threw: boom at 127.0.0.1" } } });
    expect(byIp.get("127.0.0.2")).toMatchObject({ status: "success" });
  });

  it("gives up on a module that never returns after the probe deadline", async () => {
    const { records } = await runInMemory({ module: hangingModule, targets: ["127.0.0.1-127.0.0.3"], ports: [1], limits: { probeTimeoutMs: 200 } });
    const hung = records.find((r) => r.record.ip === "127.0.0.2")!.record;
    expect(hung.status).toBe("unknown-error");
    expect(hung.data["hang-test"]!.error).toMatch(/did not finish within 200 ms/);
    expect(records.filter((r) => r.record.status === "success")).toHaveLength(2);
  });

  it("writes ZGrab2-shaped records with what the peer said", async () => {
    const { records } = await runInMemory({ module: tcpBannerModule, targets: ["127.0.0.5"], ports: [peer.port, 1] });
    const ok = records.find((r) => r.record.port === peer.port)!.record;
    expect(ok).toEqual({
      ip: "127.0.0.5",
      port: peer.port,
      module: "tcp-banner",
      status: "success",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { "tcp-banner": { status: "success", protocol: "tcp-banner", timestamp: ok.timestamp, result: { banner: "banner 127.0.0.5" } } },
    });
    const refused = records.find((r) => r.record.port === 1)!.record;
    expect(refused.status).toBe("connection-refused");
    expect(refused.data["tcp-banner"]!.error).toMatch(/ECONNREFUSED/);
  });

  it("stops after --max-targets per shard", async () => {
    const seen: Target[] = [];
    const { result } = await runInMemory({ module: probeModule, targets: ["127.0.0.0/24"], ports: [peer.port], maxTargets: 17, onProbe: (t) => seen.push(t) });
    expect(seen).toHaveLength(17);
    expect(result.complete).toBe(true);
    const sharded = await runInMemory({ module: probeModule, targets: ["127.0.0.0/24"], ports: [peer.port], shards: 3, shard: 1, seed: "m", maxTargets: 5 });
    expect(sharded.result.counters.done).toBe(5);
  });

  it("stops gracefully and resumes without probing any target twice", async () => {
    peer.hits.length = 0;
    const stop = new AbortController();
    const first = await runInMemory({
      module: probeModule,
      targets: ["127.0.0.0/24"],
      ports: [peer.port],
      seed: "resume",
      // Concurrency above the target count: most probes are queued for a rate token when the stop comes.
      limits: { rate: 400, concurrency: 500 },
      batchSize: 7,
      stop: stop.signal,
      onProbe: () => {
        if (peer.hits.length >= 60) stop.abort();
      },
    });
    expect(first.result.interrupted).toBe(true);
    const cp = first.checkpoints.at(-1)!;
    expect(cp.complete).toBe(false);
    const second = await runInMemory({ module: probeModule, targets: ["127.0.0.0/24"], ports: [peer.port], seed: "resume", from: cp });
    expect(second.result.complete).toBe(true);
    await waitFor(() => peer.hits.length >= 256, "every probe to arrive", 5000);
    expect(counts(peer.hits.map((h) => h.ip))).toEqual(new Map(loopbackRange(0, 255).map((ip) => [ip, 1])));
    const seqs = [...first.records, ...second.records].map((r) => r.seq);
    expect(new Set(seqs).size).toBe(256);
    expect(second.result.counters.done).toBe(256);
  });
});
