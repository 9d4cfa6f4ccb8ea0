/**
 * Translation through a self-hosted LibreTranslate (or any server speaking its API): POST /translate
 * with JSON {q, source, target, format: "text", api_key?}; `q` may be an array, and the answer's
 * `translatedText` is then an array in the same order; errors are HTTP 400/403/429/500 with
 * {"error": "…"}. One request per source language and batch (the server applies one `source` to all of
 * `q`); a rejected batch (400: one text over the server's char limit, an unsupported language) is
 * retried text by text so one bad text does not fail its neighbours.
 */
import { failed, type TranslateOutcome, type TranslateText, type Translator } from "./types.js";

export interface LibreTranslateOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:5000 (a path prefix is kept). */
  url: string;
  apiKey?: string;
  /** Per request; default 60 s. */
  timeoutMs?: number;
  /** Texts per request; default 16 (LibreTranslate's --batch-limit is unlimited by default). */
  batchSize?: number;
  /** Characters per request; default 20,000 (keep under the server's --char-limit). */
  maxChars?: number;
}

export class LibreTranslateTranslator implements Translator {
  readonly name: string;
  private readonly endpoint: URL;

  constructor(private readonly options: LibreTranslateOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new TypeError(`libretranslate: invalid URL ${JSON.stringify(options.url)}`);
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new TypeError(`libretranslate: ${options.url} is not http(s)`);
    this.endpoint = new URL(`${base.pathname.replace(/\/+$/, "")}/translate`, base);
    // The name is stored with every translation: host only, never credentials or the key.
    this.name = `libretranslate@${base.host}`;
  }

  async translate(texts: readonly TranslateText[], to: "en", signal?: AbortSignal): Promise<TranslateOutcome[]> {
    const out: TranslateOutcome[] = new Array(texts.length);
    const byLang = new Map<string, number[]>();
    texts.forEach((t, i) => byLang.set(t.from, [...(byLang.get(t.from) ?? []), i]));
    for (const [from, indexes] of byLang) {
      for (const batch of this.batches(indexes, texts)) {
        const results = await this.request(batch.map((i) => texts[i]!.text), from, to, signal);
        if (results.every((r) => !r.ok) && batch.length > 1 && results[0] && !results[0].ok && /HTTP 400|HTTP 413/.test(results[0].error)) {
          for (const i of batch) out[i] = (await this.request([texts[i]!.text], from, to, signal))[0]!;
        } else batch.forEach((i, k) => (out[i] = results[k]!));
      }
    }
    return out;
  }

  private *batches(indexes: number[], texts: readonly TranslateText[]): Generator<number[]> {
    const size = this.options.batchSize ?? 16;
    const maxChars = this.options.maxChars ?? 20_000;
    let batch: number[] = [];
    let chars = 0;
    for (const i of indexes) {
      const n = texts[i]!.text.length;
      if (batch.length > 0 && (batch.length >= size || chars + n > maxChars)) {
        yield batch;
        batch = [];
        chars = 0;
      }
      batch.push(i);
      chars += n;
    }
    if (batch.length) yield batch;
  }

  /** One POST; every failure becomes per-text outcomes, except the caller's abort, which rejects. */
  private async request(q: string[], source: string, target: string, signal?: AbortSignal): Promise<TranslateOutcome[]> {
    const all = (error: string) => q.map(() => failed(error));
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 60_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const body = { q, source, target, format: "text", ...(this.options.apiKey ? { api_key: this.options.apiKey } : {}) };
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
        signal: combined,
      });
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) return all(`${this.name}: no answer within ${this.options.timeoutMs ?? 60_000} ms`);
      return all(`${this.name}: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ""}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return all(`${this.name}: HTTP ${res.status}: answer is not JSON: ${JSON.stringify(text.slice(0, 120))}`);
    }
    const obj = parsed && typeof parsed === "object" ? (parsed as { translatedText?: unknown; error?: unknown }) : {};
    if (!res.ok) return all(`${this.name}: HTTP ${res.status}: ${typeof obj.error === "string" ? obj.error : text.slice(0, 200)}`);
    const translated = obj.translatedText;
    if (Array.isArray(translated) && translated.length === q.length && translated.every((t) => typeof t === "string")) {
      return translated.map((t: string) => (t.trim() ? { ok: true, text: t } : failed(`${this.name}: empty translation`)));
    }
    if (typeof translated === "string" && q.length === 1) return [translated.trim() ? { ok: true, text: translated } : failed(`${this.name}: empty translation`)];
    return all(`${this.name}: HTTP ${res.status}: unexpected answer: ${JSON.stringify(text.slice(0, 120))}`);
  }
}
