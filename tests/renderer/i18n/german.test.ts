// The renderer's words and numbers once the UI is switched to German: lib code that builds
// messages, the formatters, and engine errors (a German headline for the code, the engine's
// sentence kept as the detail). The expected strings are written out by hand.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueItem } from '../../../src/shared/queue';
import { errorMessage, errorText } from '../../../src/renderer/i18n/errors';
import { UpresError } from '../../../src/shared/errors';
import { locale, matchLocale, setLanguage, t, tRich } from '../../../src/renderer/i18n/translate';
import {
  formatAlpha,
  formatBytes,
  formatDuration,
  formatNumber,
  formatParameters,
  formatPercent,
  formatSpeed,
} from '../../../src/renderer/lib/format';
import type { FarmRow } from '../../../src/shared/farm';

// Loaded by URL, as the other renderer helpers' tests do (the node project does not list them).
const lib = (name: string): string =>
  fileURLToPath(new URL(`../../../src/renderer/lib/${name}.ts`, import.meta.url));
const { farmRowStatus } = (await import(/* @vite-ignore */ lib('farm-row-status'))) as {
  farmRowStatus(row: FarmRow): string;
};
const { nameTemplateProblem } = (await import(/* @vite-ignore */ lib('name-template'))) as {
  nameTemplateProblem(template: string): string | undefined;
};
const { rowStatus } = (await import(/* @vite-ignore */ lib('row-status'))) as {
  rowStatus(item: QueueItem, progress: unknown, stopping: boolean): string;
};

const item = (i: Partial<QueueItem>): QueueItem => ({ input: '/p/a.png', ...i }) as QueueItem;

describe('the system language', () => {
  it('takes the first supported language among the preferred ones', () => {
    expect(matchLocale(['fr-FR', 'de-AT', 'en'])).toBe('de');
    expect(matchLocale(['en-GB', 'de'])).toBe('en');
    expect(matchLocale(['DE_ch'])).toBe('de');
    expect(matchLocale(['fr', 'it'])).toBe('en');
    expect(matchLocale([])).toBe('en');
  });
});

describe('in German', () => {
  beforeAll(() => setLanguage('de'));
  afterAll(() => setLanguage('en'));

  it('switches, and an unknown choice follows the system (English here)', () => {
    expect(locale()).toBe('de');
    setLanguage('system');
    expect(locale()).toBe(matchLocale(globalThis.navigator?.languages ?? []));
    setLanguage('de');
    expect(t('queue.addPhotos')).toBe('Fotos hinzufügen …');
  });

  it('inflects counts', () => {
    expect(t('queue.photoCount', { n: 1 })).toBe('1 Foto');
    expect(t('queue.photoCount', { n: 3 })).toBe('3 Fotos');
    expect(t('queue.clearedMany', { n: 2 })).toBe('2 Fotos wurden aus der Warteschlange entfernt.');
    expect(t('inspector.appliedTo', { n: 1 })).toBe('Auf 1 Foto angewendet');
    expect(t('queue.photoCount', { n: 1234 })).toBe('1.234 Fotos');
  });

  it('writes numbers, sizes, durations and percentages the German way', () => {
    expect(formatAlpha(0.6349)).toBe('0,63');
    expect(formatNumber(1234.5)).toBe('1.234,5');
    expect(formatPercent(1 / 32)).toBe('3,1 %');
    expect(formatPercent(4)).toBe('400 %');
    expect(formatBytes(1_234_567)).toBe('1,23 MB');
    expect(formatBytes(999)).toBe('999 Byte');
    expect(formatParameters(16_697_987)).toBe('16,7 Mio.');
    expect(formatSpeed(2.345)).toBe('2,3 s pro Megapixel');
    expect(formatDuration(3725)).toBe('1 h 02 min');
  });

  it('words the status lines built in lib code', () => {
    expect(rowStatus(item({ state: 'waiting' }), undefined, false)).toBe('Wartet');
    expect(rowStatus(item({ state: 'done', seconds: 3 }), undefined, false)).toBe('Fertig in 3 s');
    expect(
      rowStatus(
        item({ state: 'running' }),
        { tile: 2, tiles: 7, fraction: 0.3, itemEta: 90 } as never,
        false,
      ),
    ).toBe('Kachel 2 von 7 · noch 2 min');
    expect(farmRowStatus({ id: 'b', input: '/a', state: 'done', worker: 'gpu-1' } as never)).toBe(
      'Fertig auf gpu-1',
    );
    expect(farmRowStatus({ id: 'b', input: '/a', state: 'done' } as never)).toBe('Fertig');
    expect(farmRowStatus({ id: 'b', input: '/a', state: 'retrying', attempts: 1 } as never)).toBe(
      'Neuer Versuch nach 1 Versuch',
    );
    expect(nameTemplateProblem('{nme}')).toBe(
      'Unbekanntes Feld {nme}; verwenden Sie {name} {scale} {model} {alpha}.',
    );
  });

  it('marks up rich messages as pieces', () => {
    expect(tRich('queue.savingTo', { dir: '/out', pattern: '{name}' })).toEqual([
      'Speichern in ',
      { tag: 'folder', text: '/out' },
      ' als ',
      { tag: 'template', text: '{name}' },
    ]);
  });

  it('gives engine errors a German headline and keeps the engine’s detail', () => {
    const detail = 'beach.jpg: not a readable image (truncated data)';
    expect(errorText('input.unreadable', detail)).toBe(`Datei nicht lesbar: ${detail}`);
    expect(errorMessage(new UpresError('disk.full', 'no space left writing /out/a.png'))).toBe(
      'Datenträger voll: no space left writing /out/a.png',
    );
    expect(errorMessage({ code: 'output.exists', message: 'a preset "Web" already exists' })).toBe(
      'Ausgabe existiert bereits: a preset "Web" already exists',
    );
    expect(errorMessage(new Error('socket hang up'))).toBe('Interner Fehler: socket hang up');
    expect(errorText('no-such-code', 'x')).toBe('Interner Fehler: x');
    expect(
      rowStatus(
        item({ state: 'failed', error: '/p/a.png: cannot decode', errorCode: 'input.unreadable' }),
        undefined,
        false,
      ),
    ).toBe('Datei nicht lesbar: cannot decode');
  });

  it('in English shows the engine’s sentence as it is', () => {
    setLanguage('en');
    try {
      expect(errorText('input.unreadable', 'beach.jpg: not a readable image')).toBe(
        'beach.jpg: not a readable image',
      );
      expect(formatAlpha(0.6349)).toBe('0.63');
      expect(formatBytes(1_234_567)).toBe('1.23 MB');
    } finally {
      setLanguage('de');
    }
  });
});

describe('every error code', () => {
  it('has a headline in each language', async () => {
    const { ERROR_CODES } = await import('../../../src/shared/errors');
    const { AREA_FILES } = await import('../../../src/renderer/i18n/catalogues');
    for (const loc of ['en', 'de'] as const) {
      const missing = ERROR_CODES.filter((c) => !(`title.${c}` in AREA_FILES[loc].errors));
      expect(missing, loc).toEqual([]);
    }
  });
});
