/**
 * Matches → tags. All matching rules apply; per tag key the first active rule in priority order (lower
 * `order`, then name) wins, and later rules' values for that key go to their `overridden`. Testing rules
 * keep all their values and change nothing for active ones. Output: active tags, then testing tags,
 * each in priority order — the same input always gives the same tags in the same order.
 */
import type { Tag } from "../tag.js";
import type { RuleMatch } from "./compiled-rule.js";

export function resolveTags(matches: readonly RuleMatch[], port: number | undefined): Tag[] {
  let sorted = matches;
  for (let i = 1; i < matches.length; i++) {
    if (matches[i]!.rule.index < matches[i - 1]!.rule.index) {
      sorted = [...matches].sort((a, b) => a.rule.index - b.rule.index);
      break;
    }
  }
  const taken = new Set<string>();
  const active: Tag[] = [];
  const testing: Tag[] = [];
  for (const m of sorted) {
    const { rule } = m.rule;
    const isActive = rule.state === "active";
    const tag = {} as Tag;
    let overridden: Record<string, string> | undefined;
    for (const k in m.values) {
      const v = m.values[k]!;
      if (!isActive) tag[k] = v;
      else if (taken.has(k)) (overridden ??= {})[k] = v;
      else {
        taken.add(k);
        tag[k] = v;
      }
    }
    tag.rule = rule.name;
    tag.state = isActive ? "active" : "testing";
    tag.group = rule.group;
    tag.order = rule.order;
    tag.kind = m.kind;
    tag.fields = m.fields;
    tag.file = rule.fileName;
    tag.line = rule.line;
    tag.hash = rule.hash;
    if (port !== undefined) tag.port = port;
    if (overridden) tag.overridden = overridden;
    (isActive ? active : testing).push(tag);
  }
  return testing.length === 0 ? active : [...active, ...testing];
}
