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
  return { source, flags, offset, re, info: analyzeRegex(source, flags) };
}

/**
 * re2 runs on UTF-8. Given a JS string, node-re2 makes a new Buffer and weak handles on every call
 * (~1 µs, most of a test's cost on a certificate field); given a Buffer it reads the bytes in place.
 * So the tagger encodes into one scratch buffer and passes a view of it, valid until the next call
 * (re2 does not keep Buffer arguments). Every regex evaluation goes through here, tests and captures
 * alike, so both see the same bytes.
 */
const scratch = Buffer.allocUnsafe(64 * 1024);
/** Views of the scratch buffer by length, made once each: a view per call was a tenth of a test's cost. */
const views: Buffer[] = [];

function utf8(s: string): Buffer {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes: longer strings get their own buffer.
  if (s.length * 3 > scratch.length) return Buffer.from(s, "utf8");
  const n = scratch.write(s, 0, "utf8");
  return (views[n] ??= scratch.subarray(0, n));
}

export function regexTest(re: RE2, s: string): boolean {
  return re.test(utf8(s));
}

export interface RegexMatch {
  groups: (string | undefined)[];
  named: Record<string, string | undefined>;
}

/** Groups of the first match, as strings (the Buffers re2 returns are views of the scratch buffer). */
export function regexExec(re: RE2, s: string): RegexMatch | undefined {
  const m = re.exec(utf8(s));
  if (!m) return undefined;
  // The typings describe the Buffer form of exec() without its array-ness.
  const found = m as unknown as ArrayLike<Buffer | undefined>;
  const groups: (string | undefined)[] = [];
  for (let i = 0; i < found.length; i++) groups.push(found[i]?.toString("utf8"));
  const named: Record<string, string | undefined> = {};
  if (m.groups) for (const k in m.groups) named[k] = m.groups[k]?.toString("utf8");
  return { groups, named };
}
