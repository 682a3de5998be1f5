import { describe, expect, it } from 'vitest';
import { autoTileSize, planTiles } from '../../../src/main/engine/pipeline/tile-plan';

describe('tile plan', () => {
  it.each([
    [100, 60, 32, 8],
    [257, 1, 64, 16],
    [32, 32, 32, 32],
    [1000, 700, 333, 0],
  ])(
    'cores of %i×%i (tile %i, overlap %i) cover every pixel exactly once',
    (w, h, tile, overlap) => {
      const hits = new Uint8Array(w * h);
      for (const t of planTiles(w, h, tile, overlap)) {
        expect(t.core.w).toBeLessThanOrEqual(tile);
        expect(t.core.h).toBeLessThanOrEqual(tile);
        // The region holds the core plus the overlap wherever the image allows.
        expect(t.region.x).toBe(Math.max(0, t.core.x - overlap));
        expect(t.region.y).toBe(Math.max(0, t.core.y - overlap));
        expect(t.region.x + t.region.w).toBe(Math.min(w, t.core.x + t.core.w + overlap));
        expect(t.region.y + t.region.h).toBe(Math.min(h, t.core.y + t.core.h + overlap));
        for (let y = t.core.y; y < t.core.y + t.core.h; y++)
          for (let x = t.core.x; x < t.core.x + t.core.w; x++) hits[y * w + x]++;
      }
      expect(hits.every((v) => v === 1)).toBe(true);
    },
  );

  it('spreads the image evenly instead of leaving a sliver tile', () => {
    const widths = planTiles(520, 10, 256, 0).map((t) => t.core.w);
    expect(widths).toEqual([173, 174, 173]);
  });

  it('picks larger tiles for more memory, within 64–512 px', () => {
    expect(autoTileSize('rrdbnet', 64 * 1024 ** 2, 32)).toBe(64);
    const mid = autoTileSize('rrdbnet', 1024 ** 3, 32);
    expect(mid).toBeGreaterThan(64);
    expect(autoTileSize('rrdbnet', 16 * 1024 ** 3, 32)).toBe(512);
    expect(autoTileSize('srvgg', 1024 ** 3, 16)).toBeGreaterThan(mid);
  });
});
