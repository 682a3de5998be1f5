import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/main/engine/models/model-registry';
import { psnr } from '../../src/main/engine/metrics/psnr';
import { borderDifference, seamSteps } from '../../src/main/engine/metrics/seams';
import type { Raster } from '../../src/main/engine/pipeline/raster';
import { tiledUpscale } from '../../src/main/engine/pipeline/tiled-upscale';
import { loadModel, type LoadedModel } from '../../src/main/engine/runtime/loaded-model';
import { DATASETS, readRgb } from '../helpers/images';

const TILE = 32;

/** Oracle: the same model run on the whole image in one piece. */
function compare(tiled: Raster, untiled: Raster) {
  const step = seamSteps(tiled, untiled, TILE * 4);
  const diff = borderDifference(tiled, untiled, TILE * 4);
  const p = psnr(tiled.data, untiled.data);
  // Invisible: at tile edges neither the error nor its jump between neighbours reaches one grey level
  // on average, nor twice what it is elsewhere. (Edges do carry somewhat more error than the middle of
  // a tile, the pixels with the least context; with 48 px of context it stays well below a level.)
  const seamFree =
    step.border <= 1 &&
    step.border <= 2 * step.elsewhere &&
    diff.border <= 1 &&
    diff.border <= 2 * diff.elsewhere;
  const line = `${p.toFixed(2)} dB; step at edges ${step.border.toFixed(3)} vs ${step.elsewhere.toFixed(3)}; |diff| at edges ${diff.border.toFixed(3)} vs ${diff.elsewhere.toFixed(3)}`;
  return { p, seamFree, line };
}

// The real shipped RRDBNet: its wide receptive field is what makes seams appear; a tiny model's is not.
// 128 px is the smallest image in which 32 px tiles with 48 px of context do not see the whole image.
describe('tiled inference with the real x4plus model', () => {
  let model: LoadedModel;
  let input: Raster;
  let untiled: Raster;
  beforeAll(async () => {
    model = await loadModel(await ModelRegistry.open(), 'realesrgan-x4plus', { device: 'cpu' });
    input = await readRgb(`${DATASETS}Set14/baboon.png`, {
      left: 0,
      top: 0,
      width: 128,
      height: 128,
    });
    untiled = await tiledUpscale(input, (t) => model.run(t), { scale: 4, tile: 128, overlap: 0 });
  }, 600_000);
  afterAll(() => model?.dispose());

  it('matches untiled output with the default overlap and shows no seams', async () => {
    const tiled = await tiledUpscale(input, (t) => model.run(t), {
      scale: 4,
      tile: TILE,
      overlap: model.defaultOverlap,
      feather: model.defaultFeather,
    });
    const r = compare(tiled, untiled);
    console.log(`overlap ${model.defaultOverlap}, feather ${model.defaultFeather}: ${r.line}`);
    expect(r.p).toBeGreaterThanOrEqual(45);
    expect(r.seamFree).toBe(true);
    // The real x4plus on a 128² crop: ~1 min on an idle 2-core CPU, several on a shared one.
  }, 600_000);

  it('the checks do catch seams when tiles get too little context (negative control)', async () => {
    const tiled = await tiledUpscale(input, (t) => model.run(t), {
      scale: 4,
      tile: TILE,
      overlap: 4,
      feather: 0,
    });
    const r = compare(tiled, untiled);
    console.log(`overlap 4, no feather: ${r.line}`);
    expect(r.p).toBeLessThan(45);
    expect(r.seamFree).toBe(false);
  }, 600_000);
});
