/**
 * Character-level reading of one field's text (a slice of the file: the field's first line after the
 * keyword, plus its continuation lines). Hand-written rather than a token stream because what a
 * character means depends on where the parser is: `/` opens a regex after `=~` and is part of a CIDR
 * inside `in [...]`, `-` is part of a path name but starts a negative number after `<`. The parser
 * asks for the kind of token it expects, and the scanner says what it found instead.
 */
import { ParseFailure } from "./errors.js";

const WORD = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![A-Za-z0-9_.])/y;

export class Scanner {
  constructor(
    readonly text: string,
    public pos: number,
    readonly end: number,
  ) {}

  /** Skips spaces, line breaks and `#` comments. */
  skip(): void {
    while (this.pos < this.end) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else if (c === 35) {
        const nl = this.text.indexOf("\n", this.pos);
        this.pos = nl === -1 || nl > this.end ? this.end : nl;
      } else break;
    }
  }

  atEnd(): boolean {
    this.skip();
    return this.pos >= this.end;
  }

  /** The next character after skipping blanks, or "" at the end. */
  peek(): string {
    this.skip();
    return this.pos < this.end ? this.text[this.pos]! : "";
  }

  startsWith(s: string): boolean {
    this.skip();
    return this.text.startsWith(s, this.pos) && this.pos + s.length <= this.end;
  }

  /** Consumes `s` if it comes next. */
  eat(s: string): boolean {
    if (!this.startsWith(s)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string, expected: string = `\`${s}\``): void {
    if (!this.eat(s)) this.fail(`unexpected ${this.describeNext()}`, [expected]);
  }

  /** A word (`[A-Za-z_][A-Za-z0-9_-]*`) if one comes next, without consuming it. */
  peekWord(): string | undefined {
    this.skip();
    WORD.lastIndex = this.pos;
    const m = WORD.exec(this.text);
    if (!m || m.index + m[0].length > this.end) return undefined;
    return m[0];
  }

  word(): string | undefined {
    const w = this.peekWord();
    if (w !== undefined) this.pos += w.length;
    return w;
  }

  /** True when the next word is exactly `w` (not a prefix of a longer word). */
  isWord(w: string): boolean {
    return this.peekWord() === w;
  }

  peekNumber(): boolean {
    this.skip();
    NUMBER.lastIndex = this.pos;
    return NUMBER.test(this.text);
  }

  number(): number {
    this.skip();
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail(`unexpected ${this.describeNext()}`, ["a number"]);
    this.pos += m[0].length;
    return Number(m[0]);
  }

  /** A double-quoted string with JSON escapes; returns its value. */
  string(what = "a quoted string"): string {
    this.skip();
    const start = this.pos;
    if (this.text[start] !== '"' || start >= this.end) this.fail(`unexpected ${this.describeNext()}`, [what]);
    let i = start + 1;
    for (;;) {
      const c = this.text[i];
      if (c === undefined || c === "\n" || i >= this.end) throw new ParseFailure(start, "unterminated string", ['a closing `"` on the same line']);
      if (c === "\\") i += 2;
      else if (c === '"') break;
      else i++;
    }
    const raw = this.text.slice(start, i + 1);
    try {
      const value = JSON.parse(raw) as string;
      this.pos = i + 1;
      return value;
    } catch {
      const bad = /\\(?:u(?![0-9A-Fa-f]{4})|[^"\\/bfnrtu])/.exec(raw);
      throw new ParseFailure(start + (bad?.index ?? 0), "invalid escape in string", ['a JSON escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)']);
    }
  }

  /** A `/pattern/flags` regex literal: the pattern as written and the flags. */
  regex(): { source: string; flags: string; offset: number } {
    this.skip();
    const start = this.pos;
    if (this.text[start] !== "/" || start >= this.end) this.fail(`unexpected ${this.describeNext()}`, ["a regex /…/"]);
    let i = start + 1;
    for (;;) {
      const c = this.text[i];
      if (c === undefined || c === "\n" || c === "\r" || i >= this.end) throw new ParseFailure(start, "unterminated regex", ["a closing `/` on the same line (write `\\/` for a slash inside)"]);
      if (c === "\\") i += 2;
      else if (c === "/") break;
      else i++;
    }
    const source = this.text.slice(start + 1, i);
    let j = i + 1;
    while (j < this.end && /[A-Za-z]/.test(this.text[j]!)) j++;
    const flags = this.text.slice(i + 1, j);
    for (let k = 0; k < flags.length; k++) {
      const f = flags[k]!;
      if (!"ism".includes(f)) throw new ParseFailure(i + 1 + k, `unknown regex flag \`${f}\``, ["`i`, `s` or `m`"]);
      if (flags.indexOf(f) !== k) throw new ParseFailure(i + 1 + k, `regex flag \`${f}\` given twice`);
    }
    if (source === "") throw new ParseFailure(start, "empty regex", ["a pattern between the slashes"]);
    this.pos = j;
    return { source, flags, offset: start };
  }

  /** What comes next, for "unexpected …" messages. */
  describeNext(): string {
    this.skip();
    if (this.pos >= this.end) return "end of field";
    const w = this.peekWord();
    if (w !== undefined) return `\`${w}\``;
    const c = this.text[this.pos]!;
    if (c === '"') return "string";
    const run = /^[^\sA-Za-z0-9_"]+/.exec(this.text.slice(this.pos, Math.min(this.end, this.pos + 3)));
    return `\`${run ? run[0] : c}\``;
  }

  /** True when only blanks stand between the start of the current line and the next token. */
  atLineStart(): boolean {
    this.skip();
    let i = this.pos - 1;
    while (i >= 0 && (this.text[i] === " " || this.text[i] === "\t")) i--;
    return i < 0 || this.text[i] === "\n";
  }

  /** Fails at `offset`, or at the next token. */
  fail(reason: string, expected: readonly string[] = [], offset?: number): never {
    if (offset === undefined) {
      this.skip();
      offset = this.pos;
    }
    throw new ParseFailure(offset, reason, expected);
  }
}
