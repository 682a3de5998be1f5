import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Raster } from '../../../src/main/engine/pipeline/raster';
import { tileFingerprint } from '../../../src/main/engine/pipeline/tile-fingerprint';
import { TileStore, tileStoreDirFor } from '../../../src/main/engine/pipeline/tile-store';
import { tiledUpscale, type RunTile } from '../../../src/main/engine/pipeline/tiled-upscale';
import type { Tensor4 } from '../../../src/main/engine/runtime/inference-session';
import { rng } from '../../helpers/random-models';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-tiles-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const FP_A = 'a'.repeat(64);
const FP_B = 'b'.repeat(64);

function image(w: number, h: number, seed: number, deep = false): Raster {
  const r = rng(seed);
  const max = deep ? 65535 : 255;
  const n = w * h * 3;
  const data = deep ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.floor(r() * max);
  return { width: w, height: h, channels: 3, data };
}

/**
 * A ×2 "model" whose output depends on where a pixel sits in its tile (like a real network's edge
 * effects), so neighbouring tiles disagree in their overlap and the cross-fade's float sums matter.
 * `calls` counts the tiles computed.
 */
function wobbly(calls: { n: number }): RunTile {
  return async (t: Tensor4): Promise<Tensor4> => {
    calls.n++;
    const [, c, h, w] = t.dims;
    const d = new Float32Array(c * h * w * 4);
    for (let k = 0; k < c; k++)
      for (let y = 0; y < h * 2; y++)
        for (let x = 0; x < w * 2; x++) {
          const v = t.data[(k * h + (y >> 1)) * w + (x >> 1)];
          d[(k * h * 2 + y) * w * 2 + x] = v * 0.93 + 0.04 * Math.sin(x * 0.7 + y * 1.3 + w + k);
        }
    return { data: d, dims: [1, c, h * 2, w * 2] };
  };
}

const OPT = { scale: 2, tile: 12, overlap: 6, feather: 4 };

/** Runs until `k` tiles are done, then stops as a pause would (the signal fires). */
async function stopAfter(src: Raster, store: TileStore, k: number): Promise<void> {
  const stop = new AbortController();
  await expect(
    tiledUpscale(src, wobbly({ n: 0 }), {
      ...OPT,
      store,
      signal: stop.signal,
      onTile: (p) => {
        if (p.tile === k) stop.abort();
      },
    }),
  ).rejects.toMatchObject({ code: 'cancelled' });
}

describe('tile store', () => {
  it('keeps tiles across reopening and drops them under another fingerprint', async () => {
    const d = join(dir, 'reopen');
    const s = await TileStore.open(d, FP_A);
    const tile = { ints: Uint8Array.from([1, 2, 3]), floats: Float32Array.from([0.25, 0.5]) };
    await s.write(3, tile);
    expect(s.has(3)).toBe(true);
    const again = await TileStore.open(d, FP_A);
    expect([again.has(3), again.has(2), again.size]).toEqual([true, false, 1]);
    const back = await again.read(3);
    expect([...back!.ints]).toEqual([1, 2, 3]);
    expect([...back!.floats]).toEqual([0.25, 0.5]);
    const other = await TileStore.open(d, FP_B);
    expect(other.size).toBe(0);
    expect(await other.read(3)).toBeUndefined();
    await other.discard();
    await expect(readdir(d)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([false, true])(
    'a render stopped after k tiles and resumed equals an uninterrupted one (16-bit: %s)',
    async (deep) => {
      const src = image(41, 29, 5, deep);
      const whole = { n: 0 };
      const ref = await tiledUpscale(src, wobbly(whole), OPT);
      const d = join(dir, `resume-${deep}`);
      const k = 5;
      await stopAfter(src, await TileStore.open(d, FP_A), k);
      const calls = { n: 0 };
      const restored: number[] = [];
      const resumed = await tiledUpscale(src, wobbly(calls), {
        ...OPT,
        store: await TileStore.open(d, FP_A),
        onTile: (p) => p.restored && restored.push(p.tile),
      });
      expect(Buffer.from(resumed.data.buffer).equals(Buffer.from(ref.data.buffer))).toBe(true);
      expect(restored).toEqual([1, 2, 3, 4, 5]);
      expect(calls.n).toBe(whole.n - k);
    },
  );

  it('ignores a torn tile file after a crash and computes that tile again', async () => {
    const src = image(41, 29, 6);
    const whole = { n: 0 };
    const ref = await tiledUpscale(src, wobbly(whole), OPT);
    const d = join(dir, 'torn');
    await stopAfter(src, await TileStore.open(d, FP_A), 4);
    // The last tile's file cut short, as a crash mid-write on a filesystem without ordering could.
    const last = join(d, '3.tile');
    const full = (await readFile(last)).length;
    await truncate(last, Math.floor(full / 2));
    await writeFile(join(d, '4.tile.part'), 'half');
    const calls = { n: 0 };
    const restored: number[] = [];
    const store = await TileStore.open(d, FP_A);
    const resumed = await tiledUpscale(src, wobbly(calls), {
      ...OPT,
      store,
      onTile: (p) => p.restored && restored.push(p.tile),
    });
    expect(Buffer.from(resumed.data).equals(Buffer.from(ref.data))).toBe(true);
    expect(restored).toEqual([1, 2, 3]);
    expect(calls.n).toBe(whole.n - 3);
    expect((await readdir(d)).some((n) => n.endsWith('.part'))).toBe(false);
    expect((await readFile(last)).length).toBe(full);
  });

  it('a flipped byte fails the checksum: the tile is recomputed, never stitched', async () => {
    const src = image(30, 20, 7);
    const ref = await tiledUpscale(src, wobbly({ n: 0 }), OPT);
    const d = join(dir, 'flip');
    await stopAfter(src, await TileStore.open(d, FP_A), 2);
    const f = join(d, '0.tile');
    const b = await readFile(f);
    b[b.length - 3] ^= 0x40;
    await writeFile(f, b);
    const calls = { n: 0 };
    const resumed = await tiledUpscale(src, wobbly(calls), {
      ...OPT,
      store: await TileStore.open(d, FP_A),
    });
    expect(Buffer.from(resumed.data).equals(Buffer.from(ref.data))).toBe(true);
    const n = { n: 0 };
    await tiledUpscale(src, wobbly(n), OPT);
    expect(calls.n).toBe(n.n - 1);
  });
});

describe('tile fingerprint', () => {
  const parts = (input: string) => ({
    input,
    model: { id: 'm', digest: 'd' },
    runtime: { device: 'cpu', fp16: false },
    alpha: 0.5,
    tile: 128,
    overlap: 16,
    feather: 8,
    tta: false,
    transparency: 'other',
    depth: 8 as const,
  });

  it('changes with any setting that decides the pixels and with the input file', async () => {
    const input = join(dir, 'in.png');
    await writeFile(input, 'x');
    const base = await tileFingerprint(parts(input));
    expect(await tileFingerprint(parts(input))).toBe(base);
    for (const change of [
      { alpha: 0.6 },
      { tile: 96 },
      { overlap: 8 },
      { tta: true },
      { transparency: 'model' },
      { model: { id: 'm', digest: 'e' } },
      { runtime: { device: 'cuda', fp16: true } },
    ])
      expect(await tileFingerprint({ ...parts(input), ...change })).not.toBe(base);
    // Same size and content, newer mtime: an edited file.
    const { utimes } = await import('node:fs/promises');
    await utimes(input, new Date(), new Date(Date.now() + 5000));
    expect(await tileFingerprint(parts(input))).not.toBe(base);
  });

  it('names a hidden folder beside the output that the temp-file sweep does not match', () => {
    const d = tileStoreDirFor('/out/photo_x4.png');
    expect(d).toBe(join('/out', '.photo_x4.png.upres-tiles'));
    expect(d.endsWith('.upres-tmp')).toBe(false);
  });
});
