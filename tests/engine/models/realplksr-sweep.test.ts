// Deep GroupNorm RealPLKSR across tiles: exact whole-image statistics from one sweep stage per block
// over the tiles, the state kept in float16 maps on disk (realplksr/global-norm-sweep.ts). Oracles:
// the same graph run on the whole photo crop at once (its GroupNorm sees the whole image), and the
// statistics that graph measures over the whole image.
import { readdirSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../../../src/shared/engine-message';
import { UpresError } from '../../../src/shared/errors';
import { psnr } from '../../../src/main/engine/metrics/psnr';
import { gatherGroupStats } from '../../../src/main/engine/models/architectures/realplksr/global-norm';
import { sweepGroupStats } from '../../../src/main/engine/models/architectures/realplksr/global-norm-sweep';
import { buildGraph } from '../../../src/main/engine/models/build-graph';
import {
  fromHalf,
  toHalf,
} from '../../../src/main/engine/models/architectures/realplksr/feature-map-file';
import { rasterRegionToTensor, type Raster } from '../../../src/main/engine/pipeline/raster';
import { renderToFile } from '../../../src/main/engine/pipeline/render-to-file';
import { planTiles } from '../../../src/main/engine/pipeline/tile-plan';
import { tiledUpscale } from '../../../src/main/engine/pipeline/tiled-upscale';
import type { Tensor4 } from '../../../src/main/engine/runtime/inference-session';
import {
  loadPairWeights,
  loadWeights,
  type LoadedModel,
} from '../../../src/main/engine/runtime/loaded-model';
import { DATASETS, readRgb } from '../../helpers/images';
import { DEEP_GN_PLKSR, randomWeights, rng, TINY_SRVGG } from '../../helpers/random-models';
import { ChainedModel } from '../../../src/main/engine/runtime/chain-model';

const SPEC = DEEP_GN_PLKSR;
const PHOTO = `${DATASETS}photos/DSCN0010.jpg`;
const CROP = { left: 300, top: 200, width: 160, height: 120 };
// The full graph's receptive radius: 6 blocks × (2 + 3) px + the head and tail convs.
const OVERLAP = 40;
const TILE = 48;

let model: LoadedModel;
let input: Raster;
let untiled: Raster;
let scratch: string;
const tiles = () => planTiles(input.width, input.height, TILE, OVERLAP);
const tensor = (r: { x: number; y: number; w: number; h: number }) =>
  rasterRegionToTensor(input, r.x, r.y, r.w, r.h);

beforeAll(async () => {
  const weights = randomWeights(SPEC, 3);
  // GroupNorm weights near 1 (as trained ones are), so the statistics matter.
  const r = rng(5);
  for (const [name, w] of weights)
    if (name.endsWith('.norm.weight')) for (let i = 0; i < w.length; i++) w[i] = 1 + 0.2 * r();
  model = await loadWeights('deep-gn', SPEC, weights, { device: 'cpu' });
  input = await readRgb(PHOTO, CROP);
  const run = (t: Tensor4) => model.run(t);
  untiled = await tiledUpscale(input, run, { scale: 2, tile: 256, overlap: 0 });
  scratch = await mkdtemp(join(tmpdir(), 'upres-sweep-test-'));
}, 60_000);
afterAll(async () => {
  await model?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('float16 map values', () => {
  it('round to nearest even and decode back', () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(1e6)).toBe(0x7c00);
    expect(fromHalf(toHalf(2 ** -24))).toBe(2 ** -24);
    // 1 + 2⁻¹¹ is halfway between 1 and 1 + 2⁻¹⁰: to even (1).
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00);
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    const r = rng(9);
    for (let i = 0; i < 1000; i++) {
      const v = (r() - 0.5) * 200;
      expect(Math.abs(fromHalf(toHalf(v)) - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
    }
  });
});

describe('renderToFile with a 6-block GroupNorm RealPLKSR', () => {
  it('counts the sweep stages as tiles, notes nothing, and equals the untiled run', async () => {
    const file = join(scratch, 'crop.png');
    await sharp(PHOTO).extract(CROP).png().toFile(file);
    const tmp = join(scratch, 'out.png');
    const seen: number[] = [];
    let tiles = 0;
    const res = await renderToFile(model, file, {
      tmp,
      plan: { format: 'png', width: CROP.width * 2, height: CROP.height * 2 },
      tile: TILE,
      overlap: OVERLAP,
      onTile: (p) => {
        seen.push(p.tile);
        tiles = p.tiles;
      },
    });
    expect(res.notes.map(textOf).join(' ')).not.toMatch(/GroupNorm/);
    expect(tiles).toBe(12 * (1 + SPEC.blocks));
    expect(seen).toEqual(Array.from({ length: tiles }, (_, i) => i + 1));
    const out = await readRgb(tmp);
    expect(psnr(out.data, new Uint8Array(untiled.data))).toBeGreaterThanOrEqual(45);
    await rm(file);
    await rm(tmp);
  }, 60_000);
});

describe('a 6-block GroupNorm RealPLKSR over 12 tiles', () => {
  it('sweeps once per block, matches the whole image statistics, and equals untiled ≥ 45 dB', async () => {
    const plan = tiles();
    expect(plan.length).toBe(12);
    expect(model.wholeImagePasses(plan.length)).toBe(SPEC.blocks);
    expect(model.wholeImageNote(plan.length)).toBeUndefined();
    const done: number[] = [];
    const seenFiles = new Set<string>();
    const whole = await model.wholeImageRunner({
      tiles: plan,
      tensor,
      graphs: { ...model.graphs!, scratch },
      onTile: (n) => {
        done.push(n);
        // The state goes to disk while the sweep runs.
        for (const d of readdirSync(scratch))
          for (const f of readdirSync(join(scratch, d))) seenFiles.add(f);
      },
    });
    expect(done).toEqual(Array.from({ length: plan.length * SPEC.blocks }, (_, i) => i + 1));
    expect(seenFiles.size).toBeGreaterThan(1);
    expect(await readdir(scratch)).toEqual([]);
    const opt = { scale: 2, tile: TILE, overlap: OVERLAP, plan, feather: model.defaultFeather };
    const p = psnr((await tiledUpscale(input, whole!, opt)).data, untiled.data);
    // Negative controls: tile-local statistics, and the estimate without the weights.
    const local = psnr((await tiledUpscale(input, (t) => model.run(t), opt)).data, untiled.data);
    const graphs = model.graphs;
    model.graphs = undefined;
    const estimate = await model.wholeImageRunner({ tiles: plan, tensor });
    model.graphs = graphs;
    const e = psnr((await tiledUpscale(input, estimate!, opt)).data, untiled.data);
    console.log(
      `6-block GroupNorm, ${plan.length} tiles: sweep ${p.toFixed(1)} dB, estimate ${e.toFixed(1)} dB, tile-local ${local.toFixed(1)} dB`,
    );
    expect(p).toBeGreaterThanOrEqual(45);
    expect(local).toBeLessThan(45);
    expect(e).toBeLessThan(p);
  }, 60_000);

  it('gives the statistics the untiled graph measures over the whole image', async () => {
    const all = { x: 0, y: 0, w: input.width, h: input.height };
    // The full graph over one whole-image tile, normalising with its own statistics.
    const session = await model.graphs!.open(buildGraph(SPEC, await model.graphs!.weights(), {}));
    try {
      const want = await gatherGroupStats(
        SPEC,
        { tiles: [{ core: all, region: all }], tensor, run: session.run },
        1,
      );
      const got = await sweepGroupStats(
        SPEC,
        { tiles: tiles(), tensor, run: session.run },
        { weights: await model.graphs!.weights(), open: model.graphs!.open, scratch },
      );
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++)
        expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-3 * Math.max(1, Math.abs(want[i])));
      expect(await readdir(scratch)).toEqual([]);
    } finally {
      await session.dispose();
    }
  }, 60_000);

  it('a cancel mid-sweep stops with `cancelled` and deletes the maps', async () => {
    const ac = new AbortController();
    const plan = tiles();
    const job = model.wholeImageRunner({
      tiles: plan,
      tensor,
      graphs: { ...model.graphs!, scratch },
      signal: ac.signal,
      // In the third stage: two maps on disk.
      onTile: (n) => {
        if (n === 2 * plan.length + 3) ac.abort();
      },
    });
    await expect(job).rejects.toSatisfy((e) => e instanceof UpresError && e.code === 'cancelled');
    expect(await readdir(scratch)).toEqual([]);
  }, 60_000);
});

describe('a pair of deep GroupNorm RealPLKSR models, dialled', () => {
  it('sweeps with the weights blended at the job’s α: tiled equals the untiled blend', async () => {
    const fidelity = randomWeights(SPEC, 11);
    const perceptual = randomWeights(SPEC, 12);
    const r = rng(13);
    for (const w of [fidelity, perceptual])
      for (const [name, t] of w)
        if (name.endsWith('.norm.weight')) for (let i = 0; i < t.length; i++) t[i] = 1 + 0.2 * r();
    const pair = await loadPairWeights(
      'deep-gn-pair',
      { id: 'deep-f', spec: SPEC, weights: fidelity },
      { id: 'deep-p', spec: SPEC, weights: perceptual },
      0.5,
      { device: 'cpu' },
    );
    try {
      const alpha = 0.3;
      // Oracle: the pair's own blend graph on the whole crop at once.
      const whole = await tiledUpscale(input, (t) => pair.run(t, alpha), {
        scale: 2,
        tile: 256,
        overlap: 0,
      });
      const plan = tiles();
      expect(pair.wholeImagePasses(plan.length)).toBe(SPEC.blocks);
      expect(pair.wholeImageNote(plan.length)).toBeUndefined();
      const runner = await pair.wholeImageRunner({ tiles: plan, tensor, scratch }, alpha);
      const opt = { scale: 2, tile: TILE, overlap: OVERLAP, plan, feather: pair.defaultFeather };
      const p = psnr((await tiledUpscale(input, runner!, opt)).data, whole.data);
      const local = psnr(
        (await tiledUpscale(input, (t) => pair.run(t, alpha), opt)).data,
        whole.data,
      );
      console.log(
        `6-block GroupNorm pair at α ${alpha}: sweep ${p.toFixed(1)} dB, tile-local ${local.toFixed(1)} dB`,
      );
      expect(p).toBeGreaterThanOrEqual(45);
      expect(local).toBeLessThan(45);
      expect(await readdir(scratch)).toEqual([]);
    } finally {
      await pair.dispose();
    }
  }, 90_000);
});

describe('a GroupNorm RealPLKSR inside a chain', () => {
  it('keeps tile-local statistics, and the photo’s notes say so when it is tiled', async () => {
    const plain = await loadWeights('tiny-srvgg', TINY_SRVGG, randomWeights(TINY_SRVGG, 4), {
      device: 'cpu',
    });
    try {
      const chain = new ChainedModel('deep-gn,tiny-srvgg', [model, plain]);
      expect(chain.wholeImagePasses()).toBe(0);
      expect(chain.wholeImageNote(1)).toBeUndefined();
      const note = chain.wholeImageNote(12)!;
      expect(note.key).toBe('modelFiles.groupNormInChain');
      expect(note.text).toBe(
        'RealPLKSR GroupNorm in a chain (deep-gn): the photo was too large for one tile, so each tile was normalised over itself; the result can differ from running the models one after another',
      );
      expect(new ChainedModel('tiny-srvgg,tiny-srvgg', [plain, plain]).wholeImageNote(12)).toBe(
        undefined,
      );
    } finally {
      await plain.dispose();
    }
  });
});
