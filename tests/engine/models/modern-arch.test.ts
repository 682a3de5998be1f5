// SPAN, RealPLKSR and RCAN, read from checkpoints PyTorch itself wrote in the upstream layouts
// (tools/fixtures/make_modern_fixtures.py), must reproduce PyTorch's forward pass in onnxruntime,
// tile without visible change at their default context, pair for the dial, and be refused by name
// when something is missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { architectureTensors } from '../../../src/main/engine/models/architecture-tensors';
import { dysampleInitPos } from '../../../src/main/engine/models/architectures/realplksr/tensors';
import { readModelFile } from '../../../src/main/engine/models/read-model-file';
import { detectArchitecture } from '../../../src/main/engine/models/detect/detect-architecture';
import type { SourceTensors } from '../../../src/main/engine/models/detect/tensor-source';
import { decodeSafetensors } from '../../../src/main/engine/models/safetensors';
import { psnr } from '../../../src/main/engine/metrics/psnr';
import { planTiles } from '../../../src/main/engine/pipeline/tile-plan';
import { tiledUpscale } from '../../../src/main/engine/pipeline/tiled-upscale';
import {
  loadPairWeights,
  loadWeights,
  type LoadedModel,
} from '../../../src/main/engine/runtime/loaded-model';
import { DATASETS, readRgb } from '../../helpers/images';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'arch-modern');

interface Case {
  name: string;
  file: string;
  layout: string;
  inputShape: number[];
  outputShape: number[];
  expect: Record<string, unknown>;
}

const cases = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as Case[];

function floats(file: string): Float32Array {
  const b = readFileSync(join(DIR, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

const loaded: LoadedModel[] = [];
afterAll(() => Promise.all(loaded.map((m) => m.dispose())));

async function load(c: Case): Promise<LoadedModel> {
  const m = await readModelFile(join(DIR, c.file));
  const model = await loadWeights(c.name, m.spec, m.weights, { device: 'cpu' });
  loaded.push(model);
  return model;
}

describe('SPAN, RealPLKSR, RCAN and SwinIR match PyTorch', () => {
  it('has a fixture for every new architecture and several layouts each', () => {
    const kinds = new Set(cases.map((c) => c.expect.kind));
    expect([...kinds].sort()).toEqual(['rcan', 'realplksr', 'span', 'swinir']);
    expect(cases.length).toBeGreaterThanOrEqual(16);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.layout.split(':')[0].split(' (')[0]}`, async () => {
      const m = await readModelFile(join(DIR, c.file));
      for (const [k, v] of Object.entries(c.expect)) expect(m.spec, k).toHaveProperty(k, v);
      const model = await loadWeights(c.name, m.spec, m.weights, { device: 'cpu' });
      loaded.push(model);
      const out = await model.run({ data: floats(`${c.name}.input.bin`), dims: c.inputShape });
      expect(out.dims).toEqual(c.outputShape);
      expect(maxDiff(out.data, floats(`${c.name}.expected.bin`))).toBeLessThan(1e-4);
    });
  }
});

describe('tiling the new architectures', () => {
  // One case per architecture (and DySample): small tile cores with the default context on a photo
  // crop larger than any region, against the model run on the whole crop at once. The contexts
  // were measured (README: tiling facts); DySample and RCAN are not exactly local.
  const CASES = [
    { name: 'span-x4', crop: 136, tile: 24 },
    { name: 'realplksr-ln-x4', crop: 136, tile: 24 },
    { name: 'realplksr-dysample-x4', crop: 200, tile: 64 },
    { name: 'rcan-x2', crop: 136, tile: 24 },
    { name: 'swinir-classical-x2', crop: 136, tile: 24 },
  ];
  for (const { name, crop, tile } of CASES) {
    it(`${name}: tiled output is within 45 dB of untiled at the default context`, async () => {
      const model = await load(cases.find((c) => c.name === name)!);
      const area = { left: 40, top: 40, width: crop, height: crop };
      const input = await readRgb(`${DATASETS}Set14/baboon.png`, area);
      const run = (t: Parameters<LoadedModel['run']>[0]) => model.run(t);
      const scale = model.scale;
      const overlap = model.defaultOverlap;
      expect(tile + 2 * overlap, 'a region smaller than the crop').toBeLessThan(crop);
      const untiled = await tiledUpscale(input, run, { scale, tile: crop, overlap: 0 });
      const opt = { scale, tile, overlap, feather: model.defaultFeather };
      const tiled = await tiledUpscale(input, run, { ...opt, align: model.tileAlign });
      const p = psnr(tiled.data, untiled.data);
      console.log(
        `${name}: context ${overlap} px, ${tile} px tiles: ${p.toFixed(1)} dB vs untiled`,
      );
      expect(p).toBeGreaterThanOrEqual(45);
      if (model.tileAlign > 1) {
        // Negative control: regions off the window grid see other windows, so they differ more.
        const loose = psnr((await tiledUpscale(input, run, opt)).data, untiled.data);
        console.log(`${name}: the same tiles off the window grid: ${loose.toFixed(1)} dB`);
        expect(loose).toBeLessThan(p);
      }
    }, 60_000);
  }
});

describe('tile plans on the window grid', () => {
  it('puts every region of an aligned plan on multiples of the window, cores still tiling the image', () => {
    const tiles = planTiles(203, 150, 50, 30, { align: 8 });
    let area = 0;
    for (const t of tiles) {
      expect(t.region.x % 8, `tile ${t.index}`).toBe(0);
      expect(t.region.y % 8, `tile ${t.index}`).toBe(0);
      expect(t.core.x - t.region.x).toBeGreaterThanOrEqual(Math.min(30, t.core.x));
      area += t.core.w * t.core.h;
    }
    expect(area).toBe(203 * 150);
    expect(planTiles(203, 150, 50, 30).some((t) => t.region.x % 8 !== 0)).toBe(true);
  });
});

describe('pairs of SPAN models', () => {
  it('a pair at α 0.5 equals PyTorch on the blended state dict and a model built from blended weights', async () => {
    const a = await readModelFile(join(DIR, 'span-x4.pth'));
    const b = await readModelFile(join(DIR, 'span-x4-safetensors.safetensors'));
    const pair = await loadPairWeights(
      'span-pair',
      { id: 'a', spec: a.spec, weights: a.weights },
      { id: 'b', spec: b.spec, weights: b.weights },
      0.5,
      { device: 'cpu' },
    );
    loaded.push(pair);
    const blended = new Map(
      [...a.weights].map(([k, v]) => [k, v.map((x, i) => 0.5 * x + 0.5 * b.weights.get(k)![i])]),
    );
    const single = await loadWeights('blend', a.spec, blended, { device: 'cpu' });
    loaded.push(single);
    const input = { data: floats('span-x4.input.bin'), dims: [1, 3, 7, 5] };
    const dialled = (await pair.run({ ...input, data: input.data.slice() }, 0.5)).data;
    expect(maxDiff(dialled, (await single.run(input)).data)).toBeLessThan(1e-4);
    expect(maxDiff(dialled, floats('span-x4-blend05.expected.bin'))).toBeLessThan(1e-4);
    // The ends differ, so α really changes the output.
    const end = (await pair.run({ ...input, data: input.data.slice() }, 1)).data;
    expect(maxDiff(end, dialled)).toBeGreaterThan(1e-3);
  });
});

describe('refusals name the file and the tensor', () => {
  function tensorsOf(file: string): SourceTensors {
    return decodeSafetensors(readFileSync(join(DIR, file)), file).tensors;
  }

  it('a RealPLKSR with a missing tensor', async () => {
    const full = tensorsOfPth(await readModelFile(join(DIR, 'realplksr-ln-x4.pth')));
    expect(() => detectArchitecture(new Map(full), 'whole-plksr.pth')).not.toThrow();
    full.delete('feats.2.refine.bias');
    expect(() => detectArchitecture(full, 'broken-plksr.pth')).toThrow(
      /broken-plksr\.pth: missing tensor feats\.2\.refine\.bias/,
    );
  });

  it('a RealPLKSR DySample without its init_pos buffer', async () => {
    const m = await readModelFile(join(DIR, 'realplksr-dysample-x4.pth'));
    const full = tensorsOfPth(m);
    const pos = full.get('to_img.init_pos')!;
    full.set('to_img.init_pos', { shape: pos.shape, values: new Float32Array(pos.values.length) });
    expect(() => detectArchitecture(full, 'odd-dysample.pth')).toThrow(
      /odd-dysample\.pth: RealPLKSR DySample to_img\.init_pos is not DySample's grid/,
    );
  });

  it('the original PLKSR layout (channe_mixer) is recognised and refused', () => {
    const t = (shape: number[]) => ({
      shape,
      values: new Float32Array(shape.reduce((a, b) => a * b, 1)),
    });
    const dict: SourceTensors = new Map([
      ['feats.0.weight', t([8, 3, 3, 3])],
      ['feats.1.channe_mixer.0.weight', t([16, 8, 3, 3])],
    ]);
    expect(() => detectArchitecture(dict, 'plksr.pth')).toThrow(
      /plksr\.pth: PLKSR .*feats\.1\.channe_mixer\.0\.weight.* not supported/,
    );
  });

  it('a SwinIR with an unknown upsampler', () => {
    const t = tensorsOf('swinir-classical-x2-safetensors.safetensors');
    for (const k of [...t.keys()]) if (k.startsWith('upsample.')) t.delete(k);
    t.set('upsample.conv.weight', { shape: [32, 8, 3, 3], values: new Float32Array(32 * 72) });
    expect(() => detectArchitecture(t, 'swin-odd.safetensors')).toThrow(
      /swin-odd\.safetensors: SwinIR with an upsampler Upres does not know \(tensors .*upsample\.conv\.weight/,
    );
  });

  it('reads the int64 relative_position_index of a safetensors SwinIR and refuses a wrong one', () => {
    const t = tensorsOf('swinir-classical-x2-safetensors.safetensors');
    const key = 'layers.0.residual_group.blocks.1.attn.relative_position_index';
    const index = t.get(key)!;
    expect(index.shape).toEqual([16, 16]);
    expect(index.values[0]).toBe(24); // Δ = (0, 0) sits at (ws − 1)·(2ws − 1) + ws − 1
    expect(() => detectArchitecture(new Map(t), 'swin.safetensors')).not.toThrow();
    const wrong = index.values.slice();
    wrong[1] = 0;
    t.set(key, { shape: index.shape, values: wrong });
    expect(() => detectArchitecture(t, 'swin.safetensors')).toThrow(
      /swin\.safetensors: SwinIR buffer layers\.0\.residual_group\.blocks\.1\.attn\.relative_position_index is not/,
    );
  });

  it('a SPAN safetensors file with an extra layer', () => {
    const t = tensorsOf('span-x4-safetensors.safetensors');
    t.set('block_7.c1_r.sk.weight', { shape: [4, 4, 1, 1], values: new Float32Array(16) });
    expect(() => detectArchitecture(t, 'span7.safetensors')).toThrow(
      /span7\.safetensors: looks like SPAN .* does not use: block_7\.c1_r\.sk\.weight/,
    );
  });
});

/** The canonical weights of a detected RealPLKSR with their real shapes (names are upstream's). */
function tensorsOfPth(m: Awaited<ReturnType<typeof readModelFile>>): SourceTensors {
  // RealPLKSR keeps upstream names as canonical names, so its tensor list restores the file.
  const spec = m.spec;
  if (spec.kind !== 'realplksr') throw new Error('not RealPLKSR');
  const out: SourceTensors = new Map();
  for (const t of architectureTensors(spec))
    out.set(t.name, { shape: t.shape, values: m.weights.get(t.name)! });
  if (spec.upsampler === 'dysample') {
    const pos = dysampleInitPos(spec.scale, spec.dysampleGroups ?? 4);
    out.set('to_img.init_pos', { shape: [1, pos.length, 1, 1], values: pos });
  }
  return out;
}
