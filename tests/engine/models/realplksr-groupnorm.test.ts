// RealPLKSR's GroupNorm normalises over the whole image. Tiles get whole-image statistics gathered
// in passes over the tiles (realplksr/global-norm.ts); the oracle is the model run on the whole
// photo crop at once, where the graph's own GroupNorm sees the whole image.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealPlksrSpec } from '../../../src/shared/architecture';
import { textOf } from '../../../src/shared/engine-message';
import { UpresError } from '../../../src/shared/errors';
import { psnr } from '../../../src/main/engine/metrics/psnr';
import { architectureOf } from '../../../src/main/engine/models/architectures';
import {
  gatherGroupStats,
  withGroupStats,
} from '../../../src/main/engine/models/architectures/realplksr/global-norm';
import { readModelFile } from '../../../src/main/engine/models/read-model-file';
import {
  rasterOverviewTensor,
  rasterRegionToTensor,
  type Raster,
} from '../../../src/main/engine/pipeline/raster';
import { renderToFile } from '../../../src/main/engine/pipeline/render-to-file';
import { planTiles } from '../../../src/main/engine/pipeline/tile-plan';
import { tiledUpscale } from '../../../src/main/engine/pipeline/tiled-upscale';
import { InferenceSession, type Tensor4 } from '../../../src/main/engine/runtime/inference-session';
import { loadWeights, type LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { buildGraph } from '../../../src/main/engine/models/build-graph';
import { DATASETS, readRgb } from '../../helpers/images';

const FIXTURE = join(
  import.meta.dirname,
  '..',
  '..',
  'fixtures',
  'arch-modern',
  'realplksr-gn-x2.pth',
);
const PHOTO = `${DATASETS}photos/DSCN0010.jpg`;
const CROP = { left: 300, top: 200, width: 200, height: 150 };

let model: LoadedModel;
let spec: RealPlksrSpec;
const FIXTURE_SPEC = JSON.parse(readFileSync(join(FIXTURE, '..', 'cases.json'), 'utf8')).find(
  (c: { name: string }) => c.name === 'realplksr-gn-x2',
).expect as RealPlksrSpec;
let input: Raster;
let untiled: Raster;
const run = (t: Tensor4) => model.run(t);
beforeAll(async () => {
  const m = await readModelFile(FIXTURE);
  spec = m.spec as RealPlksrSpec;
  model = await loadWeights('gn', spec, m.weights, { device: 'cpu' });
  input = await readRgb(PHOTO, CROP);
  untiled = await tiledUpscale(input, run, { scale: model.scale, tile: 256, overlap: 0 });
});
afterAll(() => model?.dispose());

describe('RealPLKSR GroupNorm tiles with whole-image statistics', () => {
  it('tiled output is within 45 dB of untiled at the default context (tile-local is not)', async () => {
    const overlap = model.defaultOverlap;
    const tile = 64;
    const plan = planTiles(input.width, input.height, tile, overlap);
    expect(plan.length).toBeGreaterThan(4);
    expect(model.wholeImagePasses(plan.length)).toBeGreaterThan(0);
    const done: number[] = [];
    const whole = await model.wholeImageRunner({
      tiles: plan,
      tensor: (r) => rasterRegionToTensor(input, r.x, r.y, r.w, r.h),
      onTile: (n) => done.push(n),
    });
    expect(whole).toBeDefined();
    expect(done).toEqual(
      Array.from({ length: plan.length * model.wholeImagePasses(plan.length) }, (_, i) => i + 1),
    );
    const opt = { scale: model.scale, tile, overlap, plan, feather: model.defaultFeather };
    const p = psnr((await tiledUpscale(input, whole!, opt)).data, untiled.data);
    // Negative control: the same tiles normalising over themselves.
    const local = psnr((await tiledUpscale(input, run, opt)).data, untiled.data);
    console.log(
      `GroupNorm, context ${overlap}, ${tile} px tiles: ${p.toFixed(1)} dB whole-image, ${local.toFixed(1)} dB tile-local`,
    );
    expect(p).toBeGreaterThanOrEqual(45);
    expect(local).toBeLessThan(45);
    // With a first estimate from an overview at a quarter of the region size (box ÷ 2 or more):
    // the passes still make both blocks exact.
    const quarter = await model.wholeImageRunner({
      tiles: plan,
      tensor: (r) => rasterRegionToTensor(input, r.x, r.y, r.w, r.h),
      preview: (px) => rasterOverviewTensor(input, px / 4),
    });
    const q = psnr((await tiledUpscale(input, quarter!, opt)).data, untiled.data);
    expect(q).toBeGreaterThanOrEqual(45);
  }, 60_000);

  it('statistics measured on the whole image, fed back, reproduce the untiled run', async () => {
    const session = await InferenceSession.create(
      await buildGraph(spec, (await readModelFile(FIXTURE)).weights, {}),
      'cpu',
      undefined,
      { host: 'thread' },
    );
    try {
      const all = { x: 0, y: 0, w: input.width, h: input.height };
      const job = {
        tiles: [{ core: all, region: all }],
        tensor: (r: typeof all) => rasterRegionToTensor(input, r.x, r.y, r.w, r.h),
        run: (t: Tensor4, extra: Record<string, Tensor4>) => session.runWith(t, extra),
      };
      // One pass over one tile normalises with the image's own statistics: exact for every block.
      const stats = await gatherGroupStats(spec, job, 1);
      expect(stats.length).toBe(spec.blocks * spec.normGroups * 2);
      for (let i = 1; i < stats.length; i += 2) expect(stats[i]).toBeGreaterThan(0);
      const fed = await withGroupStats(spec, stats, job.run)(job.tensor(all));
      const plain = await session.run(job.tensor(all));
      let max = 0;
      for (let i = 0; i < plain.data.length; i++)
        max = Math.max(max, Math.abs(fed.data[i] - plain.data[i]));
      // float32 sums over ~30 k values per group: agreement to a few float32 ulps of the output.
      expect(max).toBeLessThan(1e-4);
      // Statistics shifted off the image's change the output (the input is not ignored).
      const off = stats.map((v, i) => (i % 2 === 0 ? v + 0.5 : v));
      const moved = await withGroupStats(spec, off, job.run)(job.tensor(all));
      expect(psnr(new Float32Array(moved.data), new Float32Array(plain.data), 1)).toBeLessThan(40);
    } finally {
      await session.dispose();
    }
  }, 60_000);
});

describe('renderToFile with a GroupNorm RealPLKSR', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upres-gn-'));
    file = join(dir, 'crop.png');
    await sharp(PHOTO).extract(CROP).png().toFile(file);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const plan = { format: 'png' as const, width: CROP.width * 2, height: CROP.height * 2 };

  it('counts the statistics passes as tiles and writes the whole-image result', async () => {
    const seen: { tile: number; tiles: number }[] = [];
    const tmp = join(dir, 'out.png');
    const res = await renderToFile(model, file, {
      tmp,
      plan,
      tile: 64,
      onTile: (p) => seen.push(p),
    });
    // Two blocks, two passes: exact, so nothing to tell the user.
    expect(res.notes.map(textOf).join(' ')).not.toMatch(/GroupNorm/);
    const tiles = seen[0].tiles;
    expect(seen.map((p) => p.tile)).toEqual(Array.from({ length: tiles }, (_, i) => i + 1));
    const n = planTiles(CROP.width, CROP.height, 64, model.defaultOverlap).length;
    expect(tiles).toBe(n * (1 + model.wholeImagePasses(n)));
    const out = await readRgb(tmp);
    const want = new Uint8Array(untiled.data);
    expect(psnr(out.data, want)).toBeGreaterThanOrEqual(45);
  }, 60_000);

  it('runs a photo that fits in memory as one tile, with no passes and nothing noted', async () => {
    const seen: { tile: number; tiles: number }[] = [];
    const tmp = join(dir, 'whole.png');
    const res = await renderToFile(model, file, { tmp, plan, onTile: (p) => seen.push(p) });
    expect(res.tileSize).toBe(CROP.width);
    expect(seen).toEqual([{ tile: 1, tiles: 1, tileSize: CROP.width, restored: undefined }]);
    expect(res.notes.map(textOf).join(' ')).not.toMatch(/GroupNorm/);
    const out = await readRgb(tmp);
    expect(psnr(out.data, new Uint8Array(untiled.data))).toBe(Infinity);
  }, 60_000);

  it('a cancel during a statistics pass stops with `cancelled` and leaves no file', async () => {
    const ac = new AbortController();
    const tmp = join(dir, 'cancelled.png');
    const job = renderToFile(model, file, {
      tmp,
      plan,
      tile: 64,
      signal: ac.signal,
      onTile: (p) => {
        if (p.tile === 2) ac.abort();
      },
    });
    await expect(job).rejects.toSatisfy((e) => e instanceof UpresError && e.code === 'cancelled');
    expect(existsSync(tmp)).toBe(false);
  }, 60_000);
});

describe('a deep GroupNorm RealPLKSR beyond one tile', () => {
  const deep: RealPlksrSpec = { ...FIXTURE_SPEC, blocks: 5 };
  it('takes its statistics from an overview run whole, with no passes, and says so', async () => {
    const pass = architectureOf(deep).wholeImage!(deep)!;
    expect(pass.passes(12)).toBe(0);
    expect(pass.passes(1)).toBe(0);
    expect(pass.note(1)).toBeUndefined();
    expect(pass.note(12)?.text).toMatch(/GroupNorm.*estimated from a reduced copy/);
    const runs: number[][] = [];
    const previews: number[] = [];
    const tile = { x: 0, y: 0, w: 8, h: 8 };
    const sums = new Float32Array(deep.blocks * deep.normGroups * 2).fill(1);
    const runner = await pass.prepare({
      tiles: [
        { core: tile, region: tile },
        { core: { ...tile, x: 8 }, region: { ...tile, x: 8 } },
      ],
      tensor: () => ({ data: new Float32Array(3 * 64), dims: [1, 3, 8, 8] }),
      preview: (px) => {
        previews.push(px);
        return { data: new Float32Array(3 * 16), dims: [1, 3, 4, 4] };
      },
      run: async (t) => {
        runs.push(t.dims);
        return { output: t, outputs: { gn_sums: { data: sums, dims: [deep.blocks, 4, 2] } } };
      },
    });
    // One run: the 4×4 overview (no tile was run for statistics).
    expect(previews).toEqual([64]);
    expect(runs).toEqual([[1, 3, 4, 4]]);
    await runner({ data: new Float32Array(3 * 64), dims: [1, 3, 8, 8] });
    expect(runs.length).toBe(2);
  });
});
