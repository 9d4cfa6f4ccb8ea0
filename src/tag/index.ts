/**
 * Public API of the tag pillar. Other pillars, the CLI and the server import only from here.
 *
 * Rules (docs/rules.md) are loaded and parsed (`loadRules`, `parseRules`), compiled into a Tagger
 * (`compileRuleSet`) that names the device behind scan records and certificates, checked by their own
 * examples (`runExamples`) and linted (`lintRules`). Tags are stored per (ip, port, campaign) and queried
 * through `store/` (`tagCampaign`, `TagStoreWriter`, `searchTags`, `summarizeTags`, `ruleStats`).
 */
import { pillars } from "../core/pillars.js";

export const pillar = pillars.find((p) => p.folder === "tag")!;

// The language.
export type { Condition, Example, Operator, PathRef, Rule, RuleState, TagTemplate, TestNode } from "./language/ast.js";
export { builtinKinds, envelopeFields, operators, ruleStates } from "./language/ast.js";
export { formatExpected, RuleLoadError, RuleSyntaxError } from "./language/errors.js";
export { knownTagKeys, reservedTagKeys } from "./language/fields.js";
export type { ParsedRules, ParseOptions } from "./language/parse.js";
export { knownKinds, parseRules } from "./language/parse.js";
export type { Subject } from "./language/paths.js";

// Rule sets.
export type { LoadOptions, RuleSet } from "./load.js";
export { defaultRulesDir, loadRules, ruleSetFromTexts } from "./load.js";

// The engine.
export type { KnownTagKey, Tag, TagProvenance, TagState } from "./tag.js";
export { allTagValuesOf, tagValuesOf } from "./tag.js";
export type { RuleHits, Tagger, TaggerOptions } from "./engine/tagger.js";
export { compileRuleSet } from "./engine/tagger.js";
export { TagInputError } from "./engine/input.js";
export type { ExampleReport, ExampleResult } from "./engine/examples.js";
export { exampleSubject, runExamples } from "./engine/examples.js";
export type { LintFinding, LintSeverity } from "./engine/lint.js";
export { lintRules } from "./engine/lint.js";

// Stored tags (device_tags): writing per batch, tagging a stored campaign, queries, rule stats.
export type { StoreCounts, TaggedTarget, TagSource } from "./store/write.js";
export { campaignSource, fileSource, storeTagBatch, TagStoreWriter } from "./store/write.js";
export type { CampaignTagOptions, CampaignTagReport } from "./store/campaign.js";
export { tagCampaign } from "./store/campaign.js";
export type { RuleHitRow, StoredTag, TagFilter, TagPage, TagSearch, TagSummaryRow } from "./store/query.js";
export { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, ruleHits, searchTags, summarizeTags } from "./store/query.js";
export type { RuleStat } from "./store/stats.js";
export { parseSince, ruleStats } from "./store/stats.js";
