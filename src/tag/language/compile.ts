/**
 * Conditions → predicates. Each test becomes a path visitor plus a leaf test built once (literals
 * pre-lower-cased, lists turned into Sets and CIDR sets, regexes compiled by re2 at parse time); `and`,
 * `or` and `not` become closures over those. Evaluating a rule on a record walks no syntax tree.
 *
 * Semantics (docs/rules.md): a path that reaches several values (lists) means "some value passes"
 * — for every operator, `!=` and `!~` included — unless `all(path)` asks that every value passes (and
 * there is at least one). A path that reaches nothing fails every test; `not` inverts the result.
 */
import { foldedIncludes } from "../engine/fold.js";
import type { Condition, Scalar, TestNode } from "./ast.js";
import { compilePath, type LeafTest, type PathVisitor, type Subject } from "./paths.js";
import { regexTest } from "./regex.js";
import { startsAsAllowed } from "./regex-info.js";
import { addressIn, lower, numericValue } from "./values.js";

export type Predicate = (subject: Subject) => boolean;

export interface CompiledTest {
  node: TestNode;
  visit: PathVisitor;
  /** Whether one value passes. */
  leaf: LeafTest;
  all: boolean;
}

export interface CompiledCondition {
  predicate: Predicate;
  /** The compiled form of every test, for explanations (which fields matched, captures). */
  tests: Map<TestNode, CompiledTest>;
}

const anything: LeafTest = () => true;

function equals(value: Scalar): LeafTest {
  if (typeof value === "string") return (v) => v === value;
  if (typeof value === "boolean") return (v) => v === value;
  return (v) => v === value || (typeof v === "string" && numericValue(v) === value);
}

function compare(op: "<" | "<=" | ">" | ">=", n: number): LeafTest {
  switch (op) {
    case "<":
      return (v) => {
        const x = numericValue(v);
        return x !== undefined && x < n;
      };
    case "<=":
      return (v) => {
        const x = numericValue(v);
        return x !== undefined && x <= n;
      };
    case ">":
      return (v) => {
        const x = numericValue(v);
        return x !== undefined && x > n;
      };
    case ">=":
      return (v) => {
        const x = numericValue(v);
        return x !== undefined && x >= n;
      };
  }
}

function inList(node: TestNode): LeafTest {
  if (node.value.type !== "list") throw new Error("in without a list");
  const { values, cidrSet } = node.value;
  const strings = new Set(values.filter((v) => typeof v === "string"));
  const numbers = new Set(values.filter((v) => typeof v === "number"));
  const booleans = new Set(values.filter((v) => typeof v === "boolean"));
  return (v) => {
    if (typeof v === "string") {
      if (strings.has(v)) return true;
      if (numbers.size > 0) {
        const n = numericValue(v);
        if (n !== undefined && numbers.has(n)) return true;
      }
      return cidrSet !== undefined && addressIn(cidrSet, v);
    }
    if (typeof v === "number") return numbers.has(v);
    if (typeof v === "boolean") return booleans.has(v);
    return false;
  };
}

/** The leaf test of a positive operator; `!=` and `!~` are its negation per value. */
function leafTest(node: TestNode): LeafTest {
  const { op, value } = node;
  if (op === "exists") return anything;
  if (value.type === "regex") {
    const re = value.regex.re;
    // A value without any of the pattern's required literals cannot match: skip the call into re2
    // (the literals are those the index uses; regex-info.ts proves them necessary). Nor can a value that
    // starts with a character an anchored pattern cannot start with (`^(?:IBR|AER)[0-9]`: only I or A),
    // which is cheaper still and catches patterns whose literals are weak (one letter).
    const required = value.regex.info.required;
    const first = value.regex.info.firstChars;
    const literals = required !== undefined && required.length <= 4 ? required : undefined;
    const withLiterals: LeafTest = literals
      ? (v) => {
          if (typeof v !== "string") return false;
          for (let i = 0; i < literals.length; i++) if (foldedIncludes(v, literals[i]!)) return regexTest(re, v);
          return false;
        }
      : (v) => typeof v === "string" && regexTest(re, v);
    const test: LeafTest = first ? (v) => typeof v === "string" && startsAsAllowed(first, v) && withLiterals(v) : withLiterals;
    return op === "!~" ? (v) => !test(v) : test;
  }
  if (op === "in") return inList(node);
  if (value.type !== "scalar") throw new Error(`operator ${op} without a value`);
  const literal = value.value;
  switch (op) {
    case "=":
      return equals(literal);
    case "!=": {
      const eq = equals(literal);
      return (v) => !eq(v);
    }
    case "<":
    case "<=":
    case ">":
    case ">=":
      return compare(op, literal as number);
  }
  const s = literal as string;
  const ls = lower(s);
  switch (op) {
    case "~=":
      return (v) => typeof v === "string" && (v === s || lower(v) === ls);
    case "contains":
      return (v) => typeof v === "string" && v.includes(s);
    case "startswith":
      return (v) => typeof v === "string" && v.startsWith(s);
    case "endswith":
      return (v) => typeof v === "string" && v.endsWith(s);
    case "icontains":
      return (v) => typeof v === "string" && lower(v).includes(ls);
    case "istartswith":
      return (v) => typeof v === "string" && lower(v).startsWith(ls);
    case "iendswith":
      return (v) => typeof v === "string" && lower(v).endsWith(ls);
  }
  throw new Error(`unknown operator ${op}`);
}

export function compileTest(node: TestNode): CompiledTest {
  return { node, visit: compilePath(node.path), leaf: leafTest(node), all: node.quantifier === "all" };
}

export function evalTest(t: CompiledTest, subject: Subject): boolean {
  if (!t.all) return t.visit(subject, t.leaf);
  const leaf = t.leaf;
  return t.visit(subject, anything) && !t.visit(subject, (v) => !leaf(v));
}

function testPredicate(t: CompiledTest): Predicate {
  const { visit, leaf } = t;
  if (!t.all) return (s) => visit(s, leaf);
  const fails: LeafTest = (v) => !leaf(v);
  return (s) => visit(s, anything) && !visit(s, fails);
}

export function compileCondition(cond: Condition): CompiledCondition {
  const tests = new Map<TestNode, CompiledTest>();
  const build = (c: Condition): Predicate => {
    switch (c.type) {
      case "test": {
        const t = compileTest(c);
        tests.set(c, t);
        return testPredicate(t);
      }
      case "not": {
        const inner = build(c.item);
        return (s) => !inner(s);
      }
      case "and": {
        const items = c.items.map(build);
        if (items.length === 2) {
          const [a, b] = items as [Predicate, Predicate];
          return (s) => a(s) && b(s);
        }
        return (s) => {
          for (let i = 0; i < items.length; i++) if (!items[i]!(s)) return false;
          return true;
        };
      }
      case "or": {
        const items = c.items.map(build);
        if (items.length === 2) {
          const [a, b] = items as [Predicate, Predicate];
          return (s) => a(s) || b(s);
        }
        return (s) => {
          for (let i = 0; i < items.length; i++) if (items[i]!(s)) return true;
          return false;
        };
      }
    }
  };
  return { predicate: build(cond), tests };
}
