import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/main/engine/models/model-registry';
import { psnr } from '../../src/main/engine/metrics/psnr';
import { tiledUpscale } from '../../src/main/engine/pipeline/tiled-upscale';
import type { Raster } from '../../src/main/engine/pipeline/raster';
import { seamSteps } from '../../src/main/engine/metrics/seams';
import { loadModel, type LoadedModel } from '../../src/main/engine/upscaler';
import { DATASETS, readRgb } from '../helpers/images';

const TILE = 32;

// The real shipped RRDBNet: its receptive field is what makes seams appear, a tiny model's is not.
describe('tiled inference with the real x4plus model', () => {
  let model: LoadedModel;
  let input: Raster;
  let untiled: Raster;
  beforeAll(async () => {
    model = await loadModel(await ModelRegistry.open(), 'realesrgan-x4plus', { device: 'cpu' });
    input = await readRgb(`${DATASETS}Set14/baboon.png`, {
      left: 200,
      top: 150,
      width: 96,
      height: 96,
    });
    untiled = await tiledUpscale(input, (t) => model.run(t), { scale: 4, tile: 96, overlap: 0 });
  });
  afterAll(() => model?.dispose());

  it('matches untiled output with the default overlap and shows no seams', async () => {
    const tiled = await tiledUpscale(input, (t) => model.run(t), {
      scale: 4,
      tile: TILE,
      overlap: model.defaultOverlap,
    });
    const p = psnr(tiled.data, untiled.data);
    const s = seamSteps(tiled, untiled, TILE * 4);
    console.log(
      `overlap ${model.defaultOverlap}: ${p.toFixed(2)} dB, border step ${s.border.toFixed(4)}, elsewhere ${s.elsewhere.toFixed(4)}`,
    );
    expect(p).toBeGreaterThanOrEqual(45);
    expect(s.border).toBeLessThanOrEqual(Math.max(s.elsewhere * 1.5, 0.05));
  });

  it('the checks do catch seams when tiles get too little context (negative control)', async () => {
    const tiled = await tiledUpscale(input, (t) => model.run(t), {
      scale: 4,
      tile: TILE,
      overlap: 4,
      feather: 0,
    });
    const s = seamSteps(tiled, untiled, TILE * 4);
    console.log(
      `overlap 4: border step ${s.border.toFixed(4)}, elsewhere ${s.elsewhere.toFixed(4)}`,
    );
    expect(psnr(tiled.data, untiled.data)).toBeLessThan(45);
    expect(s.border).toBeGreaterThan(Math.max(s.elsewhere * 1.5, 0.05));
  });
});
