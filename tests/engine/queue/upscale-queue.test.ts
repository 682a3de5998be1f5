// The batch queue on a scripted renderer: placement and naming, collision policies, control
// (cancel / pause / resume), retries after memory and provider faults, the journal and recovery.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  linkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { textOf } from '../../../src/shared/engine-message';
import { dirname } from 'node:path';
import { UpresError } from '../../../src/shared/errors';
import { diskError } from '../../../src/main/engine/storage/disk-errors';
import { parseJournal } from '../../../src/main/engine/queue/journal';
import {
  UpscaleQueue,
  type RenderRequest,
  type Renderer,
} from '../../../src/main/engine/queue/upscale-queue';

let dir: string;
let inDir: string;
let outDir: string;
let journalPath: string;

async function png(path: string, w = 6, h = 4): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true });
  await sharp({
    create: { width: w, height: h, channels: 3, background: { r: 10, g: 200, b: 30 } },
  })
    .png()
    .toFile(path);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upres-queue-'));
  inDir = join(dir, 'in');
  outDir = join(dir, 'out');
  journalPath = join(dir, 'user', 'queue.json');
  mkdirSync(join(dir, 'user'));
  await png(join(inDir, 'a.png'));
  await png(join(inDir, 'b.png'), 8, 8);
  await png(join(inDir, 'sub', 'c.png'));
  await png(join(inDir, 'sub', 'deeper', 'd.png'));
  await png(join(inDir, '.hidden.png'));
  await png(join(inDir, '.cache', 'e.png'));
  await png(join(inDir, '@eaDir', 'f.png'));
  writeFileSync(join(inDir, 'notes.txt'), 'not an image');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Script {
  tiles?: number;
  /** Called before each tile; may throw. */
  beforeTile?: (req: RenderRequest, tile: number) => void | Promise<void>;
  calls?: RenderRequest[];
}

/** Writes a flat PNG of the requested size into the temp file, reporting `tiles` tiles. */
function scripted(s: Script = {}): Renderer {
  return async (req) => {
    s.calls?.push(req);
    const tiles = s.tiles ?? 3;
    req.onPlan(req.tile ?? 256);
    for (let t = 1; t <= tiles; t++) {
      if (req.signal.aborted) throw new Error('aborted');
      await s.beforeTile?.(req, t);
      if (req.signal.aborted) throw new Error('aborted');
      req.onTile({ tile: t, tiles, tileSize: req.tile ?? 256 });
      await new Promise((r) => setTimeout(r, 5));
    }
    await sharp({
      create: {
        width: req.plan.width,
        height: req.plan.height,
        channels: 3,
        background: '#808080',
      },
    })
      .png()
      .toFile(req.tmp);
    return { device: req.device ?? 'cpu', tileSize: req.tile ?? 256 };
  };
}

const open = (render: Renderer) => UpscaleQueue.open({ journalPath, render, modelScale: () => 4 });
const settings = { model: 'tiny' };
const states = (q: UpscaleQueue) =>
  Object.fromEntries(q.snapshot().map((i) => [i.input.slice(inDir.length + 1), i.state]));

describe('adding inputs', () => {
  it('recurses into sub-folders, skips hidden and system files, keeps the folder structure', async () => {
    const q = await open(scripted());
    const { added, problems } = await q.add([inDir], settings, { outDir, recursive: true });
    expect(added.map((i) => i.input.slice(inDir.length + 1))).toEqual([
      'a.png',
      'b.png',
      'sub/c.png',
      'sub/deeper/d.png',
    ]);
    expect(problems).toEqual([]);
    expect(added.map((i) => i.plan?.path)).toEqual([
      join(outDir, 'a_x4.png'),
      join(outDir, 'b_x4.png'),
      join(outDir, 'sub', 'c_x4.png'),
      join(outDir, 'sub', 'deeper', 'd_x4.png'),
    ]);
    await q.start();
    expect(readdirSync(join(outDir, 'sub', 'deeper'))).toEqual(['d_x4.png']);
    const meta = await sharp(join(outDir, 'b_x4.png')).metadata();
    expect([meta.width, meta.height]).toEqual([32, 32]);
    // The input folder is never written to.
    expect(readdirSync(inDir).sort()).toEqual([
      '.cache',
      '.hidden.png',
      '@eaDir',
      'a.png',
      'b.png',
      'notes.txt',
      'sub',
    ]);
  });

  it('without --recursive takes only the top folder and says so when it is empty', async () => {
    const q = await open(scripted());
    const r = await q.add([inDir, join(inDir, 'sub', 'deeper', '..', '..', 'missing')], settings, {
      outDir,
    });
    expect(r.added).toHaveLength(2);
    expect(r.problems.map((p) => p.error)).toEqual([
      `${join(inDir, 'missing')}: no such file or folder`,
    ]);
    const empty = join(dir, 'empty');
    mkdirSync(join(empty, 'inner'), { recursive: true });
    await png(join(empty, 'inner', 'x.png'));
    const r2 = await q.add([empty], settings, { outDir });
    expect(r2.problems[0].error).toMatch(
      /folder holds no supported images \(add --recursive for sub-folders\)/,
    );
  });

  it('names outputs from the template and checks the template', async () => {
    const q = await open(scripted());
    const { added } = await q.add(
      [join(inDir, 'a.png')],
      { model: 'tiny', scale: 2, format: 'jpeg' },
      { outDir, nameTemplate: '{model}-{name}-{scale}x' },
    );
    expect(added[0].plan).toEqual({
      path: join(outDir, 'tiny-a-2x.jpg'),
      fileName: 'tiny-a-2x.jpg',
      width: 12,
      height: 8,
      format: 'jpeg',
      scale: 2,
    });
    await expect(q.add([inDir], settings, { outDir, nameTemplate: '../{name}' })).rejects.toThrow(
      /must not contain folders/,
    );
    await expect(q.add([inDir], settings, { outDir, nameTemplate: '{nme}' })).rejects.toThrow(
      /unknown field \{nme\}/,
    );
  });

  it('sizes outputs to a target width or height, keeping the aspect ratio', async () => {
    const calls: RenderRequest[] = [];
    const q = await open(scripted({ calls }));
    await q.add([join(inDir, 'a.png')], { model: 'tiny', width: 15 }, { outDir });
    await q.add(
      [join(inDir, 'b.png')],
      { model: 'tiny', height: 20 },
      { outDir, nameTemplate: '{name}_h' },
    );
    await q.start();
    expect(calls.map((c) => [c.plan.width, c.plan.height])).toEqual([
      [15, 10],
      [20, 20],
    ]);
  });
});

describe('collisions', () => {
  it('suffix keeps both, skip keeps the old file, overwrite replaces it', async () => {
    mkdirSync(outDir);
    writeFileSync(join(outDir, 'a_x4.png'), 'old');
    const q = await open(scripted());
    await q.add([join(inDir, 'a.png')], settings, { outDir, onExists: 'skip' });
    await q.start();
    expect(q.snapshot()[0]).toMatchObject({ state: 'skipped', output: join(outDir, 'a_x4.png') });
    expect(readFileSync(join(outDir, 'a_x4.png'), 'utf8')).toBe('old');
    await q.add([join(inDir, 'a.png')], settings, { outDir, onExists: 'suffix' });
    await q.start();
    expect(q.snapshot()[1]).toMatchObject({ state: 'done', output: join(outDir, 'a_x4_1.png') });
    await q.add([join(inDir, 'a.png')], settings, { outDir, onExists: 'overwrite' });
    await q.start();
    expect((await sharp(join(outDir, 'a_x4.png')).metadata()).width).toBe(24);
    expect(readdirSync(outDir).sort()).toEqual(['a_x4.png', 'a_x4_1.png']);
  });
});

describe('control and events', () => {
  it('reports every state change and per-tile progress with ETAs', async () => {
    const q = await open(scripted({ tiles: 4 }));
    const seen: string[] = [];
    const etas: (number | undefined)[] = [];
    q.on('item', (i) => seen.push(`${i.input.slice(inDir.length + 1)}:${i.state}`));
    q.on('progress', (p) => etas.push(p.queueEta));
    await q.add([join(inDir, 'a.png'), join(inDir, 'b.png')], settings, { outDir });
    await q.start();
    expect(seen).toEqual([
      'a.png:waiting',
      'b.png:waiting',
      'a.png:running',
      'a.png:done',
      'b.png:running',
      'b.png:done',
    ]);
    expect(etas).toHaveLength(8);
    expect(etas.slice(4).every((e) => typeof e === 'number' && e >= 0)).toBe(true);
  });

  it('cancels one item at its next tile and goes on with the rest', async () => {
    const q: UpscaleQueue = await open(
      scripted({
        tiles: 5,
        beforeTile: async (req, t) => {
          if (req.item.input.endsWith('a.png') && t === 2) await q.cancel(req.item.id);
        },
      }),
    );
    await q.add([join(inDir, 'a.png'), join(inDir, 'b.png')], settings, { outDir });
    await q.start();
    expect(states(q)).toEqual({ 'a.png': 'cancelled', 'b.png': 'done' });
    expect(readdirSync(outDir)).toEqual(['b_x4.png']);
  });

  it('a cancel during the last tile still cancels: no output is committed', async () => {
    // The last tile cannot be interrupted (onnxruntime has no cancel): the renderer finishes and
    // returns normally after the cancel; the queue must not commit what it wrote.
    const q: UpscaleQueue = await open(async (req) => {
      req.onPlan(256);
      req.onTile({ tile: 1, tiles: 1, tileSize: 256 });
      await q.cancel(req.item.id);
      await sharp({
        create: { width: req.plan.width, height: req.plan.height, channels: 3, background: '#000' },
      })
        .png()
        .toFile(req.tmp);
      return { device: 'cpu', tileSize: 256 };
    });
    await q.add([join(inDir, 'a.png')], settings, { outDir });
    await q.start();
    expect(states(q)).toEqual({ 'a.png': 'cancelled' });
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('pauses at the next tile and resumes where the queue stopped', async () => {
    let paused = false;
    const q: UpscaleQueue = await open(
      scripted({
        beforeTile: async (req, t) => {
          if (!paused && req.item.input.endsWith('b.png') && t === 2) {
            paused = true;
            await q.pause();
          }
        },
      }),
    );
    await q.add([join(inDir, 'a.png'), join(inDir, 'b.png')], settings, { outDir });
    await q.start();
    expect(states(q)).toEqual({ 'a.png': 'done', 'b.png': 'waiting' });
    expect(q.isPaused).toBe(true);
    await q.resume();
    expect(states(q)).toEqual({ 'a.png': 'done', 'b.png': 'done' });
    expect(readdirSync(outDir).sort()).toEqual(['a_x4.png', 'b_x4.png']);
  });

  it('cancel all stops the running item and everything waiting', async () => {
    const q: UpscaleQueue = await open(
      scripted({ beforeTile: (_r, t) => void (t === 2 && q.cancelAll()) }),
    );
    await q.add([inDir], settings, { outDir, recursive: true });
    await q.start();
    expect(Object.values(states(q))).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(existsSync(outDir) ? readdirSync(outDir).filter((n) => n.endsWith('.png')) : []).toEqual(
      [],
    );
  });
});

describe('faults', () => {
  // The runtime gives onnxruntime's failures their codes (see runtime-errors.test.ts); the queue
  // goes by the code alone.
  it('retries out-of-memory with smaller tiles, then on the CPU; a provider error goes to the CPU', async () => {
    const calls: RenderRequest[] = [];
    const q = await open(
      scripted({
        calls,
        beforeTile: (req) => {
          if (req.item.input.endsWith('a.png') && (req.tile ?? 256) > 64)
            throw new UpresError(
              'device.out-of-memory',
              'onnxruntime: Failed to allocate memory for requested buffer',
            );
          if (req.item.input.endsWith('b.png') && req.device !== 'cpu')
            throw new UpresError('device.provider', 'CUDA failure 2: out of device memory');
        },
      }),
    );
    await q.add([join(inDir, 'a.png')], settings, { outDir });
    await q.add([join(inDir, 'b.png')], { model: 'tiny', device: 'cuda' }, { outDir });
    await q.start();
    expect(states(q)).toEqual({ 'a.png': 'done', 'b.png': 'done' });
    const [a, b] = q.snapshot();
    expect(a.notes.map(textOf)).toEqual([
      'out of memory with 256 px tiles; retried with 128 px',
      'out of memory with 128 px tiles; retried with 64 px',
    ]);
    expect(textOf(b.notes[b.notes.length - 1])).toBe(
      'provider error (CUDA failure 2: out of device memory); retried on the CPU',
    );
    expect(calls.filter((c) => c.item.input.endsWith('b.png')).at(-1)?.device).toBe('cpu');
  });

  it('one failing item does not stop the queue; an unwritable output folder fails its items clearly', async () => {
    writeFileSync(join(dir, 'blocked'), 'a file where the output folder should be');
    const q = await open(
      scripted({
        beforeTile: (req) => {
          if (req.item.input.endsWith('a.png'))
            throw new Error('cannot decode; the file may be damaged');
        },
      }),
    );
    await q.add([join(inDir, 'a.png'), join(inDir, 'b.png')], settings, { outDir });
    await q.add([join(inDir, 'sub', 'c.png')], settings, { outDir: join(dir, 'blocked', 'out') });
    await q.start();
    const items = q.snapshot();
    expect(items.map((i) => i.state)).toEqual(['failed', 'done', 'failed']);
    expect(items[0].error).toBe(`${join(inDir, 'a.png')}: cannot decode; the file may be damaged`);
    expect(items[0].errorCode).toBe('internal');
    expect(items[2].error).toMatch(/c\.png: cannot write to .*blocked\/out/);
    expect(items[2].errorCode).toMatch(/^disk\./);
  });
  it('a full disk fails the item with a plain message and keeps earlier outputs', async () => {
    const q = await open(
      scripted({
        beforeTile: (req) => {
          // What the writer throws for an ENOSPC from the file system.
          if (req.item.input.endsWith('b.png'))
            throw diskError(
              Object.assign(new Error('ENOSPC: no space left on device, write'), {
                code: 'ENOSPC',
              }),
              dirname(req.tmp),
            );
        },
      }),
    );
    await q.add([join(inDir, 'a.png'), join(inDir, 'b.png')], settings, { outDir });
    await q.start();
    const [a, b] = q.snapshot();
    expect(a.state).toBe('done');
    expect(b).toMatchObject({
      state: 'failed',
      error: `${join(inDir, 'b.png')}: cannot write to ${outDir}: the disk is full`,
      errorCode: 'disk.full',
    });
    expect(readdirSync(outDir)).toEqual(['a_x4.png']);
  });
});

describe('journal and recovery', () => {
  it('journals every change and reopens with exactly the unfinished items', async () => {
    let n = 0;
    const q: UpscaleQueue = await open(
      scripted({
        beforeTile: async (_r, t) => {
          if (t === 1 && ++n === 3) await q.pause();
        },
      }),
    );
    await q.add([inDir], settings, { outDir, recursive: true });
    await q.start();
    // What is on disk, read without the queue: the snapshot with every appended change replayed.
    const journal = parseJournal(readFileSync(journalPath, 'utf8')).state;
    expect(journal.items.map((i) => i.state)).toEqual(['done', 'done', 'waiting', 'waiting']);

    const again = await open(scripted());
    expect(again.snapshot().map((i) => i.state)).toEqual(['done', 'done', 'waiting', 'waiting']);
    await again.start();
    expect(again.snapshot().map((i) => i.state)).toEqual(['done', 'done', 'done', 'done']);
  });

  it('after a crash: a committed output is recognised, an interrupted item runs again, temp files go', async () => {
    const q = await open(scripted());
    await q.add([join(inDir, 'a.png'), join(inDir, 'b.png')], settings, { outDir });
    mkdirSync(outDir);
    const [a, b] = q.snapshot();
    // Simulate a crash of another process: a was linked to its final name but not yet recorded as
    // done; b was mid-render and left a partial temp file.
    const tmpA = join(outDir, '.a_x4.png.1234.upres-tmp');
    const tmpB = join(outDir, '.b_x4.png.5678.upres-tmp');
    await sharp({ create: { width: 24, height: 16, channels: 3, background: '#000' } })
      .png()
      .toFile(tmpA);
    linkSync(tmpA, join(outDir, 'a_x4.png'));
    writeFileSync(tmpB, 'partial');
    // …and a scratch folder of RealPLKSR's GroupNorm maps, beside the output, with a map in it.
    const scratch = join(outDir, '.upres-scratch-gn-maps-Ab12Cd');
    mkdirSync(scratch);
    writeFileSync(join(scratch, 'map-3.f16'), Buffer.alloc(64));
    const crashed = {
      version: 1,
      pid: 999_999_999,
      paused: false,
      items: [
        { ...a, state: 'running', committing: tmpA },
        { ...b, state: 'running' },
      ],
    };
    writeFileSync(journalPath, JSON.stringify(crashed));
    const again = await open(scripted());
    expect(again.snapshot().map((i) => [i.state, i.output])).toEqual([
      ['done', join(outDir, 'a_x4.png')],
      ['waiting', undefined],
    ]);
    expect(readdirSync(outDir).sort()).toEqual(['a_x4.png']);
    await again.start();
    expect(readdirSync(outDir).sort()).toEqual(['a_x4.png', 'b_x4.png']);
  });

  it('keeps a corrupt journal aside instead of losing it', async () => {
    writeFileSync(journalPath, '{"version": 1, "items": [tru');
    const q = await open(scripted());
    expect(textOf(q.warnings[0])).toMatch(/was unreadable; kept as .*queue\.json\.corrupt-/);
    expect(readdirSync(join(dir, 'user')).some((n) => n.startsWith('queue.json.corrupt-'))).toBe(
      true,
    );
  });
});

describe('the plan an item carries', () => {
  it('is made once on add, again on a settings change, and computed for journals written before plans', async () => {
    const q = await open(scripted());
    const { added } = await q.add(
      [join(inDir, 'a.png')],
      { model: 'tiny', scale: 1.5 },
      { outDir },
    );
    // 6×4 at ×1.5: the name says the scale asked for, the size is rounded.
    expect(added[0].plan).toEqual({
      path: join(outDir, 'a_x1.5.png'),
      fileName: 'a_x1.5.png',
      width: 9,
      height: 6,
      format: 'png',
      scale: 1.5,
    });
    await q.update([added[0].id], { width: 13, format: 'webp' });
    expect(q.snapshot()[0].plan).toMatchObject({
      fileName: 'a_x2.167.webp',
      width: 13,
      height: 9,
      format: 'webp',
    });

    // A journal from before plans: the item gets its plan when the queue opens.
    const { plan: _plan, ...old } = q.snapshot()[0];
    writeFileSync(
      journalPath,
      JSON.stringify({ version: 1, pid: 999_999_999, paused: false, items: [old] }),
    );
    const again = await open(scripted());
    expect(again.snapshot()[0].plan?.path).toBe(join(outDir, 'a_x2.167.webp'));
    await again.start();
    expect(again.snapshot()[0]).toMatchObject({
      state: 'done',
      output: join(outDir, 'a_x2.167.webp'),
      outWidth: 13,
      outHeight: 9,
    });
  });

  it('refuses, when added, a file that is not a readable image, naming it once', async () => {
    const late = join(inDir, 'late.png');
    writeFileSync(late, 'not yet an image');
    const missing = join(inDir, 'gone.png');
    const q = await open(scripted());
    const { added, problems } = await q.add([late, missing], settings, { outDir });
    expect(added).toEqual([]);
    expect(q.snapshot()).toEqual([]);
    expect(problems.map((p) => p.path).sort()).toEqual([missing, late].sort());
    for (const p of problems) {
      // One message: the path appears once, followed by the cause.
      expect(p.error.split(p.path)).toHaveLength(2);
      expect(p.error.startsWith(`${p.path}: `)).toBe(true);
    }
    const said = (path: string) => problems.find((p) => p.path === path)?.error;
    expect(said(late)).toMatch(/not a readable image/);
    expect(said(missing)).toMatch(/no such file/);
  });

  it('skips a photo already waiting with the same settings, saying so', async () => {
    const q = await open(scripted());
    const a = join(inDir, 'a.png');
    expect((await q.add([a], settings, { outDir })).added).toHaveLength(1);
    const again = await q.add([a, a], settings, { outDir });
    expect(again.added).toEqual([]);
    expect(again.problems).toHaveLength(2);
    expect(again.problems[0]).toMatchObject({
      path: a,
      error: expect.stringMatching(/already in the queue/),
    });
    // Other settings are other work: queued.
    expect((await q.add([a], { ...settings, scale: 2 }, { outDir })).added).toHaveLength(1);
    expect(q.snapshot()).toHaveLength(2);
  });
});

describe('the header read on add', () => {
  it('goes to the renderer (no second read), unless the file changed since', async () => {
    const calls: RenderRequest[] = [];
    const q = await open(scripted({ calls }));
    await q.add([join(inDir, 'a.png'), join(inDir, 'b.png')], settings, { outDir });
    await png(join(inDir, 'b.png'), 10, 10); // changed after it was added
    await q.start();
    expect(calls.map((c) => c.header && [c.header.width, c.header.height])).toEqual([
      [6, 4],
      undefined,
    ]);
  });
});

describe('events for the list', () => {
  it('reports removed, cleared and moved items, and whether the loop runs', async () => {
    const q = await open(scripted());
    const removed: string[][] = [];
    const moved: [string, number][] = [];
    q.on('removed', (ids) => removed.push(ids));
    q.on('moved', (id, index) => moved.push([id, index]));
    const { added } = await q.add([inDir], settings, { outDir, recursive: true });
    const [a, b, c, d] = added.map((i) => i.id);
    await q.move(d, 0);
    await q.move(a, 99);
    expect(moved).toEqual([
      [d, 0],
      [a, 3],
    ]);
    expect(q.snapshot().map((i) => i.id)).toEqual([d, b, c, a]);
    await q.remove(b);
    expect(removed).toEqual([[b]]);
    expect(q.isRunning).toBe(false);
    let runningAtIdle: boolean | undefined;
    q.once('idle', () => (runningAtIdle = q.isRunning));
    const loop = q.start();
    expect(q.isRunning).toBe(true);
    await loop;
    expect(runningAtIdle).toBe(false);
    await q.clearFinished();
    expect(removed).toEqual([[b], [d, c, a]]);
  });
});
