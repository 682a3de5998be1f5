// The dial workflow's queue behaviours with a scripted renderer: pause and cancel stop a tile that
// is still running (the renderer's signal fires and the item settles before the tile could end),
// estimated progress between tiles, tile stores kept across a pause and dropped once done,
// re-exports that start by themselves, undo of *Clear finished*, and following the default folder.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueueItem, QueueProgress } from '../../../src/shared/queue';
import {
  UpscaleQueue,
  type RenderRequest,
  type Renderer,
} from '../../../src/main/engine/queue/upscale-queue';

let dir: string;
let inDir: string;
let outDir: string;
const settings = { model: 'tiny' };
const opened: UpscaleQueue[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upres-workflow-'));
  inDir = join(dir, 'in');
  outDir = join(dir, 'out');
  mkdirSync(inDir);
  for (const n of ['a', 'b'])
    await sharp({ create: { width: 8, height: 6, channels: 3, background: '#468' } })
      .png()
      .toFile(join(inDir, `${n}.png`));
});
afterEach(async () => {
  for (const q of opened.splice(0)) await q.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function open(render: Renderer, tickMs?: number): Promise<UpscaleQueue> {
  const q = await UpscaleQueue.open({
    journalPath: join(dir, 'queue.json'),
    render,
    modelScale: () => 4,
    tickMs,
  });
  opened.push(q);
  return q;
}

/** A tile that ends when released, or fails at once when the signal fires (a killed worker). */
function blockingTile(signal: AbortSignal): { done: Promise<void>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((resolve, reject) => {
    release = resolve;
    const stop = () => reject(new Error('worker terminated'));
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
  });
  return { done, release };
}

/**
 * A renderer of `tiles` tiles; tile `blockAt` (1-based) blocks until released. Tiles found in the
 * request's tile store folder (one file per tile, as a real store keeps them) are reported as
 * restored, not computed.
 */
function scripted(opt: {
  tiles: number;
  blockAt?: number;
  onBlock?: (release: () => void) => void;
}) {
  const computed: { item: string; tile: number }[] = [];
  const requests: RenderRequest[] = [];
  const render: Renderer = async (req) => {
    requests.push(req);
    req.onPlan(64, opt.tiles);
    if (req.tileStore) await mkdir(req.tileStore, { recursive: true });
    for (let t = 1; t <= opt.tiles; t++) {
      const kept = req.tileStore && existsSync(join(req.tileStore, `${t}.tile`));
      if (kept) {
        req.onTile({ tile: t, tiles: opt.tiles, tileSize: 64, restored: true });
        continue;
      }
      if (t === opt.blockAt) {
        const b = blockingTile(req.signal);
        opt.onBlock?.(b.release);
        await b.done;
      }
      if (req.signal.aborted) throw new Error('stopped');
      computed.push({ item: req.item.input, tile: t });
      if (req.tileStore) await writeFile(join(req.tileStore, `${t}.tile`), 'x');
      req.onTile({ tile: t, tiles: opt.tiles, tileSize: 64 });
    }
    await writeFile(req.tmp, 'image');
    return { device: 'cpu', tileSize: 64 };
  };
  return { render, computed, requests };
}

const states = (q: UpscaleQueue) => q.snapshot().map((i) => i.state);

describe('pause and cancel of a running tile', () => {
  it('pause settles the item before the tile could finish; resume continues from the next tile', async () => {
    let release: (() => void) | undefined;
    // The first run's tile 2 blocks until the pause; after the resume it runs through.
    const r = scripted({
      tiles: 3,
      blockAt: 2,
      onBlock: (f) => (release ? f() : (release = f)),
    });
    const q = await open(r.render);
    await q.add([join(inDir, 'a.png')], settings, { outDir });
    const loop = q.start();
    while (!release) await new Promise((done) => setTimeout(done, 5));
    const back = new Promise<QueueItem>((done) =>
      q.on('item', (i) => i.state === 'waiting' && done(i)),
    );
    await q.pause();
    // The tile was never released: only the stop (the terminated worker) can have ended it.
    expect((await back).state).toBe('waiting');
    await loop;
    expect(r.requests[0].signal.aborted).toBe(true);
    expect(q.isPaused).toBe(true);
    expect(r.computed.map((c) => c.tile)).toEqual([1]);
    const store = r.requests[0].tileStore!;
    expect(existsSync(join(store, '1.tile'))).toBe(true);

    const progress: QueueProgress[] = [];
    q.on('progress', (p) => progress.push(p));
    await q.resume();
    expect(states(q)).toEqual(['done']);
    // Tile 1 finished before the pause and is not computed again.
    expect(r.computed.map((c) => c.tile)).toEqual([1, 2, 3]);
    expect(progress.filter((p) => !p.estimated).map((p) => [p.tile, Boolean(p.restored)])).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
    // Done: the store is gone.
    expect(existsSync(store)).toBe(false);
  });

  it('cancel stops the running tile; retry continues from the kept tiles', async () => {
    let release: (() => void) | undefined;
    const r = scripted({ tiles: 3, blockAt: 3, onBlock: (f) => (release = f) });
    const q = await open(r.render);
    const [item] = (await q.add([join(inDir, 'a.png')], settings, { outDir })).added;
    const loop = q.start();
    while (!release) await new Promise((done) => setTimeout(done, 5));
    await q.cancel(item.id);
    await loop;
    expect(states(q)).toEqual(['cancelled']);
    expect(r.computed.map((c) => c.tile)).toEqual([1, 2]);
    release = undefined;
    await q.retry(item.id);
    const done = q.start();
    while (!release) await new Promise((d) => setTimeout(d, 5));
    (release as () => void)();
    await done;
    expect(states(q)).toEqual(['done']);
    expect(r.computed.map((c) => c.tile)).toEqual([1, 2, 3]);
  });
});

describe('progress between tiles', () => {
  it('moves as an estimate while a tile runs, never backwards, never past the running tile', async () => {
    let release: (() => void) | undefined;
    const r = scripted({ tiles: 4, blockAt: 3, onBlock: (f) => (release = f) });
    const q = await open(r.render, 20);
    const progress: QueueProgress[] = [];
    q.on('progress', (p) => progress.push(p));
    await q.add([join(inDir, 'a.png')], settings, { outDir });
    const loop = q.start();
    while (!release) await new Promise((d) => setTimeout(d, 5));
    // Wait for estimates rather than for a time: a loaded machine ticks late, not never.
    while (progress.filter((p) => p.estimated).length < 3)
      await new Promise((d) => setTimeout(d, 5));
    (release as () => void)();
    await loop;
    const during = progress.filter((p) => p.estimated);
    expect(during.length).toBeGreaterThanOrEqual(3);
    for (const p of during) {
      expect(p.tile).toBe(2);
      expect(p.fraction).toBeGreaterThanOrEqual(2 / 4);
      expect(p.fraction).toBeLessThan(3 / 4);
    }
    const fractions = progress.map((p) => p.fraction);
    for (let k = 1; k < fractions.length; k++)
      expect(fractions[k]).toBeGreaterThanOrEqual(fractions[k - 1]);
    expect(fractions.at(-1)).toBe(1);
  });
});

describe('re-export at another α', () => {
  it('is its own row, named for its α beside the first export, and starts without Start', async () => {
    const r = scripted({ tiles: 1 });
    const q = await open(r.render);
    const [first] = (await q.add([join(inDir, 'a.png')], { model: 'pair', alpha: 0.8 }, { outDir }))
      .added;
    await q.add([join(inDir, 'b.png')], settings, { outDir });
    await q.controls.move(first.id, 0);
    // Run only the first photo, as if the user had stopped after it.
    q.on('item', (i) => i.id === first.id && i.state === 'done' && void q.pause());
    await q.start();
    const done = q.get(first.id)!;
    expect(done.state).toBe('done');
    const idle = new Promise<void>((d) => q.once('idle', () => d()));
    const again = await q.controls.reexport(first.id, 0.3);
    await idle;
    expect(again.reexportOf).toBe(first.id);
    expect(again.estimatedSeconds).toBe(done.seconds);
    expect(again.settings.alpha).toBe(0.3);
    expect(again.plan!.fileName).toBe('a_x4_a0.3.png');
    expect(again.plan!.fileName).not.toBe(done.plan!.fileName);
    expect(q.get(again.id)!.state).toBe('done');
    expect(existsSync(join(outDir, 'a_x4_a0.3.png'))).toBe(true);
    // The other waiting photo did not start: nobody pressed Start for it.
    expect(q.snapshot().map((i) => [i.input.endsWith('b.png'), i.state])).toContainEqual([
      true,
      'waiting',
    ]);
  });
});

describe('clear finished and restore', () => {
  it('returns what it removed and puts exactly those back', async () => {
    const r = scripted({ tiles: 1 });
    const q = await open(r.render);
    const { added } = await q.add([join(inDir, 'a.png'), join(inDir, 'b.png')], settings, {
      outDir,
    });
    await q.cancel(added[1].id);
    await q.start();
    const removed = await q.clearFinished();
    expect(removed.map((i) => [i.id, i.state])).toEqual([
      [added[0].id, 'done'],
      [added[1].id, 'cancelled'],
    ]);
    expect(q.snapshot()).toEqual([]);
    const back = await q.controls.restore([added[1].id, 'no-such-id']);
    expect(back.map((i) => i.id)).toEqual([added[1].id]);
    expect(q.snapshot().map((i) => i.id)).toEqual([added[1].id]);
    // Retry covers cancelled photos (one or all).
    expect(await q.controls.retryAll()).toBe(1);
    expect(states(q)).toEqual(['waiting']);
  });
});

describe('the default output folder', () => {
  it('moves waiting items that have no folder of their own, not the others', async () => {
    const q = await open(scripted({ tiles: 1 }).render);
    const [follows] = (await q.add([join(inDir, 'a.png')], settings, { outDir })).added;
    const [own] = (await q.add([join(inDir, 'b.png')], settings, { outDir, outDirSet: true }))
      .added;
    const next = join(dir, 'elsewhere');
    expect(await q.controls.followDefaultFolder(next)).toBe(1);
    expect(q.get(follows.id)!.plan!.path).toBe(join(next, 'a_x4.png'));
    expect(q.get(own.id)!.plan!.path).toBe(join(outDir, 'b_x4.png'));
  });
});
