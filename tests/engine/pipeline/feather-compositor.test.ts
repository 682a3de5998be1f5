import { describe, expect, it } from 'vitest';
import { tiledUpscale } from '../../../src/main/engine/pipeline/tiled-upscale';
import type { Raster } from '../../../src/main/engine/pipeline/raster';
import type { Tensor4 } from '../../../src/main/engine/runtime/inference-session';
import { rng } from '../../helpers/random-models';

// A position-independent "model" (nearest ×s) gives identical values in every tile, so any
// blending of overlapping tiles must reproduce untiled output exactly; a model that adds a
// tile-specific offset shows whether the cross-fade is linear and complete.
const nearest =
  (s: number, offset: () => number = () => 0) =>
  async (t: Tensor4): Promise<Tensor4> => {
    const [, c, h, w] = t.dims;
    const d = new Float32Array(c * h * w * s * s);
    const off = offset();
    for (let k = 0; k < c; k++)
      for (let y = 0; y < h * s; y++)
        for (let x = 0; x < w * s; x++)
          d[(k * h * s + y) * w * s + x] =
            t.data[(k * h + Math.floor(y / s)) * w + Math.floor(x / s)] + off;
    return { data: d, dims: [1, c, h * s, w * s] };
  };

function image(w: number, h: number, seed: number): Raster {
  const r = rng(seed);
  return {
    width: w,
    height: h,
    channels: 3,
    data: Uint8Array.from({ length: w * h * 3 }, () => 40 + Math.floor(r() * 170)),
  };
}

describe('tile cross-fading', () => {
  it.each([
    [37, 29, 8, 6, 3],
    [64, 64, 16, 8, 8],
    [50, 9, 12, 4, 2],
    [20, 20, 32, 8, 4],
  ])(
    'reproduces untiled output exactly for %i×%i, tile %i, overlap %i, feather %i',
    async (w, h, tile, overlap, feather) => {
      const src = image(w, h, w * h);
      const untiled = await tiledUpscale(src, nearest(2), { scale: 2, tile: 1000, overlap: 0 });
      const tiled = await tiledUpscale(src, nearest(2), { scale: 2, tile, overlap, feather });
      expect(Buffer.from(tiled.data).equals(Buffer.from(untiled.data))).toBe(true);
    },
  );

  it('blends tile-specific offsets linearly: every output is a convex mix and the fade is gradual', async () => {
    const src: Raster = {
      width: 48,
      height: 24,
      channels: 3,
      data: new Uint8Array(48 * 24 * 3).fill(100),
    };
    const offsets = [0, 40 / 255, 80 / 255, 120 / 255];
    let n = 0;
    const out = await tiledUpscale(
      src,
      nearest(1, () => offsets[n++ % 4]),
      { scale: 1, tile: 24, overlap: 8, feather: 6 },
    );
    // Tiles: (0,0)=+0 (1,0)=+40 in one row of two columns (24 px tall image, tile 24).
    const row = Array.from({ length: 48 }, (_, x) => out.data[(12 * 48 + x) * 3]);
    expect(row.slice(0, 18).every((v) => v === 100)).toBe(true);
    expect(row.slice(30).every((v) => v === 140)).toBe(true);
    const ramp = row.slice(18, 30);
    for (let i = 1; i < ramp.length; i++) expect(ramp[i]).toBeGreaterThanOrEqual(ramp[i - 1]);
    expect(Math.max(...ramp.slice(1).map((v, i) => v - ramp[i]))).toBeLessThanOrEqual(4); // 40 over 12 px
  });
});
