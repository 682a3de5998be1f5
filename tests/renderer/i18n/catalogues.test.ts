import { describe, expect, it } from 'vitest';
import { AREA_FILES } from '../../../src/renderer/i18n/catalogues';
import { LOCALES } from '../../../src/renderer/i18n/locales';
import { compareCatalogues, placeholders } from './catalogue-check';

describe('message catalogues', () => {
  it('every English message parses as ICU MessageFormat', () => {
    const bad: string[] = [];
    for (const [area, messages] of Object.entries(AREA_FILES.en))
      for (const [key, text] of Object.entries(messages))
        try {
          // Tags and placeholders share one namespace in tRich: a clash would hide the value.
          const names = placeholders(text, 'en');
          for (const n of names)
            if (names.includes(`<${n}>`)) bad.push(`en/${area}.json "${key}": <${n}> and {${n}}`);
        } catch (err) {
          bad.push(`en/${area}.json "${key}": ${(err as Error).message}`);
        }
    expect(bad).toEqual([]);
  });

  for (const locale of LOCALES.filter((l) => l !== 'en'))
    it(`${locale} has every English key, with the same placeholders`, () => {
      expect(compareCatalogues(AREA_FILES.en, AREA_FILES[locale], locale)).toEqual([]);
    });

  it('the check finds a missing key, an extra key, a renamed placeholder and a bad plural', () => {
    const en = { queue: { a: 'Add {n, plural, one {# photo} other {# photos}}', b: 'Hi {name}' } };
    expect(compareCatalogues(en, { queue: { a: 'x {n, plural, other {# y}}' } }, 'de')).toEqual([
      'de/queue.json "b" is missing',
    ]);
    expect(
      compareCatalogues(
        en,
        { queue: { a: '{n, plural, other {#}}', b: 'Hallo {nam}', c: 'z' } },
        'de',
      ),
    ).toEqual([
      'de/queue.json "b" has placeholders {nam}, English {name}',
      'de/queue.json "c" is not in English',
    ]);
    expect(compareCatalogues(en, { queue: { a: '{n} Fotos', b: '{name}' } }, 'de')).toEqual([
      'de/queue.json "a" does not pluralise {n}',
    ]);
    expect(
      compareCatalogues(en, { queue: { a: '{n, plural, one {#}}', b: '{name}' } }, 'de'),
    ).toEqual(['de/queue.json "a" does not parse: MISSING_OTHER_CLAUSE']);
    expect(compareCatalogues(en, {}, 'de')).toEqual(['de/queue.json is missing']);
  });
});
