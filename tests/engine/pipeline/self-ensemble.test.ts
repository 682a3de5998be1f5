import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matlabResize } from '../../../src/main/engine/metrics/matlab-resize';
import { lumaY, psnrY } from '../../../src/main/engine/metrics/quality-metrics';
import type { StateDict } from '../../../src/main/engine/models/state-dict';
import { ModelRegistry } from '../../../src/main/engine/models/model-registry';
import { OnnxGraphBuilder } from '../../../src/main/engine/models/onnx-graph-builder';
import type { Raster } from '../../../src/main/engine/pipeline/raster';
import {
  DIHEDRAL,
  applyDihedral,
  invertDihedral,
  selfEnsemble,
} from '../../../src/main/engine/pipeline/self-ensemble';
import { tiledUpscale } from '../../../src/main/engine/pipeline/tiled-upscale';
import { InferenceSession, type Tensor4 } from '../../../src/main/engine/runtime/inference-session';
import { loadModel, type LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { DATASETS, readRgb } from '../../helpers/images';
import { TINY_SRVGG, randomImage, writeTinyModel, rng } from '../../helpers/random-models';
import { runCli } from '../../helpers/run-cli';

// --- A naive reference: every transform written pixel by pixel from its definition. ---

type Planes = { c: number; h: number; w: number; at: (k: number, y: number, x: number) => number };

const planes = (t: Tensor4): Planes => {
  const [, c, h, w] = t.dims;
  return { c, h, w, at: (k, y, x) => t.data[(k * h + y) * w + x] };
};

/** Counter-clockwise quarter turn (numpy's rot90): out[i][j] = in[j][W−1−i], size W×H. */
const rot90 = (p: Planes): Planes => ({
  c: p.c,
  h: p.w,
  w: p.h,
  at: (k, i, j) => p.at(k, j, p.w - 1 - i),
});
/** Left–right mirror: out[i][j] = in[i][W−1−j]. */
const flipH = (p: Planes): Planes => ({ ...p, at: (k, i, j) => p.at(k, i, p.w - 1 - j) });

const turns = (p: Planes, n: number): Planes => (n === 0 ? p : turns(rot90(p), n - 1));

const REFERENCE: Record<string, (p: Planes) => Planes> = {
  identity: (p) => p,
  rot90: (p) => turns(p, 1),
  rot180: (p) => turns(p, 2),
  rot270: (p) => turns(p, 3),
  flip: (p) => flipH(p),
  'flip-rot90': (p) => flipH(turns(p, 1)),
  'flip-rot180': (p) => flipH(turns(p, 2)),
  'flip-rot270': (p) => flipH(turns(p, 3)),
};

const toTensor = (p: Planes): Tensor4 => {
  const data = new Float32Array(p.c * p.h * p.w);
  for (let k = 0; k < p.c; k++)
    for (let y = 0; y < p.h; y++)
      for (let x = 0; x < p.w; x++) data[(k * p.h + y) * p.w + x] = p.at(k, y, x);
  return { data, dims: [1, p.c, p.h, p.w] };
};

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

const randomTensor = (c: number, h: number, w: number, seed: number): Tensor4 => ({
  data: randomImage(c, h, w, seed),
  dims: [1, c, h, w],
});

describe('dihedral transforms', () => {
  const x = randomTensor(3, 5, 7, 11);

  it('are the 8 distinct symmetries, each matching the naive per-pixel reference', () => {
    expect(DIHEDRAL.map((d) => d.name).sort()).toEqual(Object.keys(REFERENCE).sort());
    const seen = new Set<string>();
    for (const d of DIHEDRAL) {
      const got = applyDihedral(x, d);
      const ref = toTensor(REFERENCE[d.name](planes(x)));
      expect(got.dims, d.name).toEqual(ref.dims);
      expect(got.data, d.name).toEqual(ref.data);
      seen.add(Array.from(got.data.subarray(0, 35)).join());
    }
    expect(seen.size).toBe(8);
  });

  it('rot90 follows the index formula out[c][i][j] = in[c][j][W−1−i]', () => {
    const [, c, h, w] = x.dims;
    const r = applyDihedral(
      x,
      DIHEDRAL.find((d) => d.name === 'rot90')!,
    );
    expect(r.dims).toEqual([1, c, w, h]);
    for (let k = 0; k < c; k++)
      for (let i = 0; i < w; i++)
        for (let j = 0; j < h; j++)
          expect(r.data[(k * w + i) * h + j]).toBe(x.data[(k * h + j) * w + (w - 1 - i)]);
  });

  it('are undone exactly by their inverses, both ways round', () => {
    for (const d of DIHEDRAL) {
      const back = invertDihedral(applyDihedral(x, d), d);
      expect(back.dims, d.name).toEqual(x.dims);
      expect(back.data, d.name).toEqual(x.data);
      const y = randomTensor(3, d.transpose ? 7 : 5, d.transpose ? 5 : 7, 12);
      expect(applyDihedral(invertDihedral(y, d), d).data, d.name).toEqual(y.data);
    }
  });
});

describe('selfEnsemble', () => {
  it('averages the back-transformed outputs of the 8 transformed inputs (non-square, ×2)', async () => {
    // A deliberately non-equivariant "model": nearest ×2 plus a ramp that depends on position.
    const model = async (t: Tensor4): Promise<Tensor4> => {
      const [n, c, h, w] = t.dims;
      const out = new Float32Array(n * c * 4 * h * w);
      for (let k = 0; k < c; k++)
        for (let y = 0; y < 2 * h; y++)
          for (let x = 0; x < 2 * w; x++)
            out[(k * 2 * h + y) * 2 * w + x] =
              t.data[(k * h + (y >> 1)) * w + (x >> 1)] + 0.01 * x + 0.003 * y * (k + 1);
      return { data: out, dims: [n, c, 2 * h, 2 * w] };
    };
    const x = randomTensor(3, 4, 6, 21);
    const inputCopy = x.data.slice();
    const got = await selfEnsemble(model)(x);
    // Reference: for each transform T, invert T on the model's output of T(x), in float64.
    const ref = new Float64Array(3 * 8 * 12);
    const inverseOf = (name: string, p: Planes): Planes => {
      // rotN is undone by rot(4−N); every flip-rotN is a reflection, hence its own inverse.
      const n = { identity: 0, rot90: 3, rot180: 2, rot270: 1 }[name];
      return n !== undefined ? turns(p, n) : REFERENCE[name](p);
    };
    for (const name of Object.keys(REFERENCE)) {
      const y = await model(toTensor(REFERENCE[name](planes({ data: inputCopy, dims: x.dims }))));
      const back = inverseOf(name, planes(y));
      expect([back.h, back.w]).toEqual([8, 12]);
      for (let k = 0; k < 3; k++)
        for (let i = 0; i < 8; i++)
          for (let j = 0; j < 12; j++) ref[(k * 8 + i) * 12 + j] += back.at(k, i, j) / 8;
    }
    expect(got.dims).toEqual([1, 3, 8, 12]);
    expect(maxAbsDiff(got.data, ref)).toBeLessThan(1e-6);
  });

  describe('on an exactly equivariant model (1×1 conv, leaky ReLU, nearest ×4)', () => {
    let session: InferenceSession;
    beforeAll(async () => {
      const r = rng(5);
      const weights: StateDict = new Map([
        ['mix.weight', Float32Array.from({ length: 9 }, () => r() * 2 - 1)],
        ['mix.bias', Float32Array.from({ length: 3 }, () => r() - 0.5)],
      ]);
      const b = new OnnxGraphBuilder(weights);
      const graph = b.build('equivariant', (x) =>
        b.upsampleNearest(b.leakyRelu(b.conv(x, 'mix', 3, 3, 1)), 4),
      );
      session = await InferenceSession.create(graph, 'cpu');
    });
    afterAll(() => session?.dispose());

    it('gives the plain output (max abs diff ≤ 1e-5)', async () => {
      const run = (t: Tensor4) => session.run(t);
      const x = randomTensor(3, 9, 14, 31);
      const plain = await run({ data: x.data.slice(), dims: x.dims });
      const tta = await selfEnsemble(run)(x);
      expect(tta.dims).toEqual([1, 3, 36, 56]);
      expect(plain.dims).toEqual(tta.dims);
      expect(maxAbsDiff(tta.data, plain.data)).toBeLessThanOrEqual(1e-5);
    });
  });
});

describe('self-ensemble on the shipped fidelity model', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(await ModelRegistry.open(), 'x4plus-fidelity', { device: 'cpu' });
  });
  afterAll(() => model?.dispose());

  it('differs from plain inference and scores a higher Y-PSNR against the HR crop', async () => {
    // Oracle: the HR crop itself; the LR is its MATLAB-bicubic ×¼ reduction (the bench protocol).
    const hr = await readRgb(`${DATASETS}Set5/butterfly.png`, {
      left: 32,
      top: 48,
      width: 192,
      height: 160,
    });
    const lr = matlabResize(hr, 1 / 4);
    expect([lr.width, lr.height]).toEqual([48, 40]);
    const run = (t: Tensor4) => model.run(t);
    const opt = { scale: 4, tile: 64, overlap: 0 };
    const plain = await tiledUpscale(lr, run, opt);
    const tta = await tiledUpscale(lr, selfEnsemble(run), opt);
    expect(Buffer.from(tta.data).equals(Buffer.from(plain.data))).toBe(false);
    const score = (sr: Raster): number => psnrY(lumaY(sr, 4).y, lumaY(hr, 4).y);
    const [pPlain, pTta] = [score(plain), score(tta)];
    console.log(`x4plus-fidelity: plain ${pPlain.toFixed(3)} dB, TTA ${pTta.toFixed(3)} dB`);
    expect(pTta).toBeGreaterThan(pPlain);
  });
});

describe('--tta on the command line', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let input: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upres-tta-'));
    const models = join(dir, 'shipped');
    await writeTinyModel(models, 'tiny', TINY_SRVGG, 4);
    env = { UPRES_MODELS_DIR: models, UPRES_USER_DIR: join(dir, 'user') };
    await mkdir(join(dir, 'in'));
    input = join(dir, 'in', 'bird.png');
    await sharp(`${DATASETS}Set5/bird.png`).resize(48, 44).png().toFile(input);
  });

  it('upscale --tta writes an output that differs from the plain one (a random model is not symmetric)', async () => {
    const outs: Buffer[] = [];
    for (const extra of [[], ['--tta']]) {
      const res = await runCli(
        [
          'upscale',
          input,
          '-o',
          join(dir, `out${extra.join('')}`),
          '-m',
          'tiny',
          '--json',
          ...extra,
        ],
        env,
      );
      expect(res.code, res.stderr).toBe(0);
      const item = JSON.parse(res.stdout).items[0] as { status: string; output: string };
      expect(item.status).toBe('done');
      const { data, info } = await sharp(item.output).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([192, 176]);
      outs.push(data);
      if (extra.length) expect(res.stderr).toMatch(/with TTA/);
    }
    expect(outs[0].equals(outs[1])).toBe(false);
  });

  it('bench quality --tta records TTA and the time in its report, and refuses it for bicubic', async () => {
    const res = await runCli(
      ['bench', 'quality', '--dataset', join(dir, 'in'), '-m', 'tiny', '--tta', '--json'],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as {
      tta: boolean;
      seconds: number;
      images: { image: string; seconds: number }[];
    };
    expect(report.tta).toBe(true);
    expect(report.seconds).toBeGreaterThan(0);
    expect(report.images.map((i) => i.image)).toEqual(['bird.png']);
    expect(res.stderr).toMatch(/with TTA .* in \d+\.\d s/);
    const bicubic = await runCli(
      ['bench', 'quality', '--dataset', join(dir, 'in'), '-m', 'bicubic', '--tta'],
      env,
    );
    expect(bicubic.code).toBe(2);
    expect(bicubic.stderr).toMatch(/--tta needs a model/);
  });
});
