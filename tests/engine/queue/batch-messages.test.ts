// The batch area's sentences (queue, service, farm) go out with their catalogue key: the English
// text stays the CLI's, word for word, and the app says them in German from the same key. The
// expected sentences are written out by hand.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectInputs } from '../../../src/main/engine/queue/collect-inputs';
import { problemOf } from '../../../src/main/engine/queue/add-items';
import { checkNameTemplate } from '../../../src/main/engine/queue/output-plan';
import { Journal } from '../../../src/main/engine/queue/journal';
import { confineJob } from '../../../src/main/engine/farm/confine';
import { parseRedisUrl } from '../../../src/main/engine/farm/redis-url';
import { FarmLink, type LocalQueue } from '../../../src/main/engine/service/farm-link';
import { checkPreset } from '../../../src/main/engine/service/preset-check';
import { modelInUse } from '../../../src/main/engine/service/model-use';
import type { QueueItem } from '../../../src/shared/queue';
import { cancelledError } from '../../../src/shared/cancel';
import type { Preset } from '../../../src/shared/presets';
import { msg, textOf } from '../../../src/shared/engine-message';
import { UpresError } from '../../../src/shared/errors';
import type { FarmJobData } from '../../../src/main/engine/farm/farm-types';
import { engineText } from '../../../src/renderer/i18n/engine-text';
import { errorMessage } from '../../../src/renderer/i18n/errors';
import { setLanguage } from '../../../src/renderer/i18n/translate';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-batch-messages-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => setLanguage('en'));

const thrown = (f: () => unknown): UpresError => {
  try {
    f();
  } catch (err) {
    if (err instanceof UpresError) return err;
    throw err;
  }
  throw new Error('nothing was thrown');
};

describe('the queue journal', () => {
  it('says it was damaged in English for the CLI and in German for the app', async () => {
    const path = join(dir, 'queue.json');
    const snapshot = { snapshot: { version: 2, pid: 1, paused: false, items: [] } };
    // A bad line with a good one after it: damage, not a torn last line.
    await writeFile(path, `${JSON.stringify(snapshot)}\n{not json\n[]\n`);
    const { warning } = await new Journal(path).load();
    expect(warning?.key).toBe('batch.journalDamaged');
    const copy = String(warning?.params?.copy);
    expect(copy).toMatch(/queue\.json\.corrupt-\d+$/);
    expect(textOf(warning!)).toBe(
      `queue journal ${path} was damaged; read what could be read, kept a copy as ${copy}`,
    );
    setLanguage('de');
    expect(engineText(warning)).toBe(
      `Das Warteschlangen-Journal ${path} war beschädigt; gelesen wurde, was lesbar war, eine Kopie liegt unter ${copy}`,
    );
  });

  it('says an unreadable one was set aside', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{"version": 1, "items": [tru');
    const { warning } = await new Journal(path).load();
    const copy = String(warning?.params?.copy);
    expect(warning?.text).toBe(`queue journal ${path} was unreadable; kept as ${copy}`);
    setLanguage('de');
    expect(engineText(warning)).toBe(
      `Das Warteschlangen-Journal ${path} war nicht lesbar; aufbewahrt als ${copy}`,
    );
  });
});

describe('adding', () => {
  it('words a missing path and an image-less folder by key, the English as before', async () => {
    await writeFile(join(dir, 'notes.txt'), 'no picture\n');
    const missing = join(dir, 'nowhere.jpg');
    const { problems } = await collectInputs([missing, dir], { recursive: true });
    expect(problems.map((p) => p.error)).toEqual([
      `${missing}: no such file or folder`,
      `${dir}: folder holds no supported images`,
    ]);
    setLanguage('de');
    expect(problems.map((p) => engineText(p.detail))).toEqual([
      `${missing}: Datei oder Ordner nicht vorhanden`,
      `${dir}: Der Ordner enthält keine unterstützten Bilder`,
    ]);
  });

  it('keeps the key of a thrown error in the problem', () => {
    const err = new UpresError('output.invalid', msg('batch.noItem', { id: 'x1' }));
    const p = problemOf('/p/a.png', err.detail!, err.code);
    expect(p).toMatchObject({ path: '/p/a.png', error: '/p/a.png: no queue item x1' });
    expect(p.detail?.key).toBe('batch.noItem');
    expect(problemOf('/p/a.png', 'plain words')).toEqual({
      path: '/p/a.png',
      error: '/p/a.png: plain words',
    });
  });
});

describe('refusals', () => {
  it('a name template without {name}: the braces come through both languages', () => {
    const err = thrown(() => checkNameTemplate('out_{scale}'));
    expect(err.message).toBe(
      'name template "out_{scale}" must contain {name}, or every output gets one name',
    );
    setLanguage('de');
    expect(errorMessage(err)).toBe(
      'Ungültige Anfrage: Die Namensvorlage „out_{scale}“ muss {name} enthalten, sonst bekommen alle Ausgaben denselben Namen',
    );
  });

  it('a cancelled stage, and a Redis URL with the wrong scheme', () => {
    const cancelled = cancelledError('/p/a.png');
    expect(cancelled.message).toBe('/p/a.png: cancelled');
    const url = thrown(() => parseRedisUrl('http://farm:6379'));
    expect(url.message).toBe(
      'not a Redis URL: http://farm:6379 (the scheme must be redis:// or rediss://)',
    );
    setLanguage('de');
    expect(engineText(cancelled.detail)).toBe('/p/a.png: abgebrochen');
    expect(engineText(url.detail)).toBe(
      'Keine Redis-URL: http://farm:6379 (das Schema muss redis:// oder rediss:// sein)',
    );
  });
});

describe('presets', () => {
  it('a bit depth the format does not hold, however many it holds', () => {
    const preset = (format: string): Preset =>
      ({ name: 'web', settings: { model: 'm', format, bitDepth: 16 } }) as unknown as Preset;
    const jpeg = thrown(() => checkPreset(undefined, preset('jpeg'), '/u/presets.json'));
    const avif = thrown(() => checkPreset(undefined, preset('avif'), '/u/presets.json'));
    expect(jpeg.message).toBe(
      'preset "web" in /u/presets.json: bit depth 16: jpeg holds 8 bits per channel',
    );
    expect(avif.message).toBe(
      'preset "web" in /u/presets.json: bit depth 16: avif holds 8 or 10 or 12 bits per channel',
    );
    setLanguage('de');
    expect(engineText(avif.detail)).toBe(
      'Voreinstellung „web“ in /u/presets.json: Bittiefe 16: avif speichert 8, 10 oder 12 Bit pro Kanal',
    );
  });
});

describe('removing a model', () => {
  it('names the photos that still use it, plural in both languages', () => {
    const waiting = (input: string): QueueItem =>
      ({ id: input, input, state: 'waiting', settings: { model: 'mine' } }) as unknown as QueueItem;
    const one = modelInUse('mine', [waiting('/p/a.jpg')], { model: 'x' });
    const two = modelInUse('mine', [waiting('/p/a.jpg'), waiting('/p/b.jpg')], { model: 'x' });
    expect(one?.text).toBe(
      'mine cannot be removed: 1 photo in the queue still uses it (/p/a.jpg); choose another model for it or remove it first',
    );
    setLanguage('de');
    expect(engineText(one)).toBe(
      'mine kann nicht entfernt werden: 1 Foto in der Warteschlange verwendet es noch (/p/a.jpg); wählen Sie dafür ein anderes Modell oder entfernen Sie es zuerst',
    );
    expect(engineText(two)).toBe(
      'mine kann nicht entfernt werden: 2 Fotos in der Warteschlange verwenden es noch (das erste: /p/a.jpg); wählen Sie für sie ein anderes Modell oder entfernen Sie sie zuerst',
    );
  });
});

describe('the farm', () => {
  it("a worker's refusal of a job outside its folder, by key", async () => {
    const job = {
      input: '/shared/in/a.png',
      root: '/shared/in',
      relDir: '../../etc',
      outDir: '/shared/out',
    } as FarmJobData;
    const err = await confineJob(job, []).then(
      () => {
        throw new Error('the job was not refused');
      },
      (e: unknown) => e as UpresError,
    );
    expect(err.code).toBe('request.refused');
    expect(err.message).toBe(
      `/shared/in/a.png: the job's output sub-folder "../../etc" leaves its folder; refused`,
    );
    setLanguage('de');
    expect(engineText(err.detail)).toBe(
      '/shared/in/a.png: Der Ausgabe-Unterordner „../../etc“ des Auftrags verlässt seinen Ordner; abgelehnt',
    );
  });

  it('the test answer without a farm set', async () => {
    const local: LocalQueue = {
      queueList: () => ({ items: [], paused: false }),
      queueControl: async () => ({ ok: true }),
      queueAdd: async () => ({ added: [], problems: [] }),
    };
    const link = await FarmLink.open({
      userData: dir,
      local,
      send: () => undefined,
      log: () => undefined,
    });
    const answer = await link.test({});
    await link.close();
    expect(answer.message).toBe('No farm is set: enter its Redis URL.');
    setLanguage('de');
    expect(engineText(answer.detail)).toBe(
      'Es ist keine Farm eingerichtet: Geben Sie ihre Redis-URL ein.',
    );
  });
});
