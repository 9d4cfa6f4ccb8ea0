/**
 * Translation of normalised records: every description (and the title) gets its language detected;
 * non-English text is translated to English with the original kept beside it
 * (LocalizedText.translated = {from, original, translator, at}); text that cannot be translated (no
 * translator configured, the service down, the language unsupported) is kept as it is and marked
 * `untranslated: true`. Never drops a text. Idempotent: translated text is not sent again, and a run
 * without a translator changes nothing but the marks.
 *
 * The title is a plain string in SourceRecord: its translation replaces it and the original goes to
 * `extra.titleTranslated` ({from, original, translator, at}); an untranslatable title is marked with
 * `extra.titleUntranslated` ({lang}).
 */
import type { LocalizedText, SourceRecord } from "../record.js";
import { cacheKey, TranslationCache, type TranslationStore } from "./cache.js";
import { detectLanguage } from "./detect.js";
import { isEnglish, isUndetermined } from "./languages.js";
import type { TranslateText, Translator } from "./types.js";

export interface TranslateRecordOptions {
  /** Shared between calls to avoid sending the same text twice; one in-memory cache per call if absent. */
  cache?: TranslationStore;
  signal?: AbortSignal;
  now?: () => Date;
  /**
   * Translate non-English descriptions even when the record already has an English one of its own
   * (NVD carries Spanish beside English; translating it adds nothing). Default false.
   */
  translateAll?: boolean;
}

export interface TranslationStats {
  /** Texts translated now (by the translator or from the cache). */
  translated: number;
  fromCache: number;
  /** Non-English texts left untranslated (marked). */
  untranslated: number;
  /** One line per text that failed, naming the record. */
  errors: string[];
}

interface Job {
  record: number;
  /** Description index, or -1 for the title. */
  field: number;
  text: string;
  from: string;
}

/** One record; see translateRecords. */
export async function translateRecord(record: SourceRecord, translator: Translator | undefined, opts: TranslateRecordOptions = {}): Promise<SourceRecord> {
  return (await translateRecords([record], translator, opts)).records[0]!;
}

/** Many records, batched into as few translator calls as the backend likes. Returns new records. */
export async function translateRecords(
  records: readonly SourceRecord[],
  translator: Translator | undefined,
  opts: TranslateRecordOptions = {},
): Promise<{ records: SourceRecord[]; stats: TranslationStats }> {
  const stats: TranslationStats = { translated: 0, fromCache: 0, untranslated: 0, errors: [] };
  const out = records.map((r) => ({ ...r, descriptions: r.descriptions.map((d) => ({ ...d })), ...(r.extra ? { extra: { ...r.extra } } : {}) }));
  const jobs: Job[] = [];
  out.forEach((r, ri) => collectJobs(r, ri, jobs, opts.translateAll ?? false));
  if (jobs.length === 0) return { records: out, stats };

  const at = (opts.now?.() ?? new Date()).toISOString();
  const results = new Map<Job, { text: string; at: string } | { error: string }>();
  if (!translator) {
    for (const job of jobs) results.set(job, { error: "no translator configured" });
  } else {
    const cache = opts.cache ?? new TranslationCache();
    const pending: Job[] = [];
    for (const job of jobs) {
      const hit = cache.get(cacheKey(job.text, job.from, translator.name));
      if (hit) {
        results.set(job, hit);
        stats.fromCache++;
      } else pending.push(job);
    }
    // The same text in several records is sent once.
    const unique = new Map<string, TranslateText>();
    for (const job of pending) unique.set(`${job.from}\u0000${job.text}`, { text: job.text, from: job.from });
    const requests = [...unique.values()];
    let outcomes: Awaited<ReturnType<Translator["translate"]>>;
    try {
      outcomes = requests.length ? await translator.translate(requests, "en", opts.signal) : [];
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      outcomes = requests.map(() => ({ ok: false as const, error: `${translator.name}: ${(err as Error).message}` }));
    }
    const byText = new Map<string, { text: string; at: string } | { error: string }>();
    requests.forEach((req, i) => {
      const o = outcomes[i] ?? { ok: false as const, error: `${translator.name}: no outcome for this text` };
      if (o.ok) {
        const value = { text: o.text, at };
        cache.set(cacheKey(req.text, req.from, translator.name), value);
        byText.set(`${req.from}\u0000${req.text}`, value);
      } else byText.set(`${req.from}\u0000${req.text}`, { error: o.error });
    });
    for (const job of pending) results.set(job, byText.get(`${job.from}\u0000${job.text}`)!);
  }

  for (const job of jobs) {
    const r = out[job.record]!;
    const result = results.get(job)!;
    if ("error" in result) {
      stats.untranslated++;
      if (translator) stats.errors.push(`${r.source} ${r.sourceId} ${job.field < 0 ? "title" : `description ${job.field}`} (${job.from}): ${result.error}`);
      if (job.field < 0) r.extra = { ...r.extra, titleUntranslated: { lang: job.from } };
      else r.descriptions[job.field] = { lang: job.from, text: job.text, untranslated: true };
      continue;
    }
    stats.translated++;
    const translated = { from: job.from, original: job.text, translator: translator!.name, at: result.at };
    if (job.field < 0) {
      r.title = result.text;
      const { titleUntranslated: _drop, ...rest } = r.extra ?? {};
      r.extra = { ...rest, titleTranslated: translated };
    } else {
      r.descriptions[job.field] = { lang: "en", text: result.text, translated };
    }
  }
  return { records: out, stats };
}

/** Detects languages (updating `lang`) and lists the texts to translate; clears stale marks. */
function collectJobs(r: SourceRecord, ri: number, jobs: Job[], translateAll: boolean): void {
  const detected = r.descriptions.map((d) => (d.translated ? undefined : detectLanguage(d.text, d.lang).lang));
  const hasOwnEnglish = r.descriptions.some((d, i) => !d.translated && isEnglish(detected[i]!));
  r.descriptions.forEach((d: LocalizedText, i) => {
    if (d.translated) return; // already done: never re-sent
    const lang = detected[i]!;
    const needs = !isEnglish(lang) && !isUndetermined(lang) && (translateAll || !hasOwnEnglish);
    if (needs) jobs.push({ record: ri, field: i, text: d.text, from: lang });
    else {
      const { untranslated: _drop, ...rest } = d;
      r.descriptions[i] = { ...rest, lang: isUndetermined(lang) ? d.lang : lang };
    }
  });
  const titleDone = r.extra?.titleTranslated !== undefined;
  if (r.title && !titleDone) {
    const declared = r.descriptions.find((d) => !d.translated)?.lang;
    const lang = detectLanguage(r.title, declared).lang;
    if (!isEnglish(lang) && !isUndetermined(lang)) jobs.push({ record: ri, field: -1, text: r.title, from: lang });
    else if (r.extra?.titleUntranslated !== undefined) {
      const { titleUntranslated: _drop, ...rest } = r.extra;
      r.extra = rest;
    }
  }
}
