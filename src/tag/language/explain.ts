/**
 * Why a rule matched: the fields whose tests held, and the regex captures for its tag values. Run only
 * for rules that matched, but a fifth of certificates match an `or` rule or one with captures, so it is
 * compiled like the predicate (no allocation per test); it uses the very same compiled tests as the
 * predicate, so it cannot disagree with it.
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

/**
 * A condition's explanation as closures built once per (condition, captures wanted), like the predicate:
 * each writes the fields and captures of what held into shared arrays and says whether it held, so an
 * explanation allocates nothing but its result. An `and` or `or` part that fails takes back what it wrote.
 * An `or` evaluates every branch (it collects the fields of each branch that held); `not` contributes
 * no fields.
 */
type Explainer = (subject: Subject, fields: string[], captures: Capture[]) => boolean;

const explainers = new WeakMap<CompiledCondition, [Explainer | undefined, Explainer | undefined]>();

/** An `=~` test that finds the first value that matches, with its groups (one re2 exec per value tried). */
function capturer(t: CompiledTest): (subject: Subject) => Capture | undefined {
  if (t.node.value.type !== "regex") return () => undefined;
  const re = t.node.value.regex.re;
  const leaf = t.leaf;
  let found: Capture | undefined;
  const onValue = (v: unknown): boolean => {
    // The leaf test first: it skips values without the pattern's literals before calling re2.
    if (!leaf(v)) return false;
    found = regexExec(re, v as string);
    return found !== undefined;
  };
  return (subject) => {
    found = undefined;
    t.visit(subject, onValue);
    return found;
  };
}

function buildExplainer(compiled: CompiledCondition, c: Condition, withCaptures: boolean): Explainer {
  switch (c.type) {
    case "test": {
      const t = compiled.tests.get(c)!;
      const field = c.path.text;
      if (withCaptures && c.op === "=~") {
        const capture = capturer(t);
        if (!t.all) {
          // One pass both decides the test and finds its capture.
          return (subject, fields, captures) => {
            const cap = capture(subject);
            if (!cap) return false;
            fields.push(field);
            captures.push(cap);
            return true;
          };
        }
        return (subject, fields, captures) => {
          if (!evalTest(t, subject)) return false;
          fields.push(field);
          const cap = capture(subject);
          if (cap) captures.push(cap);
          return true;
        };
      }
      return (subject, fields) => {
        if (!evalTest(t, subject)) return false;
        fields.push(field);
        return true;
      };
    }
    case "not": {
      // What made the inner condition fail is not "a field that matched": the inner writes are discarded.
      const inner = buildExplainer(compiled, c.item, withCaptures);
      return (subject, fields, captures) => {
        const f = fields.length;
        const k = captures.length;
        const held = inner(subject, fields, captures);
        fields.length = f;
        captures.length = k;
        return !held;
      };
    }
    case "and": {
      const items = c.items.map((item) => buildExplainer(compiled, item, withCaptures));
      return (subject, fields, captures) => {
        const f = fields.length;
        const k = captures.length;
        for (let i = 0; i < items.length; i++) {
          if (!items[i]!(subject, fields, captures)) {
            fields.length = f;
            captures.length = k;
            return false;
          }
        }
        return true;
      };
    }
    case "or": {
      const items = c.items.map((item) => buildExplainer(compiled, item, withCaptures));
      return (subject, fields, captures) => {
        let ok = false;
        for (let i = 0; i < items.length; i++) {
          const f = fields.length;
          const k = captures.length;
          if (items[i]!(subject, fields, captures)) ok = true;
          else {
            fields.length = f;
            captures.length = k;
          }
        }
        return ok;
      };
    }
  }
}

function explainerOf(compiled: CompiledCondition, cond: Condition, withCaptures: boolean): Explainer {
  let pair = explainers.get(compiled);
  if (!pair) explainers.set(compiled, (pair = [undefined, undefined]));
  const i = withCaptures ? 1 : 0;
  return (pair[i] ??= buildExplainer(compiled, cond, withCaptures));
}

export function explain(compiled: CompiledCondition, cond: Condition, subject: Subject, withCaptures = true): Explanation | undefined {
  const fields: string[] = [];
  const captures: Capture[] = [];
  if (!explainerOf(compiled, cond, withCaptures)(subject, fields, captures)) return undefined;
  return { fields: unique(fields), captures };
}

/** Fields without repeats, in first-seen order (usually there are none: no Set then). */
function unique(fields: string[]): string[] {
  for (let i = 1; i < fields.length; i++) if (fields.lastIndexOf(fields[i]!, i - 1) !== -1) return [...new Set(fields)];
  return fields;
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
