/**
 * One parser per field keyword. Each reads the field's text with a Scanner and either returns the
 * value or throws a ParseFailure at the offending offset.
 */
import type { Condition, TagTemplate, TemplatePart } from "./ast.js";
import { ruleStates, type RuleState } from "./ast.js";
import { fieldKeywords } from "./blocks.js";
import { parseCondition } from "./condition.js";
import { ParseFailure } from "./errors.js";
import type { Scanner } from "./scanner.js";

/**
 * Keys a tag may set without a lint warning. `rule`, `state` and the other provenance names are
 * reserved: a tag is one object holding both the values and where they came from.
 */
export const knownTagKeys = ["vendor", "product", "device_type", "version", "cpe", "os", "model", "firmware", "service", "category"] as const;
export const reservedTagKeys = ["rule", "state", "group", "order", "file", "line", "hash", "kind", "fields", "port", "overridden"] as const;

const FIELD_KEYWORD_LIST = fieldKeywords.map((k) => `\`${k}\``);

/** Fails unless the field's text is used up; a word at the start of a line is probably a misspelt field. */
export function endOfField(s: Scanner, expected: readonly string[] = ["end of field"]): void {
  if (s.atEnd()) return;
  const w = s.peekWord();
  if (w !== undefined && s.atLineStart()) s.fail(`unknown field \`${w}\``, [...expected, ...FIELD_KEYWORD_LIST]);
  s.fail(`unexpected ${s.describeNext()}`, expected);
}

export function parseDescription(s: Scanner): string {
  const v = s.string("a quoted description");
  endOfField(s);
  return v;
}

export function parseReference(s: Scanner): string {
  const v = s.string('a quoted reference ("URL or text")');
  endOfField(s);
  return v;
}

const GROUP = /[A-Za-z0-9][A-Za-z0-9_.+&!-]*/y;

export function parseGroup(s: Scanner): string {
  if (s.peek() === '"') {
    const v = s.string();
    endOfField(s);
    return v;
  }
  s.skip();
  GROUP.lastIndex = s.pos;
  const m = GROUP.exec(s.text);
  if (!m || m.index + m[0].length > s.end) s.fail(`unexpected ${s.describeNext()}`, ["a group name (vendor or family)"]);
  s.pos += m[0].length;
  endOfField(s);
  return m[0];
}

export function parseOrder(s: Scanner): number {
  s.skip();
  const at = s.pos;
  if (!s.peekNumber()) s.fail(`unexpected ${s.describeNext()}`, ["an integer order (lower wins)"]);
  const n = s.number();
  if (!Number.isSafeInteger(n)) s.fail(`order must be an integer, not ${n}`, [], at);
  endOfField(s);
  return n;
}

export function parseState(s: Scanner): RuleState {
  const w = s.peekWord();
  if (w === undefined || !(ruleStates as readonly string[]).includes(w)) s.fail(`unexpected ${s.describeNext()}`, ruleStates.map((x) => `\`${x}\``));
  s.word();
  endOfField(s);
  return w as RuleState;
}

export function parseAppliesTo(s: Scanner, kinds: readonly string[]): string[] {
  const out: string[] = [];
  const expected = kinds.map((k) => `\`${k}\``);
  for (;;) {
    s.skip();
    const at = s.pos;
    const w = s.word();
    if (w === undefined) s.fail(`unexpected ${s.describeNext()}`, expected);
    if (!kinds.includes(w)) s.fail(`unknown kind \`${w}\``, expected, at);
    if (out.includes(w)) s.fail(`kind \`${w}\` given twice`, [], at);
    out.push(w);
    if (!s.eat(",")) break;
  }
  endOfField(s, ["`,`", "end of field"]);
  return out;
}

export function parseWhen(s: Scanner): Condition {
  if (s.atEnd()) s.fail("empty condition", ["a condition such as `subject.common_name = \"x\"`"]);
  const cond = parseCondition(s);
  endOfField(s, ["`and`", "`or`", "end of condition"]);
  return cond;
}

const TAG_KEY = /[a-z][a-z0-9_]*/y;

/** `key="value" …` pairs, for `tag` (values may hold captures) and `expect` (plain values). */
export function parsePairs(s: Scanner, what: "tag" | "expect"): Array<{ key: string; value: string; offset: number; valueOffset: number }> {
  const out: Array<{ key: string; value: string; offset: number; valueOffset: number }> = [];
  do {
    s.skip();
    const at = s.pos;
    TAG_KEY.lastIndex = at;
    const m = TAG_KEY.exec(s.text);
    if (!m || m.index + m[0].length > s.end) s.fail(`unexpected ${s.describeNext()}`, ['key="value" (key: lower-case letters, digits, `_`)']);
    const key = m[0];
    s.pos += key.length;
    if ((reservedTagKeys as readonly string[]).includes(key)) s.fail(`tag key \`${key}\` is reserved for the tag's provenance`, [], at);
    if (out.some((p) => p.key === key)) s.fail(`${what} key \`${key}\` given twice`, [], at);
    s.expect("=", `\`=\` after \`${key}\``);
    s.skip();
    const valueOffset = s.pos;
    const value = s.string(`a quoted value after \`${key}=\``);
    out.push({ key, value, offset: at, valueOffset });
    // Pairs may go on over continuation lines; a line that does not start with `key=` ends them.
  } while (!s.atEnd() && !(s.atLineStart() && !/^[a-z][a-z0-9_]*[ \t]*=/.test(s.text.slice(s.pos, s.end))));
  endOfField(s, ['another key="value"', "end of field"]);
  return out;
}

export function parseTags(s: Scanner): TagTemplate[] {
  return parsePairs(s, "tag").map(({ key, value, offset, valueOffset }) => ({ key, raw: value, parts: parseTemplate(value, valueOffset), offset }));
}

/** Splits `RT-${1} (${model})` into literal text and capture references. */
function parseTemplate(value: string, offset: number): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let i = 0;
  let text = "";
  while (i < value.length) {
    const at = value.indexOf("${", i);
    if (at === -1) {
      text += value.slice(i);
      break;
    }
    text += value.slice(i, at);
    const m = /^\$\{(?:([0-9]{1,2})|([A-Za-z_][A-Za-z0-9_]*))\}/.exec(value.slice(at));
    if (!m) throw new ParseFailure(offset + 1 + at, "bad capture reference in tag value", ["`${N}` or `${name}`"]);
    if (text) parts.push(text);
    text = "";
    parts.push({ capture: m[1] !== undefined ? Number(m[1]) : m[2]! });
    i = at + m[0].length;
  }
  if (text || parts.length === 0) parts.push(text);
  return parts;
}

/** `example match|nomatch {JSON}`: the JSON may continue on the following lines. */
export function parseExample(s: Scanner): { kind: "match" | "nomatch"; value: Record<string, unknown> } {
  const w = s.peekWord();
  if (w !== "match" && w !== "nomatch") s.fail(`unexpected ${s.describeNext()}`, ["`match`", "`nomatch`"]);
  s.word();
  s.skip();
  const start = s.pos;
  if (s.peek() !== "{") s.fail(`unexpected ${s.describeNext()}`, ["a JSON object `{…}` (the record the rule sees)"]);
  const json = blankComments(s.text.slice(start, s.end));
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const position = /position (\d+)/.exec(message);
    const at = position ? start + Number(position[1]) : s.end;
    throw new ParseFailure(at, `invalid JSON in example: ${message.replace(/ in JSON at position \d+.*$/, "")}`);
  }
  s.pos = s.end;
  return { kind: w, value: value as Record<string, unknown> };
}

/** Replaces `#` comments outside JSON strings by blanks (keeping offsets), so examples may carry comments. */
function blankComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "#") {
      const nl = text.indexOf("\n", i);
      const stop = nl === -1 ? text.length : nl;
      out += " ".repeat(stop - i);
      i = stop - 1;
    } else out += c;
  }
  return out;
}
