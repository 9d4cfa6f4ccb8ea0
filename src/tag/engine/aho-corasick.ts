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
    this.outIds = new Int32Array(total);
    let k = 0;
    for (const o of outputs) for (const id of o) this.outIds[k++] = id;
  }

  /** Calls `found(id)` for each pattern occurrence in the folded text (an id may repeat). */
  scan(text: string, found: (id: number) => void): void {
    const { columns, delta, width, outStart, outIds } = this;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const f = foldCode(text.charCodeAt(i));
      s = delta[s * width + (f === 0 ? 0 : columns[f]!)]!;
      const a = outStart[s]!;
      const b = outStart[s + 1]!;
      for (let k = a; k < b; k++) found(outIds[k]!);
    }
  }
}
