/**
 * The file layout, before any field is read: `rule NAME` lines at the start of a line open a rule; the
 * indented lines after it are its fields, each opening with a keyword; an indented line that does not
 * open with a keyword continues the previous field (how `when` and long examples span lines). Blank and
 * comment-only lines belong to nothing. Splitting first means one broken field or rule does not hide
 * the errors of the others.
 */
import { ParseFailure } from "./errors.js";

export const fieldKeywords = ["description", "group", "order", "state", "applies_to", "when", "tag", "example", "expect", "reference"] as const;
export type FieldKeyword = (typeof fieldKeywords)[number];

export interface RawField {
  keyword: FieldKeyword;
  offset: number;
  /** Where the value starts (after the keyword) and where the field's last line ends. */
  valueStart: number;
  end: number;
}

export interface RawBlock {
  /** Undefined when the header line was broken (the block is still read, for its other errors). */
  name: string | undefined;
  offset: number;
  nameOffset: number;
  /** From `rule` to the end of the last field. */
  end: number;
  fields: RawField[];
}

export const RULE_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * A keyword opens a field when a blank or the end of the line follows it, and no operator: `state =
 * "x"` on a continuation line of a condition is a path named `state`, not the state field.
 */
const KEYWORD_LINE = /^[ \t]+([a-z_]+)(?=[ \t]|$)[ \t]*(.*)$/;
const OPERATOR_START = /^(?:[=!~<>]|(?:contains|startswith|endswith|icontains|istartswith|iendswith|in|exists)\b)/;

export function splitBlocks(text: string): { blocks: RawBlock[]; errors: ParseFailure[] } {
  const blocks: RawBlock[] = [];
  const errors: ParseFailure[] = [];
  let block: RawBlock | undefined;
  let field: RawField | undefined;
  let skipping = false;
  /** After an unknown field line, its continuation lines are not reported again. */
  let orphan = false;
  let offset = 0;
  while (offset <= text.length) {
    const nl = text.indexOf("\n", offset);
    const lineEnd = nl === -1 ? text.length : nl;
    const line = text.slice(offset, lineEnd).replace(/\r$/, "");
    const start = offset;
    offset = lineEnd + 1;
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const end = start + line.length;

    if (!/^[ \t]/.test(line)) {
      field = undefined;
      orphan = false;
      if (!/^rule(?=[ \t]|$)/.test(line)) {
        block = undefined;
        if (!skipping) {
          errors.push(new ParseFailure(start, `unexpected \`${line.split(/\s/)[0]}\` at the start of a line (fields are indented under their rule)`, ["`rule NAME`"]));
        }
        skipping = true;
        continue;
      }
      skipping = false;
      const header = /^rule[ \t]*([^\s#]*)[ \t]*(.*)$/.exec(line)!;
      const name = header[1] || undefined;
      const nameOffset = start + (name === undefined ? 4 : line.indexOf(name, 4));
      let valid = name;
      if (name === undefined) {
        errors.push(new ParseFailure(nameOffset, "rule without a name", ["a name of letters, digits, `_`, `-`, `.`"]));
      } else if (!RULE_NAME.test(name)) {
        const bad = /[^A-Za-z0-9_.-]/.exec(name)!;
        errors.push(new ParseFailure(nameOffset + bad.index, `invalid character \`${bad[0]}\` in rule name`, ["letters, digits, `_`, `-` or `.`"]));
        valid = undefined;
      }
      const rest = header[2] ?? "";
      if (rest !== "" && !rest.startsWith("#")) {
        errors.push(new ParseFailure(start + line.lastIndexOf(rest), `unexpected \`${rest.split(/\s/)[0]}\` after the rule name`, ["end of line (fields go on the indented lines below)"]));
      }
      block = { name: valid, offset: start, nameOffset, end, fields: [] };
      blocks.push(block);
      continue;
    }

    if (!block) {
      if (!skipping) {
        errors.push(new ParseFailure(start + (line.length - line.trimStart().length), "indented line outside a rule", ["`rule NAME` before the fields"]));
        skipping = true;
      }
      continue;
    }
    const m = KEYWORD_LINE.exec(line);
    const keyword = m?.[1];
    if (m && keyword && (fieldKeywords as readonly string[]).includes(keyword) && !OPERATOR_START.test(m[2] ?? "")) {
      const kwOffset = start + line.indexOf(keyword);
      field = { keyword: keyword as FieldKeyword, offset: kwOffset, valueStart: kwOffset + keyword.length, end };
      block.fields.push(field);
      orphan = false;
    } else if (field) {
      field.end = end;
    } else if (!orphan) {
      orphan = true;
      const word = /\S+/.exec(line)!;
      errors.push(new ParseFailure(start + word.index, `unknown field \`${word[0]}\``, fieldKeywords.map((k) => `\`${k}\``)));
      // Skip to the next keyword line: this one has no field to continue.
    }
    block.end = end;
  }
  return { blocks, errors };
}
