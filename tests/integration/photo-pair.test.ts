import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/main/engine/models/model-registry';
import { rasterRegionToTensor } from '../../src/main/engine/pipeline/raster';
import { loadModel, type LoadedModel } from '../../src/main/engine/runtime/loaded-model';
import { DATASETS, readRgb } from '../helpers/images';

// The shipped pair: at α = 1 it must be x4plus itself, at α = 0 its fidelity partner.
describe('photo-x4 pair', () => {
  let pair: LoadedModel;
  let gan: LoadedModel;
  let fidelity: LoadedModel;
  beforeAll(async () => {
    const registry = await ModelRegistry.open();
    [pair, gan, fidelity] = await Promise.all(
      ['photo-x4', 'realesrgan-x4plus', 'x4plus-fidelity'].map((id) =>
        loadModel(registry, id, { device: 'cpu' }),
      ),
    );
  });
  afterAll(() => Promise.all([pair, gan, fidelity].map((m) => m?.dispose())));

  it('reproduces each of its models at the ends of the dial', async () => {
    const img = await readRgb(`${DATASETS}Set5/bird.png`, {
      left: 100,
      top: 100,
      width: 20,
      height: 20,
    });
    const input = () => rasterRegionToTensor(img, 0, 0, 20, 20);
    const maxDiff = (a: Float32Array, b: Float32Array) =>
      a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    const atOne = (await pair.run(input(), 1)).data;
    const atZero = (await pair.run(input(), 0)).data;
    expect(maxDiff(atOne, (await gan.run(input())).data)).toBeLessThanOrEqual(1 / 255);
    expect(maxDiff(atZero, (await fidelity.run(input())).data)).toBeLessThanOrEqual(1 / 255);
    expect(maxDiff(atZero, atOne)).toBeGreaterThan(0.05);
  });
});
