/**
 * `compileRuleSet(ruleSet)` → a Tagger. Two strategies with the same outcome: `indexed` (the default:
 * per kind, only the rules whose literal prefilter the record passes, plus those without one, are
 * evaluated) and `naive` (every rule of the kind is evaluated; the reference the property test and the
 * benchmark compare against).
 */
import type { Rule } from "../language/ast.js";
import type { Subject } from "../language/paths.js";
import type { Tag, TagState } from "../tag.js";
import { compileRules, describeMatch, type CompiledRule, type RuleMatch } from "./compiled-rule.js";
import { certificateRoot, classifyInput, NO_ENVELOPE, recordSubjects, type ClassifiedInput } from "./input.js";
import { CandidateSet, KindIndex, type KindIndexStats } from "./kind-index.js";
import { resolveTags } from "./outcome.js";

export interface TaggerOptions {
  strategy?: "indexed" | "naive";
}

export interface RuleHits {
  rule: string;
  group: string;
  state: TagState;
  hits: number;
}

export interface Tagger {
  readonly strategy: "indexed" | "naive";
  /** The rules evaluated (active and testing), in priority order. */
  readonly rules: readonly CompiledRule[];
  /** A scan record or a bare certificate, told apart by shape. Throws TagInputError on anything else. */
  tag(input: unknown): Tag[];
  /** A ZGrab2-shaped scan record. */
  tagRecord(record: unknown): Tag[];
  /** `{raw?, parsed?}`: `parsed` when present, else `raw` (base64 DER) parsed. */
  tagCertificate(certificate: { raw?: string; parsed?: unknown }): Tag[];
  /** One object of one kind (what examples and tests use). */
  tagSubject(kind: string, subject: Subject, port?: number): Tag[];
  /** The rules whose prefilter `subject` passes (all rules of the kind for the naive strategy). */
  candidates(kind: string, subject: Subject): CompiledRule[];
  /** Inputs each rule tagged since compilation. */
  hits(): RuleHits[];
  indexStats(): Record<string, KindIndexStats>;
}

class RuleTagger implements Tagger {
  readonly rules: readonly CompiledRule[];
  private readonly kinds = new Map<string, KindIndex>();
  private readonly candidateSet: CandidateSet;
  private readonly matched: CandidateSet;
  private readonly counts: Int32Array;
  /**
   * Reused per input (the tagger is synchronous and nothing keeps them: predicates, explanations and
   * tags read the subject and the match list, never hold them): a certificate stream then allocates
   * nothing per certificate that matches no rule.
   */
  private readonly matches: RuleMatch[] = [];
  private readonly certificate: { root: unknown; env: Subject["env"] } = { root: undefined, env: NO_ENVELOPE };
  private x509: KindIndex | undefined;

  constructor(
    rules: readonly Rule[],
    readonly strategy: "indexed" | "naive",
  ) {
    this.rules = compileRules(rules.filter((r) => r.state !== "disabled"));
    this.candidateSet = new CandidateSet(this.rules.length);
    this.matched = new CandidateSet(this.rules.length);
    this.counts = new Int32Array(this.rules.length);
    const named = new Set(this.rules.flatMap((r) => r.rule.appliesTo));
    named.delete("any");
    for (const kind of named) this.kindIndex(kind);
  }

  private kindIndex(kind: string): KindIndex {
    let index = this.kinds.get(kind);
    if (!index) {
      // `any` means any scan module's result; certificates are their own kind.
      const rules = this.rules.filter((r) => r.rule.appliesTo.includes(kind) || (kind !== "x509" && r.rule.appliesTo.includes("any")));
      index = new KindIndex(rules, this.candidateSet);
      this.kinds.set(kind, index);
    }
    return index;
  }

  /** Rules of `kind` that match `subject`, appended to `out` (each rule once per input). */
  private evaluate(kind: string, subject: Subject, out: RuleMatch[]): void {
    const index = kind === "x509" ? (this.x509 ??= this.kindIndex(kind)) : this.kindIndex(kind);
    if (this.strategy === "naive") {
      for (const r of index.rules) if (r.compiled.predicate(subject)) this.accept(r, kind, subject, out);
      return;
    }
    const set = this.candidateSet;
    set.clear();
    index.collect(subject);
    const list = set.list;
    // In the order the index found them: the outcome does not depend on it (resolveTags orders the
    // matches, and a rule matching two objects of one input keeps the first object's explanation).
    for (let i = 0; i < list.length; i++) {
      const r = this.rules[list[i]!]!;
      if (r.compiled.predicate(subject)) this.accept(r, kind, subject, out);
    }
  }

  private accept(r: CompiledRule, kind: string, subject: Subject, out: RuleMatch[]): void {
    const before = this.matched.list.length;
    this.matched.add(r.index);
    if (this.matched.list.length === before) return; // already matched another object of this input
    const m = describeMatch(r, kind, subject);
    if (m) out.push(m);
  }

  private run(input: ClassifiedInput): Tag[] {
    this.matched.clear();
    const matches = this.matches;
    matches.length = 0;
    for (const { kind, subject } of input.subjects) this.evaluate(kind, subject, matches);
    return this.outcome(matches, input.port);
  }

  private outcome(matches: RuleMatch[], port: number | undefined): Tag[] {
    if (matches.length === 0) return [];
    for (let i = 0; i < matches.length; i++) this.counts[matches[i]!.rule.index]!++;
    const tags = resolveTags(matches, port);
    matches.length = 0;
    return tags;
  }

  tag(input: unknown): Tag[] {
    return this.run(classifyInput(input));
  }

  tagRecord(record: unknown): Tag[] {
    if (typeof record !== "object" || record === null) return this.tag(record);
    return this.run(recordSubjects(record as Record<string, unknown>));
  }

  tagCertificate(certificate: { raw?: string; parsed?: unknown }): Tag[] {
    // The hot path of a certificate stream: the same work as run() without its per-input objects.
    const subject = this.certificate;
    subject.root = certificateRoot(certificate);
    this.matched.clear();
    const matches = this.matches;
    matches.length = 0;
    this.evaluate("x509", subject, matches);
    subject.root = undefined;
    return this.outcome(matches, undefined);
  }

  tagSubject(kind: string, subject: Subject, port?: number): Tag[] {
    return this.run({ subjects: [{ kind, subject }], port });
  }

  candidates(kind: string, subject: Subject): CompiledRule[] {
    const index = this.kindIndex(kind);
    if (this.strategy === "naive") return [...index.rules];
    this.candidateSet.clear();
    index.collect(subject);
    return [...this.candidateSet.list].sort((a, b) => a - b).map((i) => this.rules[i]!);
  }

  hits(): RuleHits[] {
    return this.rules.map((r) => ({ rule: r.rule.name, group: r.rule.group, state: r.rule.state as TagState, hits: this.counts[r.index]! }));
  }

  indexStats(): Record<string, KindIndexStats> {
    return Object.fromEntries([...this.kinds].map(([k, v]) => [k, v.stats()]));
  }
}

export function compileRuleSet(ruleSet: { rules: readonly Rule[] } | readonly Rule[], options: TaggerOptions = {}): Tagger {
  const rules = Array.isArray(ruleSet) ? (ruleSet as readonly Rule[]) : (ruleSet as { rules: readonly Rule[] }).rules;
  return new RuleTagger(rules, options.strategy ?? "indexed");
}
