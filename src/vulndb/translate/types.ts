/**
 * The one interface every translation backend implements (HTTP LibreTranslate, a local command, …).
 * A backend never throws for a text it cannot translate: it says so in that text's outcome, and the
 * caller marks the text `untranslated` — nothing is dropped.
 */
export interface TranslateText {
  text: string;
  /** BCP 47 primary language of `text` ("ja"). */
  from: string;
}

export type TranslateOutcome = { ok: true; text: string } | { ok: false; error: string };

export interface Translator {
  /** Recorded with every translation (LocalizedText.translated.translator); no secrets in it. */
  readonly name: string;
  /** One outcome per input, same order. Rejects only when `signal` aborts. */
  translate(texts: readonly TranslateText[], to: "en", signal?: AbortSignal): Promise<TranslateOutcome[]>;
}

export function failed(error: string): TranslateOutcome {
  return { ok: false, error };
}
