// The queue's journal through the real UpscaleQueue: what a change costs on disk as the queue
// grows, bulk changes as one write, old journals, torn and damaged logs, and crash counting.
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseJournal } from '../../../src/main/engine/queue/journal';
import { textOf } from '../../../src/shared/engine-message';
import { UpscaleQueue, type Renderer } from '../../../src/main/engine/queue/upscale-queue';

let dir: string;
let journalPath: string;
let tinyPng: Buffer;

beforeAll(async () => {
  tinyPng = await sharp({
    create: { width: 2, height: 2, channels: 3, background: '#123456' },
  })
    .png()
    .toBuffer();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'upres-journal-'));
  journalPath = join(dir, 'user', 'queue.json');
  mkdirSync(join(dir, 'user'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A folder of `n` tiny PNGs with names of one length. */
function photos(name: string, n: number): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (let i = 0; i < n; i++)
    writeFileSync(join(folder, `p${String(i).padStart(6, '0')}.png`), tinyPng);
  return folder;
}

/** Writes a few bytes as the output: the queue's own costs are what is measured. */
const trivial: Renderer = async (req) => {
  req.onPlan(64);
  req.onTile({ tile: 1, tiles: 1, tileSize: 64 });
  writeFileSync(req.tmp, 'x');
  return { device: 'cpu', tileSize: 64 };
};

const open = (render: Renderer = trivial) =>
  UpscaleQueue.open({ journalPath, render, modelScale: () => 4 });
const settings = { model: 'tiny' };

describe('the journal costs O(1) per change', () => {
  it(
    'writes the same bytes per change whether the queue holds 1 k or 8 k items',
    { timeout: 120_000 },
    async () => {
      const perChange: number[] = [];
      for (const n of [1000, 8000]) {
        journalPath = join(dir, 'user', `queue-${n}.json`);
        const q = await open();
        await q.add([photos(`in-${n}`, n)], settings, { outDir: join(dir, `out-${n}`) });
        const ids = q.snapshot().map((i) => i.id);
        const before = q.journalStats.bytesWritten;
        // 200 single changes: cancel one item, then put it back.
        for (const id of ids.slice(0, 100)) {
          await q.cancel(id);
          await q.retry(id);
        }
        perChange.push((q.journalStats.bytesWritten - before) / 200);
        await q.close();
      }
      // The same change is the same size in both queues (ids may differ by a character); a
      // rewrite of the whole journal would be 8× as much for the 8 k queue.
      expect(perChange[1] / perChange[0]).toBeLessThan(1.05);
      expect(perChange[0]).toBeLessThan(2000);
    },
  );

  it(
    'adds a folder of 20 000 photos and cancels them all with a bounded number of writes',
    { timeout: 240_000 },
    async () => {
      const folder = photos('many', 20_000);
      const q = await open();
      const w0 = q.journalStats.writes;
      const { added } = await q.add([folder], settings, { outDir: join(dir, 'out') });
      expect(added).toHaveLength(20_000);
      const w1 = q.journalStats.writes;
      // One append for the whole folder, and at most one compaction it triggers.
      expect(w1 - w0).toBeLessThanOrEqual(2);
      await q.cancelAll();
      expect(q.journalStats.writes - w1).toBeLessThanOrEqual(2);
      await q.close();
      const state = parseJournal(readFileSync(journalPath, 'utf8')).state;
      expect(state.items).toHaveLength(20_000);
      expect(state.items.every((i) => i.state === 'cancelled')).toBe(true);
    },
  );
});

describe('the journal on disk', () => {
  it('migrates a version 1 journal on open and reads back the same items', async () => {
    const folder = photos('in', 3);
    const q = await open();
    await q.add([folder], settings, { outDir: join(dir, 'out') });
    const items = q.snapshot();
    await q.close();
    writeFileSync(
      journalPath,
      JSON.stringify({ version: 1, pid: 999_999_999, paused: true, items }, null, 1),
    );
    const again = await open();
    expect(again.snapshot()).toEqual(items);
    expect(again.isPaused).toBe(true);
    await again.close();
    const text = readFileSync(journalPath, 'utf8');
    expect(JSON.parse(text.split('\n')[0]).snapshot.version).toBe(2);
    expect(parseJournal(text).state.items).toEqual(items);
  });

  it('ignores a torn last line; keeps a copy of a journal damaged in the middle', async () => {
    const folder = photos('in', 2);
    const q = await open();
    await q.add([folder], settings, { outDir: join(dir, 'out') });
    const [a, b] = q.snapshot();
    await q.cancel(a.id);
    await q.close();
    appendFileSync(journalPath, '[{"op":"remove","ids":["');
    const again = await open();
    expect(again.warnings).toEqual([]);
    expect(again.snapshot().map((i) => i.state)).toEqual(['cancelled', 'waiting']);
    await again.cancel(b.id);
    await again.close();

    const lines = readFileSync(journalPath, 'utf8').split('\n');
    lines.splice(1, 0, '{not json');
    writeFileSync(journalPath, lines.join('\n'));
    const third = await open();
    expect(textOf(third.warnings[0])).toMatch(
      /was damaged; .*kept a copy as .*queue\.json\.corrupt-/,
    );
    expect(readdirSync(join(dir, 'user')).filter((n) => n.includes('.corrupt-'))).toHaveLength(1);
    await third.close();
  });
});

describe('a photo that crashes the engine', () => {
  it('runs after the others once, and fails with engine.stopped at a second crash', async () => {
    const folder = photos('in', 3);
    const q = await open();
    await q.add([folder], settings, { outDir: join(dir, 'out') });
    const items = q.snapshot();
    await q.close();
    // The first item was running when its process died.
    const crashed = (n: number) => ({
      version: 1,
      pid: 999_999_999,
      paused: false,
      items: items.map((i, k) => (k === 0 ? { ...i, state: 'running', crashes: n } : i)),
    });
    writeFileSync(journalPath, JSON.stringify(crashed(0)));
    const order: string[] = [];
    const again = await open(async (req) => {
      order.push(req.item.id);
      return trivial(req);
    });
    expect(again.snapshot()[0]).toMatchObject({ state: 'waiting', crashes: 1 });
    await again.start();
    expect(order).toEqual([items[1].id, items[2].id, items[0].id]);
    await again.close();

    writeFileSync(journalPath, JSON.stringify(crashed(1)));
    const third = await open();
    expect(third.snapshot()[0]).toMatchObject({ state: 'failed', errorCode: 'engine.stopped' });
    expect(third.snapshot()[0].error).toMatch(
      /p000000\.png: the engine stopped while processing this photo/,
    );
    await third.close();
  });
});
