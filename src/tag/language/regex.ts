/**
 * Regex literals go to re2 (a linear-time engine: no pattern can make the tagger hang on a hostile
 * certificate). What re2 cannot run — back-references, look-around — is a load error that points at
 * the offending part of the pattern.
 */
import RE2 from "re2";
import type { RegexLiteral } from "./ast.js";
import { ParseFailure } from "./errors.js";
import { analyzeRegex } from "./regex-info.js";

export function compileRegex(source: string, flags: string, offset: number): RegexLiteral {
  let re: RE2;
  try {
    re = new RE2(source, flags);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // re2's messages end with the offending fragment ("invalid perl operator: (?="): point at it.
    const fragment = /: (.+)$/.exec(reason)?.[1];
    const at = fragment ? source.indexOf(fragment) : -1;
    const hint = /perl operator: \(\?<?[=!]|escape sequence: \\[1-9]/.test(reason)
      ? " (back-references and look-around are not available in re2's linear-time syntax)"
      : "";
    throw new ParseFailure(offset + 1 + Math.max(at, 0), `regex not accepted by re2: ${reason}${hint}`);
  }
  return { source, flags, offset, re, info: analyzeRegex(source) };
}
