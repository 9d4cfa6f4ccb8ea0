/**
 * Tagging a stored campaign: its results are read from the database a page at a time (never all in
 * memory), tagged, and their tags stored a batch per transaction under the campaign's id (write.ts:
 * re-running replaces, a crash leaves whole batches, a rerun completes).
 */
import type { Progress } from "../../core/log/index.js";
import type { Storage } from "../../core/storage/index.js";
import { countResults, getCampaign, readResults, type ScanRecord } from "../../scan/index.js";
import { TagInputError } from "../engine/input.js";
import type { Tagger } from "../engine/tagger.js";
import type { Tag } from "../tag.js";
import { campaignSource, TagStoreWriter } from "./write.js";

export interface CampaignTagOptions {
  /** Results per page read and per batch stored (default 1,000). */
  batchSize?: number;
  /** Called for each result with its tags, in probe order (e.g. to write JSON lines too). */
  onRecord?: (record: ScanRecord, tags: Tag[]) => void | Promise<void>;
  /** A stored result the tagger cannot read (`seq` is its position in the campaign). */
  onMalformed?: (seq: number, reason: string) => void;
  progress?: Progress;
}

export interface CampaignTagReport {
  campaign: string;
  module: string;
  results: number;
  /** Results with at least one active tag. */
  tagged: number;
  tags: number;
  testingTags: number;
  malformed: number;
  stored: { targets: number; rows: number; batches: number };
}

/** Tags every stored result of a campaign (id or unique prefix) and stores the tags. */
export async function tagCampaign(storage: Storage, tagger: Tagger, idOrPrefix: string, opts: CampaignTagOptions = {}): Promise<CampaignTagReport> {
  const campaign = await getCampaign(storage.db, idOrPrefix);
  const batchSize = opts.batchSize ?? 1000;
  const total = Object.values(await countResults(storage.db, campaign.id)).reduce((a, b) => a + (b ?? 0), 0);
  opts.progress?.setTotal(total);
  const writer = new TagStoreWriter(storage, campaignSource(campaign.id), batchSize);
  const report: CampaignTagReport = { campaign: campaign.id, module: campaign.module, results: 0, tagged: 0, tags: 0, testingTags: 0, malformed: 0, stored: writer.counts };
  // The reader's page and the writer's batch are the same size: each page read is stored in one
  // transaction before the next page is read (on SQLite they share the one connection).
  for await (const { seq, record } of readResults(storage.db, campaign.id, batchSize)) {
    let tags: Tag[];
    try {
      tags = tagger.tagRecord(record);
    } catch (err) {
      if (!(err instanceof TagInputError)) throw err;
      report.malformed++;
      opts.onMalformed?.(seq, err.message);
      continue;
    }
    report.results++;
    if (tags.some((t) => t.state === "active")) report.tagged++;
    for (const t of tags) report[t.state === "active" ? "tags" : "testingTags"]++;
    await opts.onRecord?.(record, tags);
    await writer.add({ ip: record.ip, port: record.port, module: record.module, tags });
    opts.progress?.tick();
  }
  await writer.flush();
  return report;
}
