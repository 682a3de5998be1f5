// The renderer's messages: `t('area.key', { values })` in components and lib code. A plain module
// (no runes) so that lib code and its unit tests import it as they are; Svelte still re-renders
// whatever read the locale when it changes, through createSubscriber.
import { IntlMessageFormat } from 'intl-messageformat';
import { createSubscriber } from 'svelte/reactivity';
import { flatCatalogue, type MessageKey } from './catalogues';
import { LOCALES, isLocale, matchLocale, type LanguageChoice, type Locale } from './locales';

export type { MessageKey } from './catalogues';
export { LOCALES, isLocale, matchLocale, type LanguageChoice, type Locale } from './locales';

/** Values a message's placeholders take: `{name}`, `{count, plural, …}`, `{n, number}`. */
export type MessageValues = Record<string, string | number | Date>;

const catalogues = new Map(LOCALES.map((l) => [l, flatCatalogue(l)] as const));
const compiled = new Map<string, IntlMessageFormat>();

// Typed by what is used, so this module also type-checks (and runs) outside a browser.
interface Host {
  navigator?: { languages?: readonly string[]; language?: string };
  document?: { documentElement?: { lang: string } };
}
const host = globalThis as Host;

/** The system's preferred languages as the renderer sees them (navigator.languages). */
function systemLanguages(): readonly string[] {
  const nav = host.navigator;
  if (!nav) return [];
  return nav.languages?.length ? nav.languages : nav.language ? [nav.language] : [];
}

let current: Locale = matchLocale(systemLanguages());
let changed: (() => void) | undefined;
const subscribe = createSubscriber((update) => {
  changed = update;
  return () => (changed = undefined);
});

/** The language the UI speaks now; reading it in a template or $derived re-runs that on a switch. */
export function locale(): Locale {
  subscribe();
  return current;
}

/**
 * Switches the UI language: a locale, or the system's ("system", undefined or anything unknown).
 * Sets `<html lang>` too, for screen readers and the CSS hyphenation of long German words.
 */
export function setLanguage(choice: LanguageChoice | string | undefined): void {
  const next = isLocale(choice) ? choice : matchLocale(systemLanguages());
  const root = host.document?.documentElement;
  if (root) root.lang = next;
  if (next === current) return;
  current = next;
  changed?.();
}

/** The locale "System" resolves to now (Settings shows it beside the choice). */
export function systemLocale(): Locale {
  return matchLocale(systemLanguages());
}

function formatter(loc: Locale, key: string): IntlMessageFormat | undefined {
  const id = `${loc}\u0000${key}`;
  let f = compiled.get(id);
  if (!f) {
    const text = catalogues.get(loc)?.get(key) ?? catalogues.get(LOCALES[0])?.get(key);
    if (text === undefined) return undefined;
    f = new IntlMessageFormat(text, loc);
    compiled.set(id, f);
  }
  return f;
}

function run(key: string, values: MessageValues | undefined): string | undefined {
  const f = formatter(locale(), key);
  if (!f) return undefined;
  const out = f.format(values);
  return typeof out === 'string' ? out : String(out);
}

/**
 * The message `key` in the current language, placeholders filled (ICU MessageFormat: `{name}`,
 * `{count, plural, one {# photo} other {# photos}}`, `{n, number, percent}`). A key the locale
 * lacks falls back to English; one English lacks too comes back as the key itself.
 */
export function t(key: MessageKey, values?: MessageValues): string {
  return run(key, values) ?? key;
}

/** `t` for keys built at run time (error codes, enum values): undefined when there is none. */
export function tMaybe(key: string, values?: MessageValues): string | undefined {
  return run(key, values);
}

/** A piece of a rich message: plain text, or the text inside one of its tags (`<code>…</code>`). */
export type RichPart = string | { tag: string; text: string };

/**
 * A message with markup tags, as pieces for a template to render: "Run <code>npm start</code>."
 * → ["Run ", { tag: "code", text: "npm start" }, "."]. Tags carry no attributes; the template
 * decides what each tag becomes.
 */
export function tRich(key: MessageKey, values: MessageValues = {}): RichPart[] {
  const f = formatter(locale(), key);
  if (!f) return [key];
  const tags = new Set<string>();
  const walk = (nodes: unknown[]): void => {
    for (const n of nodes as { type: number; value?: string; children?: unknown[] }[]) {
      if (n.type === 8 && n.value) tags.add(n.value);
      if (n.children) walk(n.children);
    }
  };
  walk(f.getAst());
  const rich: Record<string, unknown> = { ...values };
  for (const tag of tags) {
    // One namespace holds placeholders and tags: a tag named like a placeholder would hide it.
    if (tag in values) throw new Error(`message ${key}: tag <${tag}> is also a placeholder`);
    rich[tag] = (chunks: unknown[]) => ({ tag, text: chunks.join('') });
  }
  const out = f.format<RichPart>(rich as Record<string, never>);
  return (Array.isArray(out) ? out : [out]).map((p) =>
    typeof p === 'string' || (typeof p === 'object' && p !== null) ? p : String(p),
  ) as RichPart[];
}
