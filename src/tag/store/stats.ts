/**
 * `iotscope rules stats`: hits per rule on stored tags within a window, for every rule of the loaded set
 * (zero hits included, so a testing rule can be watched before it is activated) and for rules that have
 * stored tags but are no longer in the set (renamed or removed).
 */
import type { Kysely } from "kysely";
import { UsageError } from "../../core/errors.js";
import type { Database } from "../../core/storage/index.js";
import type { Rule, RuleState } from "../language/ast.js";
import { ruleHits } from "./query.js";

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since`: a duration back from `now` (`30m`, `12h`, `1d`, `7d`, `2w`) or an ISO-8601 date or time
 * (`2026-11-24`, `2026-11-24T12:00:00Z`; a date alone is midnight UTC). Returns ISO-8601 UTC text, the
 * form `tagged_at` is stored in. Hand-written: five units do not warrant a dependency.
 */
export function parseSince(text: string, now: Date = new Date()): string {
  const duration = /^(\d+)([smhdw])$/.exec(text.trim());
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2]!]!).toISOString();
  if (/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? `${text.trim()}T00:00:00Z` : text.trim());
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  throw new UsageError(`--since ${JSON.stringify(text)}: give a duration (30m, 12h, 1d, 7d, 2w) or an ISO date (2026-11-24, 2026-11-24T12:00:00Z)`);
}

export interface RuleStat {
  rule: string;
  /** From the loaded rule set; null for a rule that has stored tags but is not in the set. */
  group: string | null;
  state: RuleState | null;
  file: string | null;
  /** Stored tags in the window, by the state the rule had when it tagged. */
  activeHits: number;
  testingHits: number;
  /** Distinct rule versions (content hashes) among those tags. */
  versions: number;
  /** Tags (either state) of the version loaded now: how an edited rule does since its edit. */
  currentVersionHits: number;
  /** When the newest of them was stored. */
  lastTaggedAt: string | null;
  inRuleSet: boolean;
}

/** Hits per rule since `since` (ISO; all stored tags when absent), every rule of `rules` listed. */
export async function ruleStats(db: Kysely<Database>, rules: readonly Rule[], opts: { since?: string; campaign?: string } = {}): Promise<RuleStat[]> {
  const stats = new Map<string, RuleStat>();
  const current = new Map<string, string>();
  const seen = new Map<string, Set<string>>();
  for (const r of rules) {
    stats.set(r.name, { rule: r.name, group: r.group, state: r.state, file: r.fileName, activeHits: 0, testingHits: 0, versions: 0, currentVersionHits: 0, lastTaggedAt: null, inRuleSet: true });
    current.set(r.name, r.hash);
  }
  for (const h of await ruleHits(db, opts)) {
    let s = stats.get(h.rule);
    if (!s) {
      s = { rule: h.rule, group: null, state: null, file: null, activeHits: 0, testingHits: 0, versions: 0, currentVersionHits: 0, lastTaggedAt: null, inRuleSet: false };
      stats.set(h.rule, s);
    }
    if (h.state === "active") s.activeHits += h.hits;
    else s.testingHits += h.hits;
    if (current.get(h.rule) === h.hash) s.currentVersionHits += h.hits;
    const hashes = seen.get(h.rule) ?? new Set<string>();
    hashes.add(h.hash);
    seen.set(h.rule, hashes);
    s.versions = hashes.size;
    if (s.lastTaggedAt === null || h.lastTaggedAt > s.lastTaggedAt) s.lastTaggedAt = h.lastTaggedAt;
  }
  return [...stats.values()];
}
