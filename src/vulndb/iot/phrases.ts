/**
 * Finding catalogue phrases (vendor names, device-type keywords) in text by word n-grams and hash
 * lookups instead of one regex alternation of hundreds of names: the classifier runs over every
 * record of a sync (hundreds of thousands), and a lookbehind-anchored alternation cost ~0.6 ms per
 * description where this costs a few µs. Words are runs of letters and digits; a phrase matches whole
 * words, with any separators between them ("tp-link", "TP Link", "tp_link"). Phrases in scripts written
 * without spaces (Japanese, Chinese) are found as substrings.
 */
import { hasNonLatinLetters } from "./normalize.js";

export interface Tokens {
  /** Lower-case NFKC text the offsets refer to. */
  text: string;
  words: string[];
  starts: number[];
  ends: number[];
  /** Has letters of scripts written without spaces, where phrases are looked for as substrings. */
  nonLatin: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;

export function tokenize(raw: string): Tokens {
  const text = raw.normalize("NFKC").toLowerCase();
  const words: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (const m of text.matchAll(WORD)) {
    words.push(m[0]);
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  return { text, words, starts, ends, nonLatin: hasNonLatinLetters(text) };
}

export interface PhraseHit<T> {
  value: T;
  /** The words as written in the text ("TP Link" → "tp link"). */
  text: string;
  /** Word indexes [start, end); -1 for a substring hit. */
  start: number;
  end: number;
}

export class PhraseIndex<T> {
  private readonly byKey = new Map<string, T>();
  /** Every proper word prefix of a phrase ("tp" for "tp link"): a scan stops when its key is none. */
  private readonly prefixes = new Set<string>();
  private readonly substrings: Array<[string, T]> = [];
  private maxWords = 0;

  /** `joined`: also match the words written together ("tp-link" finds "tplink"). */
  add(phrase: string, value: T, opts: { joined?: boolean } = {}): void {
    const norm = phrase.normalize("NFKC").toLowerCase();
    if (hasNonLatinLetters(norm)) {
      this.substrings.push([norm.replace(/\s+/g, ""), value]);
      return;
    }
    const words = tokenize(norm).words;
    if (words.length === 0) return;
    for (let n = 1; n < words.length; n++) this.prefixes.add(words.slice(0, n).join(" "));
    this.set(words.join(" "), value, words.length);
    if (opts.joined && words.length > 1) this.set(words.join(""), value, 1);
  }

  private set(key: string, value: T, n: number): void {
    if (!this.byKey.has(key)) this.byKey.set(key, value);
    this.maxWords = Math.max(this.maxWords, n);
  }

  /**
   * Non-overlapping hits, longest phrase first at each position, left to right; then substring hits.
   * `plural`: a last word may carry -s/-es. `skip`: word indexes not to start or cover (exclusions).
   * `atStart`: only a phrase that is the text's first words.
   */
  find(tokens: Tokens, opts: { plural?: boolean; skip?: ReadonlySet<number>; atStart?: boolean } = {}): PhraseHit<T>[] {
    const hits: PhraseHit<T>[] = [];
    const { words } = tokens;
    const last = opts.atStart ? Math.min(words.length, 1) : words.length;
    for (let i = 0; i < last; i++) {
      // Keys grow a word at a time; the longest phrase found at i wins.
      let key = "";
      let best: { value: T; n: number } | undefined;
      for (let n = 1; n <= this.maxWords && i + n <= words.length; n++) {
        if (opts.skip?.has(i + n - 1)) break;
        const word = words[i + n - 1]!;
        key = n === 1 ? word : `${key} ${word}`;
        let value = this.byKey.get(key);
        if (value === undefined && opts.plural && word.length > 3 && word.endsWith("s")) {
          value = this.byKey.get(key.slice(0, -1)) ?? (word.endsWith("es") ? this.byKey.get(key.slice(0, -2)) : undefined);
        }
        if (value !== undefined) best = { value, n };
        if (!this.prefixes.has(key)) break;
      }
      if (!best) continue;
      hits.push({ value: best.value, text: tokens.text.slice(tokens.starts[i]!, tokens.ends[i + best.n - 1]!), start: i, end: i + best.n });
      i += best.n - 1;
    }
    if (this.substrings.length && tokens.nonLatin) {
      const text = opts.atStart ? tokens.text.trimStart() : tokens.text;
      for (const [s, value] of this.substrings) {
        const at = text.indexOf(s);
        if (at === 0 || (at > 0 && !opts.atStart)) hits.push({ value, text: s, start: -1, end: -1 });
      }
    }
    return hits;
  }
}

