/**
 * Paths compiled once into visitors. A visitor walks a record along the path and calls a leaf test on
 * every value it reaches, stopping at the first `true`: lists met on the way or at the end are walked
 * element by element (the "any element" rule), `[N]` picks one element, and missing keys, nulls and
 * wrong types simply yield nothing. No allocation per record. walker() is the general form; paths of
 * plain names (nearly all) get generated code with the same semantics (test/tag/index.test.ts checks
 * that the two agree on random records).
 */
import type { PathRef } from "./ast.js";

/** The object a rule sees, and the scan record's fields around it (`$port`, …). */
export interface Subject {
  root: unknown;
  env: Readonly<Record<string, unknown>>;
}

export type LeafTest = (value: unknown) => boolean;
export type PathVisitor = (subject: Subject, test: LeafTest) => boolean;

/** One function walks the whole path: a loop over the steps, recursing only into lists. */
export function walker(segments: readonly (string | number)[]): (value: unknown, test: LeafTest) => boolean {
  const n = segments.length;
  const names = segments.map((s) => (typeof s === "string" ? s : ""));
  const indexes = segments.map((s) => (typeof s === "number" ? s : -1));
  // Names that objects inherit (`constructor`, `toString`, …) must not reach Object.prototype.
  const inherited = names.map((s) => s !== "" && s in Object.prototype);
  const walk = (start: unknown, from: number, test: LeafTest): boolean => {
    let value = start;
    for (let i = from; ; i++) {
      if (value === null || value === undefined) return false;
      const index = i < n ? indexes[i]! : -1;
      if (Array.isArray(value)) {
        if (index >= 0) {
          value = value[index];
          continue;
        }
        for (let k = 0; k < value.length; k++) if (walk(value[k], i, test)) return true;
        return false;
      }
      if (i === n) return test(value);
      if (index >= 0 || typeof value !== "object") return false;
      const name = names[i]!;
      if (inherited[i] && !Object.hasOwn(value, name)) return false;
      value = (value as Record<string, unknown>)[name];
    }
  };
  return (value, test) => walk(value, 0, test);
}

/**
 * A path of plain names as generated code, one function per step with the name as a constant key
 * (named property loads: see engine/path-trie.ts), cached per path text. Same semantics as walker().
 */
const generated = new Map<string, (value: unknown, test: LeafTest) => boolean>();

function namesVisitor(names: readonly string[]): (value: unknown, test: LeafTest) => boolean {
  const key = JSON.stringify(names);
  let fn = generated.get(key);
  if (fn) return fn;
  const fns = names.map((name, i) => {
    const k = JSON.stringify(name);
    const own = name in Object.prototype ? `if (!Object.hasOwn(v, ${k})) return false; ` : "";
    return `function f${i}(v, t) { if (v === null || v === undefined) return false; if (Array.isArray(v)) { for (let j = 0; j < v.length; j++) if (f${i}(v[j], t)) return true; return false; } if (typeof v !== "object") return false; ${own}return f${i + 1}(v[${k}], t); }`;
  });
  fns.push(
    `function f${names.length}(v, t) { if (v === null || v === undefined) return false; if (Array.isArray(v)) { for (let j = 0; j < v.length; j++) if (f${names.length}(v[j], t)) return true; return false; } return t(v); }`,
  );
  fn = new Function(`${fns.join("\n")}\nreturn f0;`)() as (value: unknown, test: LeafTest) => boolean;
  generated.set(key, fn);
  return fn;
}

export function compilePath(path: PathRef): PathVisitor {
  const walk = path.segments.every((s) => typeof s === "string") ? namesVisitor(path.segments as string[]) : walker(path.segments);
  return path.envelope ? (subject, test) => walk(subject.env, test) : (subject, test) => walk(subject.root, test);
}

/** Every value a path reaches, in order (for explanations and the index, not the hot predicate path). */
export function pathValues(visit: PathVisitor, subject: Subject): unknown[] {
  const out: unknown[] = [];
  visit(subject, (v) => {
    out.push(v);
    return false;
  });
  return out;
}
