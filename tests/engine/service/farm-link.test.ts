// The app's farm settings without a farm running: a password typed into the URL is kept apart
// and never given back, `***` (what the UI shows for it) keeps the saved one, the file is
// owner-only, an empty URL forgets both, and a job built from a queue item names the folder the
// user added (its input's folder less the item's relDir).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FarmLink, jobOf, type LocalQueue } from '../../../src/main/engine/service/farm-link';
import { QueueItem } from '../../../src/shared/queue';

let dir: string;
const local: LocalQueue = {
  queueList: () => ({ items: [], paused: false }),
  queueControl: async () => ({ ok: true }),
  queueAdd: async () => ({ added: [], problems: [] }),
};
const open = (): Promise<FarmLink> =>
  FarmLink.open({ userData: dir, local, send: () => undefined, log: () => undefined });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-farm-link-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the farm settings', () => {
  it('take the password out of the URL and never give it back', async () => {
    const link = await open();
    expect(link.get()).toEqual({ url: '', hasPassword: false });
    const shown = await link.set({ url: 'redis://:S3cret-pw@farm.local:6380/2' });
    expect(shown).toEqual({ url: 'redis://farm.local:6380/2', hasPassword: true });
    expect(JSON.stringify(shown)).not.toContain('S3cret');
    const file = join(dir, 'farm.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      url: 'redis://farm.local:6380/2',
      password: 'S3cret-pw',
    });
    expect((await stat(file)).mode & 0o077).toBe(0);
    // The URL as shown back with `***` keeps the saved password.
    await link.set({ url: 'redis://:***@farm.local:6381' });
    expect(JSON.parse(await readFile(file, 'utf8')).password).toBe('S3cret-pw');
    // Reopened from the file: the same view.
    await link.close();
    const again = await open();
    expect(again.get()).toEqual({ url: 'redis://farm.local:6381', hasPassword: true });
    await again.set({ password: null });
    expect(again.get().hasPassword).toBe(false);
    await again.set({ url: 'redis://h:1', password: 'p2' });
    await again.set({ url: '' });
    expect(again.get()).toEqual({ url: '', hasPassword: false });
    await again.close();
  });

  it('refuse a URL that is not Redis, naming it without its password', async () => {
    const link = await open();
    await expect(link.set({ url: 'http://:pw-x@host:1' })).rejects.toThrow(
      /not a Redis URL: http:\/\/:\*\*\*@host:1/,
    );
    expect(link.get().url).toBe('');
    await link.close();
  });

  it('answer a test without a farm in one sentence, and refuse to send', async () => {
    const link = await open();
    expect(await link.test({})).toMatchObject({ ok: false, message: /No farm is set/ });
    await expect(link.sendItems({})).rejects.toThrow(/no farm is set/);
    await link.close();
  });
});

describe('a farm job built from a queue item', () => {
  it('names the added folder as its root and keeps the item placement and settings', () => {
    const item = QueueItem.parse({
      id: 'i1',
      input: '/photos/trip/day1/beach.png',
      relDir: 'trip/day1',
      placement: { outDir: '/out', nameTemplate: '{name}_x{scale}', onExists: 'skip' },
      settings: { model: 'tiny', alpha: 0.3 },
      state: 'waiting',
    });
    expect(jobOf('b1', item)).toEqual({
      v: 1,
      batch: 'b1',
      input: '/photos/trip/day1/beach.png',
      root: '/photos',
      relDir: 'trip/day1',
      outDir: '/out',
      nameTemplate: '{name}_x{scale}',
      onExists: 'skip',
      settings: item.settings,
    });
    expect(jobOf('b1', { ...item, relDir: '', input: '/p/a.png' }).root).toBe('/p');
  });
});
