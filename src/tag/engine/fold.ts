/**
 * The folding the literal index searches under: ASCII letters lower-cased, and the three non-ASCII
 * characters that lower-case or case-fold to an ASCII letter mapped to it — U+0130 "İ" (lower-cases
 * to "i" + U+0307), U+212A Kelvin sign (→ "k"), U+017F long s (re2's case-insensitive matching
 * treats it as "s"). Everything else is "some other character".
 *
 * Why this is enough to never miss a match (index literals are lower-case ASCII runs):
 * - a case-sensitive test finds its literal's ASCII characters in the text as they are;
 * - `~=`/`icontains` compare `toLowerCase()` text, whose ASCII characters come from ASCII, U+0130 or
 *   U+212A one for one;
 * - re2's `/i` folds ASCII letters only with U+212A and U+017F.
 * test/tag/fold.test.ts checks these facts against the running Node and re2 over all of Unicode.
 */

/** Index characters: 0 = not in the index alphabet; otherwise the lower-case ASCII code. */
export function foldCode(c: number): number {
  if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
  if (c === 0x130) return 105; // i
  if (c === 0x212a) return 107; // k
  if (c === 0x17f) return 115; // s
  return 0;
}

/** Lower-case ASCII runs of `s`, longest first (what an index literal for a substring of `s` may be). */
export function asciiRuns(s: string): string[] {
  const runs: string[] = [];
  let run = "";
  for (const ch of s.toLowerCase()) {
    const c = ch.charCodeAt(0);
    if (c > 0 && c < 128) run += ch;
    else if (run) {
      runs.push(run);
      run = "";
    }
  }
  if (run) runs.push(run);
  return runs.sort((a, b) => b.length - a.length);
}

/** Whether the folded text contains `literal` (lower-case ASCII), without building the folded text. */
export function foldedIncludes(text: string, literal: string): boolean {
  const m = literal.length;
  const first = literal.charCodeAt(0);
  for (let i = 0; i + m <= text.length; i++) {
    if (foldCode(text.charCodeAt(i)) !== first) continue;
    let j = 1;
    while (j < m && foldCode(text.charCodeAt(i + j)) === literal.charCodeAt(j)) j++;
    if (j === m) return true;
  }
  return false;
}
