/**
 * Interrupting a campaign for real: a child process scans 256 loopback targets at 100 probes/s and is
 * stopped mid-run, then `scan resume` finishes it. Ctrl-C/SIGTERM must lose nothing and probe nothing
 * twice; even SIGKILL, which loses the batch in flight, must leave stored results that are exactly the
 * target set once resumed.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStorage } from "../../../src/core/storage/index.js";
import { getCampaign, readResults } from "../../../src/scan/engine/store.js";
import { waitFor } from "../../helpers/wait.js";
import { loopbackRange, startLoopback, type Loopback } from "../engine/support/loopback.js";
import { runScanCli, startScanCli } from "./run-cli.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "iotscope-resume-"));
const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");
const all = loopbackRange(0, 255);

function counts(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

async function storedResults(dataDir: string, id: string) {
  const storage = await openStorage({ dataDir });
  try {
    const rows = [];
    for await (const r of readResults(storage.db, id)) rows.push(r);
    return { campaign: await getCampaign(storage.db, id), rows };
  } finally {
    await storage.close();
  }
}

describe("interrupting and resuming a campaign (child processes, SQLite)", () => {
  let peer: Loopback;
  beforeAll(async () => {
    peer = await startLoopback(all);
  });
  afterAll(async () => {
    await peer.close();
  });

  const scanArgs = (dir: string) => [
    "--data-dir", dir, "scan", "tcp-banner", "127.0.0.0/24", "--allow-local-targets", "--json",
    "--port", String(peer.port), "--rate", "100", "--commit-every", "10", "--commit-interval", "200ms",
  ];
  const campaignId = (stderr: string) => /campaign ([0-9a-f-]{36})/.exec(stderr)?.[1];

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal}: finishes in-flight probes, marks the campaign interrupted; resume probes each remaining target once`, async () => {
      const dir = tmp();
      peer.hits.length = 0;
      const first = startScanCli(scanArgs(dir));
      await waitFor(() => peer.hits.length >= 60, "the first probes", 30_000);
      first.child.kill(signal);
      const r1 = await first.done;
      expect(r1.code, r1.stderr).toBe(0);
      expect(r1.stderr).toMatch(/campaign interrupted; continue with: iotscope scan resume [0-9a-f-]{36}/);
      const id = campaignId(r1.stderr)!;
      const before = await storedResults(dir, id);
      expect(before.campaign.state).toBe("interrupted");
      expect(before.rows.length).toBe(lines(r1.stdout).length);
      expect(before.rows.length).toBeLessThan(256);

      const r2 = await runScanCli(["--data-dir", dir, "scan", "resume", id.slice(0, 8), "--json", "--commit-interval", "200ms"]);
      expect(r2.code, r2.stderr).toBe(0);
      // Every target reached exactly once over both runs: nothing lost, nothing repeated.
      expect(counts(peer.hits.map((h) => h.ip))).toEqual(new Map(all.map((ip) => [ip, 1])));
      const output = [...lines(r1.stdout), ...lines(r2.stdout)].map((l) => (JSON.parse(l) as { ip: string }).ip);
      expect(counts(output)).toEqual(new Map(all.map((ip) => [ip, 1])));
      const after = await storedResults(dir, id);
      expect(after.campaign.state).toBe("finished");
      expect(counts(after.rows.map((r) => r.record.ip))).toEqual(new Map(all.map((ip) => [ip, 1])));
      expect(after.campaign.summary).toMatchObject({ targetsDone: 256, results: 256, probes: 256 });
      // A finished campaign cannot be resumed again.
      const again = await runScanCli(["--data-dir", dir, "scan", "resume", id]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/is finished/);
    });
  }

  it("SIGKILL mid-run: after resume the stored results are exactly the target set, without duplicates", async () => {
    const dir = tmp();
    peer.hits.length = 0;
    const first = startScanCli(scanArgs(dir));
    // stdout lines are written after their batch is committed: wait for a few batches, then kill hard.
    await waitFor(() => lines(first.stdout()).length >= 40, "committed results", 30_000);
    first.child.kill("SIGKILL");
    const r1 = await first.done;
    expect(r1.signal).toBe("SIGKILL");
    const id = campaignId(r1.stderr)!;
    const before = await storedResults(dir, id);
    expect(before.campaign.state).toBe("running");
    expect(before.rows.length).toBeGreaterThanOrEqual(40);
    expect(before.rows.length).toBeLessThan(256);
    // The checkpoint covers exactly the stored rows.
    expect(before.campaign.checkpoint!.counters.results).toBe(before.rows.length);

    const r2 = await runScanCli(["--data-dir", dir, "scan", "resume", id, "--json"]);
    expect(r2.code, r2.stderr).toBe(0);
    const after = await storedResults(dir, id);
    expect(after.campaign.state).toBe("finished");
    expect(after.rows).toHaveLength(256);
    expect(counts(after.rows.map((r) => r.record.ip))).toEqual(new Map(all.map((ip) => [ip, 1])));
    expect(new Set(after.rows.map((r) => r.seq)).size).toBe(256);
    // Only what the killed run had not committed was probed again: at most the batch and the probes in flight.
    const repeated = [...counts(peer.hits.map((h) => h.ip)).values()].filter((n) => n > 1).length;
    expect(repeated).toBeLessThan(60);
    expect(new Set(peer.hits.map((h) => h.ip)).size).toBe(256);
  });
});
