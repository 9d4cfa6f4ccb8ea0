/**
 * Why a rule matched: the fields whose tests held, and the regex captures for its tag values. Run only
 * for rules that matched (rare next to the evaluations), so it may walk the tree; it uses the very
 * same compiled tests as the predicate, so it cannot disagree with it.
 */
import type { Condition, TagTemplate } from "./ast.js";
import { evalTest, type CompiledCondition, type CompiledTest } from "./compile.js";
import type { Subject } from "./paths.js";
import { regexExec } from "./regex.js";

export interface Capture {
  groups: (string | undefined)[];
  named: Record<string, string | undefined>;
}

export interface Explanation {
  /** Paths of the tests that held (outside `not`), in written order, without repeats. */
  fields: string[];
  /** One per `=~` test that held (outside `not`), in written order: the first value that matched. */
  captures: Capture[];
}

interface Outcome {
  ok: boolean;
  fields: string[];
  captures: Capture[];
}

const FAIL: Outcome = { ok: false, fields: [], captures: [] };

/** The first value an `=~` test matched, with its groups (one re2 call per value tried). */
function capture(t: CompiledTest, subject: Subject): Capture | undefined {
  if (t.node.value.type !== "regex") return undefined;
  const re = t.node.value.regex.re;
  const leaf = t.leaf;
  let found: Capture | undefined;
  t.visit(subject, (v) => {
    // The leaf test first: it skips values without the pattern's literals before calling re2.
    if (!leaf(v)) return false;
    found = regexExec(re, v as string);
    return found !== undefined;
  });
  return found;
}

export function explain(compiled: CompiledCondition, cond: Condition, subject: Subject, withCaptures = true): Explanation | undefined {
  const walk = (c: Condition): Outcome => {
    switch (c.type) {
      case "test": {
        const t = compiled.tests.get(c)!;
        if (withCaptures && c.op === "=~" && !t.all) {
          // One pass both decides the test and finds its capture.
          const cap = capture(t, subject);
          return cap ? { ok: true, fields: [c.path.text], captures: [cap] } : FAIL;
        }
        if (!evalTest(t, subject)) return FAIL;
        const cap = withCaptures && c.op === "=~" ? capture(t, subject) : undefined;
        return { ok: true, fields: [c.path.text], captures: cap ? [cap] : [] };
      }
      case "not":
        // What made the inner condition fail is not "a field that matched".
        return walk(c.item).ok ? FAIL : { ok: true, fields: [], captures: [] };
      case "and": {
        const parts = c.items.map(walk);
        if (!parts.every((p) => p.ok)) return FAIL;
        return { ok: true, fields: parts.flatMap((p) => p.fields), captures: parts.flatMap((p) => p.captures) };
      }
      case "or": {
        const parts = c.items.map(walk).filter((p) => p.ok);
        if (parts.length === 0) return FAIL;
        return { ok: true, fields: parts.flatMap((p) => p.fields), captures: parts.flatMap((p) => p.captures) };
      }
    }
  };
  const out = walk(cond);
  if (!out.ok) return undefined;
  return { fields: [...new Set(out.fields)], captures: out.captures };
}

/**
 * Tag values with captures filled in. `${N}` / `${name}` take the group from the first regex (in
 * written order) that matched and whose group took part; a reference nothing supplies leaves the key
 * out.
 */
export function tagValues(tags: readonly TagTemplate[], captures: readonly Capture[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags) {
    let value = "";
    let complete = true;
    for (const part of tag.parts) {
      if (typeof part === "string") {
        value += part;
        continue;
      }
      const ref = part.capture;
      let text: string | undefined;
      for (const c of captures) {
        text = typeof ref === "number" ? c.groups[ref] : c.named[ref];
        if (text !== undefined) break;
      }
      if (text === undefined) {
        complete = false;
        break;
      }
      value += text;
    }
    if (complete) out[tag.key] = value;
  }
  return out;
}
