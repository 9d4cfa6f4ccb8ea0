/**
 * Translations already made, keyed by (sha256 of the text, source language, translator name): the same
 * JVN sentence in a thousand records is sent once. In memory, bounded, least recently used out first;
 * the `TranslationStore` interface lets the vulndb core put a persistent table behind it.
 */
import { createHash } from "node:crypto";

export interface CachedTranslation {
  text: string;
  /** When it was translated (ISO 8601): reused, so a record translated from cache says the same. */
  at: string;
}

export interface TranslationStore {
  get(key: string): CachedTranslation | undefined;
  set(key: string, value: CachedTranslation): void;
}

export function cacheKey(text: string, from: string, translator: string): string {
  return `${createHash("sha256").update(text, "utf8").digest("hex")}:${from}:${translator}`;
}

export class TranslationCache implements TranslationStore {
  private readonly entries = new Map<string, CachedTranslation>();

  constructor(private readonly maxEntries = 10_000) {}

  get(key: string): CachedTranslation | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      // Re-insert: Map keeps insertion order, so the first key is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: CachedTranslation): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}
