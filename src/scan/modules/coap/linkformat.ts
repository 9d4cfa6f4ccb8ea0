/**
 * CoRE Link Format (RFC 6690 §2), the payload of `/.well-known/core`:
 *   </time>;if="clock";rt="ticks";title="Internal Clock";ct=0;obs,</async>;ct=0
 *
 * Hand-written because no maintained npm parser handles what devices actually send: commas and
 * semicolons inside quoted values, bare flags such as `obs` (nmap's coap-resources mis-splits on them and
 * loses the following link, e.g. libcoap's `/async`), space-separated `rt`/`if`/`ct` lists, stray
 * whitespace and garbage entries. It is tolerant: a bad entry is reported in `errors` and skipped, and
 * parsing resumes at the next top-level comma. It never throws; output is bounded by `limits`.
 */

export type LinkAttributeValue = string | true;

export interface LinkFormatResource {
  /** The URI-reference between `<` and `>`, as written (usually a path such as "/time"). */
  path: string;
  title?: string;
  /** Resource types (`rt`), split on spaces. */
  rt?: string[];
  /** Interface descriptions (`if`), split on spaces. */
  if?: string[];
  /** Content formats (`ct`): numbers, or the text when a device writes a non-numeric value. */
  ct?: Array<number | string>;
  /** Estimated size (`sz`). */
  sz?: number;
  /** Observable (the bare `obs` flag). */
  obs?: boolean;
  anchor?: string;
  rel?: string[];
  /** Every other parameter; `true` for a bare flag, an array when repeated. */
  attributes?: Record<string, LinkAttributeValue | LinkAttributeValue[]>;
}

export interface LinkFormatError {
  /** Character offset in the text. */
  offset: number;
  /** The offending text (at most 120 characters). */
  entry: string;
  reason: string;
}

export interface LinkFormatParse {
  resources: LinkFormatResource[];
  errors: LinkFormatError[];
  /** True when a limit stopped parsing or error reporting early. */
  truncated: boolean;
}

export interface LinkFormatLimits {
  maxResources?: number;
  maxErrors?: number;
}

const SNIPPET = 120;

export function parseLinkFormat(text: string, limits: LinkFormatLimits = {}): LinkFormatParse {
  return new LinkFormatParser(text, limits.maxResources ?? 4096, limits.maxErrors ?? 64).parse();
}

/** Paths of the resources joined by commas, e.g. "</>,</time>": the shape of Shadowserver's `response`. */
export function linkPaths(resources: readonly LinkFormatResource[]): string {
  return resources.map((r) => `<${r.path}>`).join(",");
}

class LinkFormatParser {
  private i = 0;
  private readonly resources: LinkFormatResource[] = [];
  private readonly errors: LinkFormatError[] = [];
  private truncated = false;

  constructor(
    private readonly s: string,
    private readonly maxResources: number,
    private readonly maxErrors: number,
  ) {}

  parse(): LinkFormatParse {
    const { s } = this;
    while (this.skipSpace() < s.length) {
      if (s[this.i] === ",") {
        this.i++; // empty entry (",," or a trailing comma): harmless
        continue;
      }
      if (this.resources.length >= this.maxResources) {
        this.truncated = true;
        break;
      }
      const res = this.entry();
      if (res) this.resources.push(res);
    }
    return { resources: this.resources, errors: this.errors, truncated: this.truncated };
  }

  /** One link-value; on garbage, reports it, moves to the next top-level comma and returns undefined. */
  private entry(): LinkFormatResource | undefined {
    const { s } = this;
    const start = this.i;
    if (s[start] !== "<") return this.skipEntry(start, "entry does not start with '<'");
    const close = this.uriEnd(start + 1);
    if (close < 0) return this.skipEntry(start, "unterminated <URI-reference>", start + 1);
    const res: LinkFormatResource = { path: s.slice(start + 1, close) };
    this.i = close + 1;
    for (;;) {
      this.skipSpace();
      if (this.i >= s.length || s[this.i] === ",") break;
      if (s[this.i] !== ";") {
        this.skipEntry(this.i, `unexpected '${s[this.i]}' after a link parameter`);
        break;
      }
      this.i++;
      if (!this.param(res)) break;
    }
    return res;
  }

  /** One `;name[=value]`; false when the rest of the text is unusable (unterminated quote). */
  private param(res: LinkFormatResource): boolean {
    const { s } = this;
    const nameStart = this.skipSpace();
    while (this.i < s.length && !isNameDelimiter(s[this.i]!)) this.i++;
    const name = s.slice(nameStart, this.i).toLowerCase();
    this.skipSpace();
    let value: LinkAttributeValue = true;
    if (s[this.i] === "=") {
      this.i++;
      this.skipSpace();
      if (s[this.i] === '"') {
        const q = readQuoted(s, this.i);
        if (!q) {
          this.report(this.i, s.length, `unterminated quoted value of '${name}'`);
          this.i = s.length;
          return false;
        }
        value = q.value;
        this.i = q.end;
      } else {
        const vs = this.i;
        while (this.i < s.length && s[this.i] !== ";" && s[this.i] !== ",") this.i++;
        value = s.slice(vs, this.i).trim();
      }
    }
    if (name === "") this.report(nameStart, this.i, "empty parameter name");
    else this.apply(res, name, value, nameStart);
    return true;
  }

  private apply(res: LinkFormatResource, name: string, value: LinkAttributeValue, at: number): void {
    const needValue = (): string | undefined => {
      if (value === true) this.report(at, at + name.length, `'${name}' without a value`);
      return value === true ? undefined : value;
    };
    switch (name) {
      case "rt":
      case "if":
      case "rel": {
        const v = needValue();
        if (v !== undefined) (res[name] ??= []).push(...words(v));
        return;
      }
      case "ct": {
        const v = needValue();
        if (v !== undefined) (res.ct ??= []).push(...words(v).map((w) => (/^\d{1,5}$/.test(w) && Number(w) <= 0xffff ? Number(w) : w)));
        return;
      }
      case "sz": {
        const v = needValue();
        if (v === undefined) return;
        if (/^\d{1,15}$/.test(v)) res.sz = Number(v);
        else this.report(at, at + name.length + 1 + v.length, `sz is not a number: ${v.slice(0, 40)}`);
        return;
      }
      case "obs":
        res.obs = true;
        return;
      case "title":
      case "anchor": {
        // RFC 5988: only the first occurrence counts.
        const v = needValue();
        if (v !== undefined && res[name] === undefined) res[name] = v;
        return;
      }
      default: {
        const attrs = (res.attributes ??= {});
        const prev = Object.prototype.hasOwnProperty.call(attrs, name) ? attrs[name] : undefined;
        const next = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
        // defineProperty: a parameter called "__proto__" must become data, not a prototype.
        Object.defineProperty(attrs, name, { value: next, enumerable: true, writable: true, configurable: true });
      }
    }
  }

  /** Index of the `>` closing a URI-reference starting at `from`, or -1 at a `<` or the end. */
  private uriEnd(from: number): number {
    for (let j = from; j < this.s.length; j++) {
      if (this.s[j] === ">") return j;
      if (this.s[j] === "<") return -1;
    }
    return -1;
  }

  private skipEntry(start: number, reason: string, scanFrom = start): undefined {
    const end = nextTopLevelComma(this.s, scanFrom);
    this.report(start, end, reason);
    this.i = end;
    return undefined;
  }

  private report(offset: number, end: number, reason: string): void {
    if (this.errors.length >= this.maxErrors) {
      this.truncated = true;
      return;
    }
    this.errors.push({ offset, entry: this.s.slice(offset, Math.min(end, offset + SNIPPET)), reason });
  }

  private skipSpace(): number {
    while (this.i < this.s.length && isSpace(this.s[this.i]!)) this.i++;
    return this.i;
  }
}

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

function isNameDelimiter(c: string): boolean {
  return c === "=" || c === ";" || c === "," || c === '"' || isSpace(c);
}

function words(v: string): string[] {
  return v.split(/[ \t\r\n]+/).filter((w) => w !== "");
}

/** A quoted-string starting at `at` (the opening quote), with backslash escapes; null if unterminated. */
function readQuoted(s: string, at: number): { value: string; end: number } | null {
  let out = "";
  for (let j = at + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === "\\" && j + 1 < s.length) {
      out += s[++j];
    } else if (c === '"') {
      return { value: out, end: j + 1 };
    } else {
      out += c;
    }
  }
  return null;
}

/** Index of the next comma outside quotes at or after `from`, or the end of the text. */
function nextTopLevelComma(s: string, from: number): number {
  let quoted = false;
  for (let j = from; j < s.length; j++) {
    const c = s[j];
    if (quoted && c === "\\") j++;
    else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) return j;
  }
  return s.length;
}
