/**
 * The literals a rule needs: sets of (path, literal) atoms such that whenever the rule matches a
 * record, at least one atom of each set holds in it — the path reaches a string equal to the literal
 * (`eq`, looked up in a hash map) or containing it after folding (`sub`, found by Aho–Corasick). A rule
 * with no such set is evaluated on every record of its kind.
 *
 * Extraction, by condition:
 * - `=` "s", `in ["a", "b"]` (strings only): eq atoms;
 * - `~=`, `contains`/`startswith`/`endswith` and their `i…` forms: a sub atom with the longest ASCII
 *   run of the literal;
 * - `=~`: the regex's required literals (language/regex-info.ts);
 * - `and`: the sets of all its parts (every part must hold);
 * - `or`: one set, the union of each part's best set, if every part has one;
 * - `not`, `!=`, `!~`, numbers, CIDRs, `exists`: nothing (they can hold on records without the literal).
 * `all(path)` requires at least one value, so it extracts like the bare path.
 */
import type { Condition, PathRef, TestNode } from "../language/ast.js";
import { MAX_LITERAL } from "../language/regex-info.js";
import { asciiRuns } from "./fold.js";

export interface Atom {
  path: PathRef;
  type: "eq" | "sub";
  /** eq: the exact string; sub: lower-case ASCII. */
  literal: string;
}

/** Atoms one of which holds whenever the rule matches. */
export type Clause = Atom[];

/**
 * Clauses that all hold whenever the rule matches (a conjunction of disjunctions, as YARA requires
 * all of a rule's strings); empty: no prefilter, the rule is evaluated on every record of its kind.
 * Requiring every clause, not just the best one, matters: `issuer.organization = "Let's Encrypt" and
 * subject.common_name =~ /\.asuscomm\.com$/` should wake up on asuscomm names, not on every Let's
 * Encrypt certificate.
 */
export type Requirement = Clause[];

/** Most atoms kept in one clause (an `or` of many literals still indexes well; hundreds would not). */
const MAX_ATOMS = 64;
/** Most clauses kept per rule (bits of a mask per rule); the best ones are kept. */
export const MAX_CLAUSES = 8;

function score(clause: Clause): number {
  let worst = Infinity;
  for (const a of clause) worst = Math.min(worst, a.type === "eq" ? 1000 + Math.min(a.literal.length, 100) : Math.min(a.literal.length, MAX_LITERAL) * 10);
  return worst - clause.length;
}

function best(clauses: Clause[]): Clause | undefined {
  let out: Clause | undefined;
  for (const c of clauses) if (!out || score(c) > score(out)) out = c;
  return out;
}

function sub(path: PathRef, text: string): Clause | undefined {
  const run = asciiRuns(text)[0];
  return run ? [{ path, type: "sub", literal: run.slice(0, MAX_LITERAL) }] : undefined;
}

function testClause(t: TestNode): Clause | undefined {
  const { op, value, path } = t;
  switch (op) {
    case "=":
      return value.type === "scalar" && typeof value.value === "string" ? [{ path, type: "eq", literal: value.value }] : undefined;
    case "in": {
      if (value.type !== "list" || value.cidrs.length > 0 || value.values.length === 0) return undefined;
      if (!value.values.every((v) => typeof v === "string")) return undefined;
      return value.values.map((v) => ({ path, type: "eq" as const, literal: v as string }));
    }
    case "~=":
    case "contains":
    case "startswith":
    case "endswith":
    case "icontains":
    case "istartswith":
    case "iendswith":
      return value.type === "scalar" && typeof value.value === "string" ? sub(path, value.value) : undefined;
    case "=~": {
      if (value.type !== "regex") return undefined;
      const required = value.regex.info.required;
      return required?.map((literal) => ({ path, type: "sub" as const, literal }));
    }
    default:
      return undefined;
  }
}

const clauseKey = (c: Clause) => c.map((a) => `${a.path.text}\u0000${a.type}\u0000${a.literal}`).sort().join("\u0001");

export function requirement(cond: Condition): Requirement {
  switch (cond.type) {
    case "test": {
      const c = testClause(cond);
      return c ? [c] : [];
    }
    case "not":
      return [];
    case "and": {
      const all = new Map<string, Clause>();
      for (const item of cond.items) for (const c of requirement(item)) all.set(clauseKey(c), c);
      return [...all.values()].sort((a, b) => score(b) - score(a)).slice(0, MAX_CLAUSES);
    }
    case "or": {
      const out: Atom[] = [];
      for (const item of cond.items) {
        const c = best(requirement(item));
        if (!c) return [];
        out.push(...c);
      }
      return out.length <= MAX_ATOMS ? [out] : [];
    }
  }
}
