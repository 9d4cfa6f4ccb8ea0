/**
 * Aho–Corasick over lower-case ASCII patterns, as a dense DFA on a compressed alphabet (only the
 * characters that occur in some pattern get a column). One pass over a field's text reports every
 * pattern it contains, however many rules there are. Text is folded per character on the fly
 * (fold.ts), so no lower-cased copy of the text is made.
 */
import { foldCode } from "./fold.js";

export class AhoCorasick {
  /** Column per character code (0: a character no pattern has). */
  private readonly columns = new Uint8Array(128);
  /** Column per ASCII code of the text, folding done (upper-case letters share their lower-case column). */
  private readonly asciiColumns = new Uint8Array(128);
  /** Per state: whether some pattern ends there (most states: no, and the scan then reads nothing more). */
  private readonly hasOutput: Uint8Array;
  private readonly width: number;
  private readonly delta: Int32Array;
  /** Patterns ending at each state (its own and, through failure links, its suffixes'). */
  private readonly outStart: Int32Array;
  private readonly outIds: Int32Array;

  constructor(patterns: readonly string[]) {
    let width = 1;
    for (const p of patterns) {
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (c === 0 || c >= 128 || (c >= 65 && c <= 90)) throw new Error(`Aho-Corasick pattern must be lower-case ASCII: ${JSON.stringify(p)}`);
        if (this.columns[c] === 0) this.columns[c] = width++;
      }
    }
    if (width > 255) throw new Error("alphabet too large");
    this.width = width;
    for (let c = 0; c < 128; c++) this.asciiColumns[c] = this.columns[foldCode(c)]!;

    // Trie.
    const children: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    patterns.forEach((p, id) => {
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const col = this.columns[p.charCodeAt(i)]!;
        let next = children[s]!.get(col);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          own.push([]);
          children[s]!.set(col, next);
        }
        s = next;
      }
      own[s]!.push(id);
    });

    // Breadth-first: failure links, full transition table, merged outputs.
    const states = children.length;
    const delta = new Int32Array(states * width);
    const fail = new Int32Array(states);
    const outputs: number[][] = own.map((o) => [...o]);
    const queue: number[] = [];
    for (let col = 0; col < width; col++) {
      const next = children[0]!.get(col);
      if (next !== undefined) {
        delta[col] = next;
        queue.push(next);
      }
    }
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head]!;
      outputs[s]!.push(...outputs[fail[s]!]!);
      for (let col = 0; col < width; col++) {
        const next = children[s]!.get(col);
        if (next !== undefined) {
          fail[next] = delta[fail[s]! * width + col]!;
          delta[s * width + col] = next;
          queue.push(next);
        } else {
          delta[s * width + col] = delta[fail[s]! * width + col]!;
        }
      }
    }
    this.delta = delta;
    this.outStart = new Int32Array(states + 1);
    let total = 0;
    for (let s = 0; s < states; s++) {
      this.outStart[s] = total;
      total += outputs[s]!.length;
    }
    this.outStart[states] = total;
    this.hasOutput = new Uint8Array(states);
    for (let st = 0; st < states; st++) this.hasOutput[st] = outputs[st]!.length > 0 ? 1 : 0;
    this.outIds = new Int32Array(total);
    let k = 0;
    for (const o of outputs) for (const id of o) this.outIds[k++] = id;
  }

  /** Calls `found(id)` for each pattern occurrence in the folded text (an id may repeat). */
  scan(text: string, found: (id: number) => void): void {
    const { columns, asciiColumns, delta, width, hasOutput, outStart, outIds } = this;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // ASCII (nearly all text) through one folded table; the rest through foldCode (0: no column).
      const col = c < 128 ? asciiColumns[c]! : columns[foldCode(c)]!;
      s = delta[s * width + col]!;
      if (hasOutput[s] === 0) continue;
      const b = outStart[s + 1]!;
      for (let k = outStart[s]!; k < b; k++) found(outIds[k]!);
    }
  }
}
