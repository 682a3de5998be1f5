// The box-averaged overview of a raster (RealPLKSR's first GroupNorm estimate runs it), against
// block means computed by hand.
import { describe, expect, it } from 'vitest';
import { rasterOverviewTensor, type Raster } from '../../../src/main/engine/pipeline/raster';

describe('rasterOverviewTensor', () => {
  it('averages whole f×f blocks per channel into a planar 0–1 tensor, f the smallest that fits', () => {
    const width = 5;
    const height = 4;
    const data = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
    const r: Raster = { width, height, channels: 3, data };
    // 20 px into at most 6: f = 2 (⌈√(20/6)⌉), 2×2 output; the fifth column is left out.
    const t = rasterOverviewTensor(r, 6);
    expect(t.dims).toEqual([1, 3, 2, 2]);
    for (let k = 0; k < 3; k++)
      for (let y = 0; y < 2; y++)
        for (let x = 0; x < 2; x++) {
          let sum = 0;
          for (const [dy, dx] of [
            [0, 0],
            [0, 1],
            [1, 0],
            [1, 1],
          ])
            sum += data[((2 * y + dy) * width + 2 * x + dx) * 3 + k];
          expect(t.data[k * 4 + y * 2 + x]).toBeCloseTo(sum / 4 / 255, 6);
        }
  });

  it('keeps the raster as it is when it already fits, 16-bit scaled by 65535', () => {
    const data = Uint16Array.of(0, 65535, 32768, 65535, 0, 0);
    const t = rasterOverviewTensor({ width: 2, height: 1, channels: 3, data }, 10);
    expect(t.dims).toEqual([1, 3, 1, 2]);
    expect([...t.data].map((v) => +v.toFixed(4))).toEqual([0, 1, 1, 0, 0.5, 0]);
  });
});
