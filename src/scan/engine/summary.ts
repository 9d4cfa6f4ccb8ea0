/** The figures a campaign reports when it stops (and `scan show` prints). */
import type { ScanStatus } from "../modules/types.js";
import type { CampaignCounters } from "./checkpoint.js";

export interface CampaignSummary {
  campaign: string;
  module: string;
  state: string;
  /** N: targets (addresses × ports) in the campaign's space, all shards together. */
  targets: number;
  /** Targets of this shard finished so far. */
  targetsDone: number;
  /** Targets not probed because of the blocklist: removed at load time plus refused at probe time. */
  blocklisted: number;
  blocklistedAtLoad: number;
  refusedAtProbe: number;
  /** TCP connection attempts + UDP datagrams sent (ProbeGate count). */
  probes: number;
  /** Results stored, in total and per status. */
  results: number;
  statuses: Partial<Record<ScanStatus, number>>;
  /** Time spent running, over every run of the campaign. */
  durationMs: number;
  probesPerSecond: number;
  targetsPerSecond: number;
}

export function summarize(
  c: { id: string; module: string; state: string; size: number; blocklistedAtLoad: number },
  counters: CampaignCounters,
): CampaignSummary {
  const seconds = counters.activeMs / 1000;
  const per = (n: number) => (seconds > 0 ? Math.round((n / seconds) * 10) / 10 : 0);
  return {
    campaign: c.id,
    module: c.module,
    state: c.state,
    targets: c.size,
    targetsDone: counters.done,
    blocklisted: c.blocklistedAtLoad + counters.refused,
    blocklistedAtLoad: c.blocklistedAtLoad,
    refusedAtProbe: counters.refused,
    probes: counters.probes,
    results: counters.results,
    statuses: { ...counters.statuses },
    durationMs: counters.activeMs,
    probesPerSecond: per(counters.probes),
    targetsPerSecond: per(counters.done),
  };
}

/** The summary as a few human lines. */
export function renderSummary(s: CampaignSummary): string {
  const statuses = Object.entries(s.statuses)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return [
    `campaign ${s.campaign} (${s.module}): ${s.state}`,
    `  targets     ${s.targets} in the space, ${s.targetsDone} done by this shard`,
    `  blocklisted ${s.blocklisted} (${s.blocklistedAtLoad} at load, ${s.refusedAtProbe} refused at probe time)`,
    `  probes      ${s.probes} sent`,
    `  results     ${s.results}${statuses ? `: ${statuses}` : ""}`,
    `  duration    ${(s.durationMs / 1000).toFixed(1)} s, ${s.probesPerSecond} probes/s, ${s.targetsPerSecond} targets/s`,
  ].join("\n");
}
