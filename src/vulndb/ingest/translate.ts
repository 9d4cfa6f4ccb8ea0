/**
 * The translation step of the pipeline (sources → translate → IoT → correlate), on each batch's parsed
 * records before they are stored, through src/vulndb/translate (docs/vulndb-translation.md).
 *
 * Only records with text whose declared language is not English (or is undeclared) go through it:
 * detecting the language of every description costs milliseconds per record, which a 300,000-record
 * CVE sync cannot pay, and sources that declare "en" (CVE 5, NVD, KEV, Exploit-DB, EUVD, OSV) are
 * English. Without a translator, non-English text is kept and marked `untranslated` — never dropped.
 */
import type { Logger } from "pino";
import type { SourceRecord } from "../record.js";
import { TranslationCache, translateRecords, type Translator } from "../translate/index.js";

function needsTranslation(r: SourceRecord): boolean {
  return r.descriptions.some((d) => !d.translated && !d.untranslated && !/^en\b/i.test(d.lang));
}

export function translationStep(translator: Translator | undefined, log: Logger, signal?: AbortSignal): (records: SourceRecord[]) => Promise<SourceRecord[]> {
  const cache = new TranslationCache();
  return async (records) => {
    const todo = records.map((r, i) => [r, i] as const).filter(([r]) => needsTranslation(r));
    if (todo.length === 0) return records;
    const { records: done, stats } = await translateRecords(
      todo.map(([r]) => r),
      translator,
      { cache, ...(signal ? { signal } : {}) },
    );
    for (const e of stats.errors) log.warn(e);
    const out = [...records];
    todo.forEach(([, i], n) => (out[i] = done[n]!));
    return out;
  };
}
