// The engine's sentences as data: a catalogue key with its values beside the English text. The
// English is the catalogue's (read here as the JSON file says, the values put in by hand); old
// journals' plain-string notes still load; an error keeps its key across the wire; the UI says
// the same sentence in German from the German file.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { msg, NoteEntry, textOf } from '../../src/shared/engine-message';
import { ErrorPayload, UpresError } from '../../src/shared/errors';
import { QueueItem } from '../../src/shared/queue';
import { engineText } from '../../src/renderer/i18n/engine-text';
import { errorMessage } from '../../src/renderer/i18n/errors';
import { setLanguage } from '../../src/renderer/i18n/translate';

const file = (locale: string): Record<string, string> =>
  JSON.parse(
    readFileSync(
      new URL(`../../src/shared/messages/${locale}/batch.json`, import.meta.url),
      'utf8',
    ),
  ) as Record<string, string>;

afterAll(() => setLanguage('en'));

describe('engine messages', () => {
  it('words a key in English from the catalogue, values in place', () => {
    const m = msg('batch.engineStoppedGiveUp', { file: '/p/a.png', count: 2 });
    const expected = file('en')
      .engineStoppedGiveUp.replace('{file}', '/p/a.png')
      .replace('{count}', '2');
    expect(m).toEqual({
      key: 'batch.engineStoppedGiveUp',
      params: { file: '/p/a.png', count: 2 },
      text: expected,
    });
    expect(textOf(m)).toBe(expected);
  });

  it('never throws for a value the message lacks: the key and the values are the text', () => {
    const m = msg('batch.engineStoppedGiveUp', { file: 'a.png' });
    expect(m.text).toBe('batch.engineStoppedGiveUp {"file":"a.png"}');
  });

  it('reads the plain-string notes of journals written before keys', () => {
    const item = QueueItem.parse({
      id: 'a',
      input: '/p/a.png',
      relDir: '',
      placement: { outDir: '/o', nameTemplate: '{name}', onExists: 'suffix' },
      settings: { model: 'x' },
      state: 'done',
      notes: ['an old note', msg('batch.engineStoppedRetry')],
    });
    expect(item.notes).toEqual([
      { text: 'an old note' },
      { key: 'batch.engineStoppedRetry', text: file('en').engineStoppedRetry },
    ]);
    expect(NoteEntry.safeParse(3).success).toBe(false);
  });

  it('an error keeps its key and values across the wire; a plain one has none', () => {
    const err = new UpresError(
      'engine.stopped',
      msg('batch.engineStoppedGiveUp', { file: 'a.png', count: 2 }),
    );
    expect(err.message).toBe(err.detail!.text);
    const wire = ErrorPayload.parse(JSON.parse(JSON.stringify(err.toPayload())));
    const back = UpresError.fromPayload(wire);
    expect(back.detail).toEqual(err.detail);
    expect(back.message).toBe(err.message);
    expect(new UpresError('internal', 'plain').toPayload()).toEqual({
      code: 'internal',
      message: 'plain',
    });
  });

  it('the UI says a keyed sentence in its language, and a keyless one as the engine wrote it', () => {
    const m = msg('batch.engineStoppedGiveUp', { file: 'a.png', count: 2 });
    setLanguage('de');
    const german = file('de')
      .engineStoppedGiveUp.replace('{file}', 'a.png')
      .replace('{count}', '2');
    expect(engineText(m)).toBe(german);
    expect(engineText({ text: 'as written' })).toBe('as written');
    expect(engineText('old note')).toBe('old note');
    const err = new UpresError('engine.stopped', m);
    expect(errorMessage(err)).toContain(german);
    expect(errorMessage(err.toPayload())).toContain(german);
    setLanguage('en');
    expect(engineText(m)).toBe(m.text);
  });
});
