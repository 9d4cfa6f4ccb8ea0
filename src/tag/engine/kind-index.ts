/**
 * The rules of one kind (x509, or one scan module), indexed by the literals they need. Per path that
 * some rule needs a literal on: a hash map from exact strings to rules (`eq` atoms) and one
 * Aho–Corasick automaton over the folded literals (`sub` atoms). A record visits each indexed path
 * once, marks the rules whose literal it holds, and only those — plus the rules without a prefilter —
 * are evaluated.
 */
import type { PathRef } from "../language/ast.js";
import { compilePath, type Subject } from "../language/paths.js";
import { AhoCorasick } from "./aho-corasick.js";
import type { CompiledRule } from "./compiled-rule.js";
import { buildTrie, compileTrie } from "./path-trie.js";

/**
 * The rules a record may match, cleared in O(1) between records (a generation stamp per rule). A rule
 * with several prefilter clauses joins the list once a literal of each clause was seen (a bit mask
 * per rule, -1 once listed); a rule without clauses is added outright.
 */
export class CandidateSet {
  private readonly marks: Int32Array;
  private readonly masks: Int32Array;
  private stamp = 1;
  readonly list: number[] = [];

  constructor(size: number) {
    this.marks = new Int32Array(size);
    this.masks = new Int32Array(size);
  }

  clear(): void {
    this.list.length = 0;
    if (++this.stamp === 0x7fffffff) {
      this.marks.fill(0);
      this.stamp = 1;
    }
  }

  /** Lists rule `i` (once). */
  add(i: number): void {
    if (this.marks[i] === this.stamp && this.masks[i] === -1) return;
    this.marks[i] = this.stamp;
    this.masks[i] = -1;
    this.list.push(i);
  }

  /** Clause `bit` of rule `i` holds in this record; the rule is listed once its mask reaches `full`. */
  hit(i: number, bit: number, full: number): void {
    let mask = this.marks[i] === this.stamp ? this.masks[i]! : 0;
    if (mask & bit) return;
    this.marks[i] = this.stamp;
    mask |= bit;
    if (mask === full) mask = -1; // listed: later hits and add() see -1
    this.masks[i] = mask;
    if (mask === -1) this.list.push(i);
  }
}

interface PathIndex {
  text: string;
  /** Visits the path's values, feeding the string ones to the lookups. */
  feed: (subject: Subject) => void;
}

interface PathEntry {
  path: PathRef;
  eq: Map<string, number[]>;
  subs: Map<string, number[]>;
}

export interface KindIndexStats {
  rules: number;
  indexed: number;
  unfiltered: number;
  paths: number;
}

export class KindIndex {
  /** Every rule of this kind, in priority order (the naive engine's list). */
  readonly rules: CompiledRule[];
  /** Rules without a prefilter: evaluated on every record. */
  readonly always: number[];
  /** Paths walked one by one (`$` paths, `[N]` indexes); the others are in the trie. */
  private readonly paths: PathIndex[];
  private readonly trie: ((root: unknown) => void) | undefined;
  private readonly pathCount: number;
  /**
   * Per rule, one bit per clause indexed for this kind (a rule of two kinds may index different
   * clauses in each, so the masks are per kind).
   */
  private readonly full: Int32Array;

  constructor(
    rules: readonly CompiledRule[],
    private readonly candidates: CandidateSet,
  ) {
    this.rules = [...rules].sort((a, b) => a.index - b.index);
    this.always = this.rules.filter((r) => r.requirement.length === 0).map((r) => r.index);
    this.full = new Int32Array(this.rules.reduce((n, r) => Math.max(n, r.index + 1), 0));
    // Postings: rule index × 32 + clause number, per literal, per path.
    const byPath = new Map<string, PathEntry>();
    // Every indexed path costs a walk per record. A rule's first (best) clause decides which paths are
    // walked; its other clauses narrow the candidates further only where they use those paths anyway.
    const walked = new Set(this.rules.flatMap((r) => (r.requirement[0] ?? []).map((a) => a.path.text)));
    for (const r of this.rules) {
      const clauses = r.requirement.filter((c, i) => i === 0 || c.every((a) => walked.has(a.path.text)));
      this.full[r.index] = (1 << clauses.length) - 1;
      clauses.forEach((clause, bit) => {
        for (const atom of clause) {
          let entry = byPath.get(atom.path.text);
          if (!entry) {
            entry = { path: atom.path, eq: new Map(), subs: new Map() };
            byPath.set(atom.path.text, entry);
          }
          const table = atom.type === "eq" ? entry.eq : entry.subs;
          const postings = table.get(atom.literal) ?? [];
          const posting = r.index * 32 + bit;
          if (!postings.includes(posting)) postings.push(posting);
          table.set(atom.literal, postings);
        }
      });
    }
    // Paths of plain names share one walk of the record (path-trie.ts); `$` and `[N]` paths walk alone.
    const plain = [...byPath.values()].filter((e) => !e.path.envelope && e.path.segments.every((x) => typeof x === "string"));
    this.trie = plain.length > 0 ? compileTrie(buildTrie(plain.map((e) => ({ names: e.path.segments as string[], sink: this.sink(e.eq, e.subs) })))) : undefined;
    this.paths = [...byPath.values()]
      .filter((e) => !plain.includes(e))
      .map((e) => {
        const visit = compilePath(e.path);
        const sink = this.sink(e.eq, e.subs);
        return { text: e.path.text, feed: (subject: Subject) => void visit(subject, sink) };
      });
    this.pathCount = byPath.size;
  }

  /** What a path's values go through: the exact-string map, then the automaton. */
  private sink(eq: Map<string, number[]>, subs: Map<string, number[]>): (v: unknown) => boolean {
    const set = this.candidates;
    const full = this.full;
    const patterns = [...subs.keys()];
    const patternPostings = patterns.map((p) => subs.get(p)!);
    const ac = patterns.length > 0 ? new AhoCorasick(patterns) : undefined;
    const post = (postings: number[]): void => {
      for (let i = 0; i < postings.length; i++) {
        const p = postings[i]!;
        const rule = p >>> 5;
        set.hit(rule, 1 << (p & 31), full[rule]!);
      }
    };
    const onPattern = (id: number): void => post(patternPostings[id]!);
    const hasEq = eq.size > 0;
    const onValue = (v: unknown): boolean => {
      if (typeof v === "string") {
        if (hasEq) {
          const postings = eq.get(v);
          if (postings) post(postings);
        }
        if (ac) ac.scan(v, onPattern);
      }
      return false;
    };
    return onValue;
  }

  /** Marks the rules that may match `subject` in the shared candidate set (which the caller cleared). */
  collect(subject: Subject): void {
    for (let i = 0; i < this.always.length; i++) this.candidates.add(this.always[i]!);
    if (this.trie) this.trie(subject.root);
    for (let i = 0; i < this.paths.length; i++) this.paths[i]!.feed(subject);
  }

  stats(): KindIndexStats {
    return { rules: this.rules.length, indexed: this.rules.length - this.always.length, unfiltered: this.always.length, paths: this.pathCount };
  }
}
