// Every string the OS glue shows a user, in one place. The notification speaks the app's language
// (the Language setting, else the system's): the renderer's catalogues are the renderer's layer,
// which the main process may not import, so its few sentences have their table here, in the
// renderer's locales. Refusals (Show in folder) are keyed messages from the engine's catalogue
// (src/main/app/show-in-folder.ts), which the renderer words in its language.
import type { BatchSummary } from './os-events';

/** The languages the notification speaks (the renderer's LOCALES). */
export type OsLocale = 'en' | 'de';

/**
 * The notification's language: the Language setting when it names one, else the first of the
 * system's preferred languages (app.getPreferredSystemLanguages()) spoken here; English otherwise.
 */
export function osLocale(setting: string | undefined, preferred: readonly string[]): OsLocale {
  const supported = (tag: string | undefined): OsLocale | undefined => {
    const language = tag?.toLowerCase().split(/[-_]/)[0];
    return language === 'en' || language === 'de' ? language : undefined;
  };
  return supported(setting) ?? preferred.map(supported).find((l) => l !== undefined) ?? 'en';
}

/** A count's words: `n` picks the plural, `shown` is `n` formatted for the locale. */
type Count = (n: number, shown: string) => string;

interface NoticeWords {
  upscaled: Count;
  failed: Count;
  skipped: Count;
  cancelled: Count;
  left: Count;
  finished: string;
  finishedWithFailures: string;
  stopped: string;
  seeWhy: string;
}

const WORDS: Record<OsLocale, NoticeWords> = {
  en: {
    upscaled: (n, shown) => `${shown} ${n === 1 ? 'photo' : 'photos'} upscaled`,
    failed: (_n, shown) => `${shown} failed`,
    skipped: (_n, shown) => `${shown} skipped (the output existed)`,
    cancelled: (_n, shown) => `${shown} cancelled`,
    left: (_n, shown) => `${shown} not done`,
    finished: 'Upres: queue finished',
    finishedWithFailures: 'Upres: queue finished with failures',
    stopped: 'Upres: queue stopped',
    seeWhy: 'Open Upres to see why.',
  },
  de: {
    upscaled: (n, shown) => `${shown} ${n === 1 ? 'Foto' : 'Fotos'} hochskaliert`,
    failed: (_n, shown) => `${shown} fehlgeschlagen`,
    skipped: (_n, shown) => `${shown} übersprungen (die Ausgabe gab es schon)`,
    cancelled: (_n, shown) => `${shown} abgebrochen`,
    left: (_n, shown) => `${shown} nicht erledigt`,
    finished: 'Upres: Warteschlange fertig',
    finishedWithFailures: 'Upres: Warteschlange fertig, mit Fehlern',
    stopped: 'Upres: Warteschlange angehalten',
    seeWhy: 'Öffnen Sie Upres, um den Grund zu sehen.',
  },
};

/** The title and body of the notification at a batch's end ("12 photos upscaled, 1 failed"). */
export function batchNotice(
  s: BatchSummary,
  locale: OsLocale = 'en',
): { title: string; body: string } {
  const w = WORDS[locale];
  const numbers = new Intl.NumberFormat(locale);
  const count = (words: Count, n: number): string => words(n, numbers.format(n));
  const parts = [count(w.upscaled, s.done)];
  if (s.failed > 0) parts.push(count(w.failed, s.failed));
  if (s.skipped > 0) parts.push(count(w.skipped, s.skipped));
  if (s.cancelled > 0) parts.push(count(w.cancelled, s.cancelled));
  if (s.outcome === 'stopped') {
    parts.push(count(w.left, s.left));
    return { title: w.stopped, body: `${parts.join(', ')}. ${w.seeWhy}` };
  }
  return { title: s.failed > 0 ? w.finishedWithFailures : w.finished, body: parts.join(', ') };
}
