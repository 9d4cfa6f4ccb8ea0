/**
 * Public API of the scan pillar. Other pillars, the CLI and the server import only from here.
 */
import { pillars } from "../core/pillars.js";

export const pillar = pillars.find((p) => p.folder === "scan")!;

// Module interface and registry.
export type {
  DialOptions,
  ModuleFlag,
  ModuleOptions,
  ScanContext,
  ScanModule,
  ScanOutcome,
  ScanStatus,
  Target,
  UdpExchange,
} from "./modules/types.js";
export { ProbeError, scanStatuses } from "./modules/types.js";
export { getScanModule, listScanModules, registerScanModule, reservedModuleNames } from "./modules/registry.js";

// Campaigns: run, resume, inspect.
export type { CampaignIo, CampaignReport, CampaignRequest } from "./engine/campaign.js";
export { resumeCampaign, runCampaign, scanDefaults } from "./engine/campaign.js";
export type { Campaign, CampaignState, RunnerInfo, StoredOptions, TargetsInfo } from "./engine/store.js";
export { countResults, getCampaign, listCampaigns, readResults } from "./engine/store.js";
export type { CampaignSummary } from "./engine/summary.js";
export { renderSummary, summarize } from "./engine/summary.js";

// Results.
export type { ModuleResponse, ScanRecord } from "./engine/output.js";
export { buildRecord, jsonSafe, RecordWriter, recordLine } from "./engine/output.js";
export { moduleResponseSchema, scanRecordJsonSchema, scanRecordSchema } from "./engine/record-schema.js";

// Certificates: DER → zcrypto-named fields (the tag pillar parses bare certificates with it).
export { certificateRecord, parseCertificate } from "./modules/tls/index.js";
export type { CertificateRecord, ZCryptoCertificate } from "./modules/tls/index.js";

// Building blocks: targets, blocklist, order, checkpoints, the runner and its gate.
export type { TargetInput, TargetSpaceData } from "./engine/targets.js";
export { IPV6_ENUMERATION_ERROR, loadTargets, parsePorts, TargetSpace } from "./engine/targets.js";
export type { TargetPlan, TargetPlanRequest } from "./engine/plan.js";
export { planTargets } from "./engine/plan.js";
export type { BlocklistInfo, BlocklistOptions, BlocklistSourceInfo } from "./engine/blocklist.js";
export { OptoutList, ScanBlocklist } from "./engine/blocklist.js";
export type { CycleState, CyclicGroup, PermutationParams } from "./engine/permutation.js";
export { CyclicPermutation, cyclicGroup, MAX_CAMPAIGN_TARGETS } from "./engine/permutation.js";
export { randomSeed } from "./engine/seed.js";
export type { CampaignCounters, Checkpoint } from "./engine/checkpoint.js";
export { WatermarkTracker } from "./engine/checkpoint.js";
export type { ResultSink, RunnerOptions, RunnerResult, ScanLimits, SequencedRecord } from "./engine/runner.js";
export { probeDeadline, runShard } from "./engine/runner.js";
export type { ProbeGateOptions, ProbeTicket, TargetCheck } from "./engine/context.js";
export { createScanContext, networkKey, ProbeCancelled, ProbeGate, UdpMux } from "./engine/context.js";
export { KeyedRateLimiter, RateLimiter } from "./engine/rate.js";
