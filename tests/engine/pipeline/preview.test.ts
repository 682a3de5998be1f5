import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blendPixels,
  renderViewport,
  renderViewportEnds,
} from '../../../src/main/engine/pipeline/preview';
import type { Raster } from '../../../src/main/engine/pipeline/raster';
import { tiledUpscale } from '../../../src/main/engine/pipeline/tiled-upscale';
import type { LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { TINY_SRVGG, loadTinyPair, rng } from '../../helpers/random-models';

let pair: LoadedModel;
const r = rng(3);
const src: Raster = {
  width: 40,
  height: 30,
  channels: 3,
  data: Uint8Array.from({ length: 40 * 30 * 3 }, () => Math.floor(r() * 256)),
};
const view = { x: 37, y: 22, w: 50, h: 41 };

function crop(img: Raster, v: typeof view): Uint8Array {
  const out = new Uint8Array(v.w * v.h * 3);
  for (let j = 0; j < v.h; j++)
    out.set(
      img.data.subarray(((v.y + j) * img.width + v.x) * 3, ((v.y + j) * img.width + v.x + v.w) * 3),
      j * v.w * 3,
    );
  return out;
}

beforeAll(async () => {
  ({ pair } = await loadTinyPair(TINY_SRVGG, 4, 5));
});
afterAll(() => pair?.dispose());

describe('viewport previews', () => {
  it('renders a viewport exactly as the same region of the whole-image export at that α', async () => {
    for (const alpha of [0.3, 0.9]) {
      const whole = await tiledUpscale(src, (t) => pair.run(t, alpha), {
        scale: 4,
        tile: 64,
        overlap: 0,
      });
      const v = await renderViewport(pair, src, view, alpha);
      expect([v.width, v.height]).toEqual([50, 41]);
      expect(Buffer.from(v.data).equals(Buffer.from(crop(whole, view)))).toBe(true);
    }
  });

  it('returns both ends for instant blending, and the pixel blend lies between them', async () => {
    const { fidelity, perceptual } = await renderViewportEnds(pair, src, view);
    expect(
      Buffer.from(fidelity.data).equals(
        Buffer.from((await renderViewport(pair, src, view, 0)).data),
      ),
    ).toBe(true);
    expect(
      Buffer.from(perceptual.data).equals(
        Buffer.from((await renderViewport(pair, src, view, 1)).data),
      ),
    ).toBe(true);
    const mid = blendPixels(fidelity, perceptual, 0.25);
    for (let i = 0; i < mid.data.length; i++) {
      expect(
        Math.abs(mid.data[i] - (0.75 * fidelity.data[i] + 0.25 * perceptual.data[i])),
      ).toBeLessThanOrEqual(0.5);
    }
  });

  it('refuses a viewport outside the output', async () => {
    await expect(renderViewport(pair, src, { x: 150, y: 0, w: 20, h: 20 }, 0.5)).rejects.toThrow(
      /outside the 160×120 output/,
    );
  });
});
