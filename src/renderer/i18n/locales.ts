/** The languages the renderer speaks; the first is the source and the fallback. */
export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];

/** What the Language setting can hold: a locale, or follow the system. */
export type LanguageChoice = Locale | 'system';

/** Whether a string is one of LOCALES. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * The first supported language among the user's preferred ones (BCP 47 tags, best first, as
 * navigator.languages or Electron's app.getPreferredSystemLanguages give them): "de-AT" → "de".
 * English when none matches.
 */
export function matchLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const language = tag.toLowerCase().split(/[-_]/)[0];
    if (isLocale(language)) return language;
  }
  return LOCALES[0];
}
