/**
 * The condition language, by recursive descent (one function per grammar rule of docs/rules.md):
 *
 *   CONDITION := OR
 *   OR        := AND ("or" AND)*
 *   AND       := NOT ("and" NOT)*
 *   NOT       := "not" NOT | "(" CONDITION ")" | TEST
 *   TEST      := PATH OP VALUE | PATH "exists" | ("all" | "any") "(" PATH ")" OP VALUE
 *
 * Hand-written rather than generated (peggy): the surrounding file format is line-based (indented
 * fields, continuation lines, JSON examples, comments outside strings and regexes) which a PEG grammar
 * expresses poorly, and a hand-written parser can say in the rule author's words what it expected
 * ("a regex /…/ after =~") and keep going with the next rule after an error. No generated code, no
 * build step, nothing compiled at start-up.
 */
import { CidrSet, parseRange } from "../../core/net/index.js";
import type { Condition, Operator, PathRef, Scalar, TestNode, TestValue } from "./ast.js";
import { envelopeFields } from "./ast.js";
import { ParseFailure } from "./errors.js";
import { compileRegex } from "./regex.js";
import type { Scanner } from "./scanner.js";

const symbolOps = ["!=", "!~", "~=", "=~", "<=", ">=", "=", "<", ">"] as const;
const wordOps = ["contains", "startswith", "endswith", "icontains", "istartswith", "iendswith", "in", "exists"] as const;
const stringOps = new Set<Operator>(["~=", "contains", "startswith", "endswith", "icontains", "istartswith", "iendswith"]);
const numberOps = new Set<Operator>(["<", "<=", ">", ">="]);

export const OPERATOR_LIST = "an operator (=, !=, ~=, =~, !~, contains, startswith, endswith, icontains, istartswith, iendswith, in, <, <=, >, >=, exists)";
const TEST_START = ["a path", "`not`", "`(`", "`all(`", "`any(`"];

/** Parses a whole condition; the caller checks that the field ends after it. */
export function parseCondition(s: Scanner): Condition {
  return parseOr(s, 0);
}

function parseOr(s: Scanner, depth: number): Condition {
  const offset = (s.skip(), s.pos);
  const items = [parseAnd(s, depth)];
  while (s.isWord("or")) {
    s.word();
    items.push(parseAnd(s, depth));
  }
  return items.length === 1 ? items[0]! : { type: "or", items, offset };
}

function parseAnd(s: Scanner, depth: number): Condition {
  const offset = (s.skip(), s.pos);
  const items = [parseNot(s, depth)];
  while (s.isWord("and")) {
    s.word();
    items.push(parseNot(s, depth));
  }
  return items.length === 1 ? items[0]! : { type: "and", items, offset };
}

function parseNot(s: Scanner, depth: number): Condition {
  s.skip();
  const offset = s.pos;
  if (s.isWord("not")) {
    s.word();
    return { type: "not", item: parseNot(s, depth), offset };
  }
  if (s.eat("(")) {
    if (depth > 64) s.fail("conditions nested too deeply", [], offset);
    const inner = parseOr(s, depth + 1);
    if (!s.eat(")")) s.fail(`unexpected ${s.describeNext()}`, ["`and`", "`or`", "`)`"]);
    return inner;
  }
  return parseTest(s);
}

function parseTest(s: Scanner): TestNode {
  s.skip();
  const offset = s.pos;
  let quantifier: TestNode["quantifier"] = "implicit";
  let path: PathRef;
  const w = s.peekWord();
  if ((w === "all" || w === "any") && /^\s*\(/.test(s.text.slice(s.pos + w.length, s.end))) {
    s.word();
    s.expect("(");
    quantifier = w;
    path = parsePath(s);
    s.expect(")", "`)` closing the path");
  } else {
    path = parsePath(s);
  }
  s.skip();
  const opOffset = s.pos;
  const op = parseOperator(s);
  if (op === "exists" && quantifier !== "implicit") s.fail(`\`exists\` takes a bare path, not ${quantifier}(…)`, [], opOffset);
  const value = parseValue(s, op);
  return { type: "test", quantifier, path, op, opOffset, value, offset };
}

/** `a.b-c[0]."x.y"` or `$port`. */
export function parsePath(s: Scanner): PathRef {
  s.skip();
  const offset = s.pos;
  if (s.text[s.pos] === "$" && s.pos < s.end) {
    s.pos++;
    const name = s.word();
    if (name === undefined || !(envelopeFields as readonly string[]).includes(name)) {
      s.fail(`unknown record field \`$${name ?? ""}\``, envelopeFields.map((f) => `\`$${f}\``), offset);
    }
    return { text: `$${name}`, offset, envelope: true, segments: [name] };
  }
  const first = s.word();
  if (first === undefined) s.fail(`unexpected ${s.describeNext()}`, TEST_START);
  const segments: (string | number)[] = [first];
  let text = first;
  for (;;) {
    // No blanks inside a path: `a .b` is not `a.b`.
    const c = s.text[s.pos];
    if (s.pos >= s.end) break;
    if (c === ".") {
      s.pos++;
      if (s.text[s.pos] === '"') {
        const name = s.string("a name after `.`");
        segments.push(name);
        text += `.${JSON.stringify(name)}`;
      } else {
        const name = /^[A-Za-z0-9_][A-Za-z0-9_-]*/.exec(s.text.slice(s.pos, s.end))?.[0];
        if (name === undefined) s.fail(`unexpected ${s.describeNext()} in a path`, ["a name after `.`"], s.pos);
        s.pos += name.length;
        segments.push(name);
        text += `.${name}`;
      }
    } else if (c === "[") {
      const m = /^\[([0-9]{1,6})\]/.exec(s.text.slice(s.pos, s.end));
      if (!m) s.fail("bad list index in a path", ["`[N]` with a non-negative integer N"], s.pos);
      s.pos += m[0].length;
      segments.push(Number(m[1]));
      text += m[0];
    } else break;
  }
  return { text, offset, envelope: false, segments };
}

function parseOperator(s: Scanner): Operator {
  s.skip();
  for (const op of symbolOps) {
    if (s.text.startsWith(op, s.pos)) {
      if (op === "=" && s.text[s.pos + 1] === "=") s.fail("unknown operator `==`", ["`=` (equality is a single `=`)"]);
      s.pos += op.length;
      return op;
    }
  }
  const w = s.peekWord();
  if (w !== undefined && (wordOps as readonly string[]).includes(w)) {
    s.word();
    return w as Operator;
  }
  s.fail(`unexpected ${s.describeNext()}`, [OPERATOR_LIST]);
}

function parseValue(s: Scanner, op: Operator): TestValue {
  s.skip();
  const offset = s.pos;
  if (op === "exists") return { type: "none" };
  if (op === "=~" || op === "!~") {
    if (s.peek() !== "/") s.fail(`unexpected ${s.describeNext()}`, [`a regex /…/ after ${op}`]);
    const { source, flags, offset: at } = s.regex();
    return { type: "regex", regex: compileRegex(source, flags, at) };
  }
  if (op === "in") return parseList(s);
  if (stringOps.has(op)) return { type: "scalar", value: s.string(`a quoted string after ${op}`), offset };
  if (numberOps.has(op)) {
    if (!s.peekNumber()) s.fail(`unexpected ${s.describeNext()}`, [`a number after ${op}`]);
    return { type: "scalar", value: s.number(), offset };
  }
  // = and !=
  const scalar = parseScalar(s);
  if (scalar === undefined) {
    const hint = s.peek() === "/" ? ` (a regex needs \`${op === "=" ? "=~" : "!~"}\`)` : "";
    s.fail(`unexpected ${s.describeNext()}${hint}`, [`a string, number, \`true\` or \`false\` after ${op}`]);
  }
  return { type: "scalar", value: scalar, offset };
}

function parseScalar(s: Scanner): Scalar | undefined {
  const c = s.peek();
  if (c === '"') return s.string();
  if (s.peekNumber()) return s.number();
  if (s.isWord("true")) return (s.word(), true);
  if (s.isWord("false")) return (s.word(), false);
  return undefined;
}

/** An IPv4 or IPv6 address or CIDR, unquoted: `10.0.0.0/8`, `192.0.2.1`, `2001:db8::/32`, `::1`. */
const ADDRESS = /(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)(?:\/[0-9]{1,3})?(?![A-Za-z0-9_.:/])/y;

function parseList(s: Scanner): TestValue {
  s.skip();
  const offset = s.pos;
  s.expect("[", "`[` starting the list after `in`");
  const values: Scalar[] = [];
  const cidrs: string[] = [];
  let cidrSet: CidrSet | undefined;
  const itemKinds = ["a string", "a number", "`true`", "`false`", "an address or CIDR"];
  for (;;) {
    s.skip();
    ADDRESS.lastIndex = s.pos;
    const addr = ADDRESS.exec(s.text);
    if (addr && addr.index + addr[0].length <= s.end) {
      try {
        cidrSet ??= new CidrSet();
        cidrSet.add(parseRange(addr[0]));
      } catch (err) {
        throw new ParseFailure(s.pos, `bad address or CIDR \`${addr[0]}\`: ${err instanceof Error ? err.message : String(err)}`);
      }
      cidrs.push(addr[0]);
      s.pos += addr[0].length;
    } else {
      const v = parseScalar(s);
      if (v === undefined) s.fail(`unexpected ${s.describeNext()} in the list`, itemKinds);
      values.push(v);
    }
    if (s.eat(",")) continue;
    if (s.eat("]")) break;
    s.fail(`unexpected ${s.describeNext()} in the list`, ["`,`", "`]`"]);
  }
  cidrSet?.freeze();
  return { type: "list", values, cidrs, cidrSet, offset };
}
