/**
 * What the engine needs to know about a regex beyond "re2 accepts it": how many capture groups it has
 * and their names (to check `${1}` / `${name}` in tag values), and which literal text every match must
 * contain — the prefilter that lets the engine skip a rule unless that text occurs in the record.
 *
 * re2 does not expose its parse tree, so this is a small parser of re2's syntax. It only has to be
 * *sound*: every string it reports as required really is part of every match (lower-cased, ASCII).
 * Anything it does not model (back-references re2 would refuse anyway, exotic escapes) makes it give up
 * on that pattern: no prefilter, never a wrong one. Classes, `.` and non-ASCII characters are "some
 * character" (they break literal runs); anchors and `\b` are zero-width.
 *
 * Literals are lower-cased because the engine searches the lower-cased field text: that one index then
 * serves case-sensitive and case-insensitive patterns alike (see engine/fold.ts for why lower-casing
 * keeps every ASCII match visible, Kelvin sign and long s included).
 */

export interface RegexInfo {
  /** Capturing groups, numbered and named. */
  groups: number;
  /** Names of the named groups, in order. */
  names: string[];
  /** Lower-cased ASCII strings, one of which occurs in the lower-cased text of every match; undefined: none known. */
  required: string[] | undefined;
  /** The pattern starts with `.*` (after `^` and flags): redundant for an unanchored search, and slow. */
  leadingDotStar: boolean;
  /** False when the pattern used syntax this analysis does not model: no prefilter, group count unknown. */
  understood: boolean;
  /**
   * For a pattern anchored at the start of the text (every branch begins with `^` or `\A`, no `m` flag):
   * the UTF-16 code units a matching text can begin with. A text starting with anything else cannot
   * match, which the engine checks before calling re2. Undefined when unknown (or any character).
   */
  firstChars: FirstChars | undefined;
}

/** A set of code units: ASCII as a table, and the few others (the Kelvin sign, long s) listed. */
export interface FirstChars {
  ascii: Uint8Array;
  other: readonly number[];
}

type Node =
  // `c`: lower-cased (for the literal index); `code`: the code point as written (for first characters).
  | { t: "lit"; c: string; code: number }
  | { t: "empty" }
  // `^` / `\A`: zero-width like "empty", and anchors a match at the start.
  | { t: "bol" }
  // A class of ASCII characters, as written (`[0-9a-f]`, `\d`); wider classes are "other".
  | { t: "set"; codes: number[] }
  | { t: "other" }
  | { t: "cat"; items: Node[] }
  | { t: "alt"; items: Node[] }
  | { t: "rep"; item: Node; min: number; max: number };

/** Most alternatives kept in one literal set; more says little and costs index entries. */
const MAX_SET = 16;
/** Longest literal kept: any substring of a required literal is required too. */
export const MAX_LITERAL = 48;

class GiveUp extends Error {}

const OTHER: Node = { t: "other" };
const EMPTY: Node = { t: "empty" };
const BOL: Node = { t: "bol" };

class RegexParser {
  i = 0;
  groups = 0;
  names: string[] = [];
  /** An inline flag group (`(?i)`, `(?m:…)`) was seen: first characters are not worked out then. */
  inlineFlags = false;
  constructor(private readonly s: string) {}

  parse(): Node {
    const node = this.alt();
    if (this.i !== this.s.length) throw new GiveUp();
    return node;
  }

  private alt(): Node {
    const items = [this.cat()];
    while (this.s[this.i] === "|") {
      this.i++;
      items.push(this.cat());
    }
    return items.length === 1 ? items[0]! : { t: "alt", items };
  }

  private cat(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== "|" && this.s[this.i] !== ")") items.push(this.repeat());
    return items.length === 1 ? items[0]! : { t: "cat", items };
  }

  private repeat(): Node {
    let node = this.atom();
    for (;;) {
      const c = this.s[this.i];
      let min: number;
      let max: number;
      if (c === "*") [min, max, this.i] = [0, Infinity, this.i + 1];
      else if (c === "+") [min, max, this.i] = [1, Infinity, this.i + 1];
      else if (c === "?") [min, max, this.i] = [0, 1, this.i + 1];
      else if (c === "{") {
        // `{` that is not a valid repetition is a literal in re2 (and handled by atom()).
        const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.s.slice(this.i));
        if (!m) break;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
        this.i += m[0].length;
      } else break;
      if (this.s[this.i] === "?") this.i++; // non-greedy: same strings
      node = { t: "rep", item: node, min, max };
    }
    return node;
  }

  private atom(): Node {
    const c = this.s[this.i]!;
    switch (c) {
      case "(":
        return this.group();
      case "[":
        return this.charClass();
      case ".":
        this.i++;
        return OTHER;
      case "^":
        this.i++;
        return BOL;
      case "$":
        this.i++;
        return EMPTY;
      case "\\":
        return this.escape();
      case "*":
      case "+":
      case "?":
      case ")":
        throw new GiveUp();
      default: {
        const cp = this.s.codePointAt(this.i)!;
        const ch = String.fromCodePoint(cp);
        this.i += ch.length;
        return literal(ch);
      }
    }
  }

  private group(): Node {
    this.i++;
    if (this.s[this.i] === "?") {
      const rest = this.s.slice(this.i);
      const named = /^\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      const flags = /^\?[imsU-]*([:)])/.exec(rest);
      if (named) {
        this.groups++;
        this.names.push(named[1]!);
        this.i += named[0].length;
      } else if (flags) {
        if (flags[0].length > 2) this.inlineFlags = true;
        this.i += flags[0].length;
        if (flags[1] === ")") return EMPTY; // `(?i)`: changes flags, matches nothing
      } else throw new GiveUp();
    } else this.groups++;
    const inner = this.alt();
    if (this.s[this.i] !== ")") throw new GiveUp();
    this.i++;
    return inner;
  }

  private charClass(): Node {
    this.i++;
    // The members are collected where they are plain ASCII (characters, ranges, \d \w \s, escaped
    // punctuation); anything else makes the class "some character".
    let known = true;
    if (this.s[this.i] === "^") {
      this.i++;
      known = false;
    }
    const codes: number[] = [];
    let prev = -1;
    const add = (code: number) => {
      if (code > 0 && code < 128) codes.push(code);
      else known = false;
      prev = code;
    };
    if (this.s[this.i] === "]") {
      this.i++;
      add(93);
    }
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) throw new GiveUp();
      if (c === "\\") {
        if (this.s[this.i + 1] === "Q") throw new GiveUp();
        const e = this.s[this.i + 1] ?? "";
        const shorthand = CLASS_SHORTHANDS[e];
        if (shorthand) {
          codes.push(...shorthand);
          prev = -1;
        } else if (/[^A-Za-z0-9]/.test(e)) add(e.charCodeAt(0));
        else {
          known = false;
          prev = -1;
        }
        this.i += 2;
      } else if (c === "[" && this.s[this.i + 1] === ":") {
        const end = this.s.indexOf(":]", this.i + 2);
        if (end === -1) throw new GiveUp();
        this.i = end + 2;
        known = false;
        prev = -1;
      } else if (c === "]") {
        this.i++;
        return known ? { t: "set", codes } : OTHER;
      } else if (c === "-" && prev >= 0 && this.s[this.i + 1] !== "]" && this.s[this.i + 1] !== undefined) {
        // A range from the previous member. An escaped, bracketed or non-ASCII end is not modelled: only
        // the `-` is consumed then, and the loop reads the rest as before.
        const next = this.s[this.i + 1]!;
        const end = next.charCodeAt(0);
        if (next === "\\" || next === "[" || end >= 128 || end < prev) {
          known = false;
          this.i++;
        } else {
          for (let code = prev + 1; code <= end; code++) codes.push(code);
          this.i += 2;
        }
        prev = -1;
      } else {
        const cp = this.s.codePointAt(this.i)!;
        add(cp);
        this.i += String.fromCodePoint(cp).length;
      }
    }
  }

  private escape(): Node {
    this.i++;
    const c = this.s[this.i];
    if (c === undefined) throw new GiveUp();
    this.i++;
    if (/[0-7]/.test(c)) {
      // Octal code (re2 refuses \1-\9 as back-references before we get here).
      while (/[0-7]/.test(this.s[this.i] ?? "") && this.i < this.s.length) this.i++;
      return OTHER;
    }
    switch (c) {
      case "x": {
        const m = /^(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2}))/.exec(this.s.slice(this.i));
        if (!m) throw new GiveUp();
        this.i += m[0].length;
        const code = parseInt(m[1] ?? m[2]!, 16);
        return code < 0x110000 ? literal(String.fromCodePoint(code)) : OTHER;
      }
      case "n":
        return literal("\n");
      case "t":
        return literal("\t");
      case "r":
        return literal("\r");
      case "f":
        return literal("\f");
      case "v":
        return literal("\v");
      case "a":
        return literal("\x07");
      case "d":
      case "w":
      case "s":
        return { t: "set", codes: CLASS_SHORTHANDS[c]! };
      case "D":
      case "W":
      case "S":
      case "C":
        return OTHER;
      case "A":
        return BOL;
      case "b":
      case "B":
      case "z":
        return EMPTY;
      case "p":
      case "P": {
        if (this.s[this.i] === "{") {
          const end = this.s.indexOf("}", this.i);
          if (end === -1) throw new GiveUp();
          this.i = end + 1;
        } else this.i++;
        return OTHER;
      }
      case "Q": {
        const end = this.s.indexOf("\\E", this.i);
        const text = this.s.slice(this.i, end === -1 ? this.s.length : end);
        this.i = end === -1 ? this.s.length : end + 2;
        return { t: "cat", items: [...text].map(literal) };
      }
      default:
        if (/[A-Za-z0-9]/.test(c)) throw new GiveUp();
        return literal(c); // escaped punctuation
    }
  }
}

function literal(ch: string): Node {
  const code = ch.codePointAt(0)!;
  return code > 0 && code < 128 ? { t: "lit", c: ch.toLowerCase(), code } : OTHER;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
/** re2's Perl classes (ASCII only in re2: `\d` is [0-9], `\w` [0-9A-Za-z_], `\s` [\t\n\f\r ]). */
const CLASS_SHORTHANDS: Record<string, number[]> = {
  d: range(48, 57),
  w: [...range(48, 57), ...range(65, 90), ...range(97, 122), 95],
  s: [9, 10, 12, 13, 32],
};

interface Info {
  /** Every string the node can match (lower-cased), when that set is small and known. */
  exact: string[] | null;
  /** A set one of which every match contains (no empty string), or null. */
  best: string[] | null;
}

function valid(set: string[] | null): set is string[] {
  return set !== null && set.length > 0 && set.every((s) => s.length > 0);
}

function quality(set: string[]): number {
  return Math.min(Math.min(...set.map((s) => s.length)), MAX_LITERAL) * 100 - set.length;
}

function better(a: string[] | null, b: string[] | null): string[] | null {
  if (!valid(b)) return valid(a) ? a : null;
  if (!valid(a)) return b;
  return quality(b) > quality(a) ? b : a;
}

function cross(a: string[], b: string[]): string[] {
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return [...out];
}

function analyze(node: Node): Info {
  switch (node.t) {
    case "lit":
      return { exact: [node.c], best: [node.c] };
    case "empty":
    case "bol":
      return { exact: [""], best: null };
    case "other":
    case "set":
      return { exact: null, best: null };
    case "cat": {
      let cur: string[] = [""];
      let best: string[] | null = null;
      let allExact = true;
      for (const item of node.items) {
        const info = analyze(item);
        best = better(best, info.best);
        if (info.exact) {
          const product = cross(cur, info.exact);
          if (product.length <= MAX_SET) cur = product;
          else {
            best = better(best, cur);
            cur = info.exact;
            allExact = false;
          }
        } else {
          best = better(best, cur);
          cur = [""];
          allExact = false;
        }
      }
      best = better(best, cur);
      return { exact: allExact ? cur : null, best };
    }
    case "alt": {
      const infos = node.items.map(analyze);
      let exact: string[] | null = null;
      if (infos.every((i) => i.exact)) {
        const union = [...new Set(infos.flatMap((i) => i.exact!))];
        if (union.length <= MAX_SET) exact = union;
      }
      const branches = infos.map((i) => better(i.best, i.exact));
      let best: string[] | null = null;
      if (branches.every(valid)) {
        const union = [...new Set(branches.flatMap((b) => b!))];
        if (union.length <= MAX_SET * 4) best = union;
      }
      return { exact, best };
    }
    case "rep": {
      const info = analyze(node.item);
      if (node.min === 0) {
        const exact = node.max === 1 && info.exact ? [...new Set(["", ...info.exact])] : null;
        return { exact, best: null };
      }
      let exact: string[] | null = null;
      if (node.min === node.max && info.exact && node.min <= 8) {
        let power: string[] = [""];
        for (let k = 0; k < node.min && power.length <= MAX_SET; k++) power = cross(power, info.exact);
        if (power.length <= MAX_SET) exact = power;
      }
      return { exact, best: better(info.best, info.exact) };
    }
  }
}

/** Whether every match of `node` starts at the start of the text (each branch begins with `^`/`\A`). */
function anchoredAtStart(node: Node): boolean {
  switch (node.t) {
    case "bol":
      return true;
    case "cat":
      for (const item of node.items) {
        if (anchoredAtStart(item)) return true;
        if (item.t !== "empty") return false; // zero-width items (`\b`, `(?:)`) before the anchor are fine
      }
      return false;
    case "alt":
      return node.items.every(anchoredAtStart);
    default:
      return false;
  }
}

interface First {
  /** The node can match the empty string. */
  nullable: boolean;
  /** Some first character is outside what `codes` can say. */
  any: boolean;
  codes: Set<number>;
}

/** The characters a match of `node` can begin with (as written; case variants are added later). */
function first(node: Node): First {
  switch (node.t) {
    case "lit":
      return { nullable: false, any: false, codes: new Set([node.code]) };
    case "set":
      return { nullable: false, any: false, codes: new Set(node.codes) };
    case "other":
      return { nullable: false, any: true, codes: new Set() };
    case "empty":
    case "bol":
      return { nullable: true, any: false, codes: new Set() };
    case "cat": {
      const out: First = { nullable: true, any: false, codes: new Set() };
      for (const item of node.items) {
        const f = first(item);
        out.any ||= f.any;
        for (const c of f.codes) out.codes.add(c);
        if (!f.nullable) return { ...out, nullable: false };
      }
      return out;
    }
    case "alt": {
      const out: First = { nullable: false, any: false, codes: new Set() };
      for (const item of node.items) {
        const f = first(item);
        out.nullable ||= f.nullable;
        out.any ||= f.any;
        for (const c of f.codes) out.codes.add(c);
      }
      return out;
    }
    case "rep": {
      const f = first(node.item);
      return { ...f, nullable: f.nullable || node.min === 0 };
    }
  }
}

/**
 * First characters of an anchored pattern, with the case variants re2's `i` flag matches: both ASCII
 * cases, plus U+212A (Kelvin sign) for k and U+017F (long s) for s — the only non-ASCII characters that
 * fold onto ASCII letters in re2 (test/tag/regex.test.ts checks this against re2 itself).
 */
function firstChars(root: Node, flags: string, inlineFlags: boolean): FirstChars | undefined {
  if (inlineFlags || flags.includes("m") || !anchoredAtStart(root)) return undefined;
  const f = first(root);
  if (f.nullable || f.any) return undefined;
  const ascii = new Uint8Array(128);
  const other = new Set<number>();
  for (const code of f.codes) {
    ascii[code] = 1;
    if (!flags.includes("i")) continue;
    const ch = String.fromCharCode(code);
    for (const variant of [ch.toLowerCase(), ch.toUpperCase()]) ascii[variant.charCodeAt(0)] = 1;
    if (code === 107 || code === 75) other.add(0x212a);
    if (code === 115 || code === 83) other.add(0x17f);
  }
  return { ascii, other: [...other] };
}

/** Whether a text can begin as `chars` requires (the empty text cannot). */
export function startsAsAllowed(chars: FirstChars, text: string): boolean {
  if (text.length === 0) return false;
  const c = text.charCodeAt(0);
  return c < 128 ? chars.ascii[c] === 1 : chars.other.includes(c);
}

/** Facts about a pattern re2 has already accepted (with its flags). */
export function analyzeRegex(source: string, flags = ""): RegexInfo {
  const leadingDotStar = /^\^?(?:\(\?[imsU-]*\))?\.\*/.test(source);
  const parser = new RegexParser(source);
  try {
    const root = parser.parse();
    const info = analyze(root);
    const best = better(info.best, info.exact);
    const required = valid(best) ? [...new Set(best.map((s) => s.slice(0, MAX_LITERAL)))] : undefined;
    return { groups: parser.groups, names: parser.names, required, leadingDotStar, understood: true, firstChars: firstChars(root, flags, parser.inlineFlags) };
  } catch (err) {
    if (!(err instanceof GiveUp)) throw err;
    return { groups: 0, names: [], required: undefined, leadingDotStar, understood: false, firstChars: undefined };
  }
}
