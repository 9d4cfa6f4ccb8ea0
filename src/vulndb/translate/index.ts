/**
 * Translation of vulnerability texts: language detection (franc-min + script rules), pluggable
 * translators (LibreTranslate over HTTP, a local command such as argos-translate), an in-memory cache,
 * and record translation that keeps originals and marks what could not be translated.
 * The vulndb core re-exports this from src/vulndb/index.ts.
 */
export { detectLanguage, DECLARED_MARGIN, MIN_LETTERS, type Detection, type DetectionMethod } from "./detect.js";
export { bcp47FromIso6393, isEnglish, isUndetermined, primaryLanguage } from "./languages.js";
export { failed, type TranslateOutcome, type TranslateText, type Translator } from "./types.js";
export { LibreTranslateTranslator, type LibreTranslateOptions } from "./libretranslate.js";
export { ARGOS_ARGS, CommandTranslator, type CommandOptions } from "./command.js";
export { cacheKey, TranslationCache, type CachedTranslation, type TranslationStore } from "./cache.js";
export { translateRecord, translateRecords, type TranslateRecordOptions, type TranslationStats } from "./record.js";
export { translatorFromConfig, translatorFromEnv, type TranslatorConfig } from "./config.js";
