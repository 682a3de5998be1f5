import { describe, expect, it } from 'vitest';
import { planTiles } from '../../../src/main/engine/pipeline/tile-plan';

describe('uniform tile plan (one input shape per GPU job)', () => {
  it.each([
    [100, 60, 32, 8],
    [257, 33, 64, 16],
    [640, 480, 256, 48],
    [96, 96, 512, 24],
    [1000, 700, 333, 0],
  ])(
    '%i×%i, tile %i, overlap %i: one region size, each holding its core ± overlap',
    (w, h, tile, overlap) => {
      const tiles = planTiles(w, h, tile, overlap, { uniform: true });
      const plain = planTiles(w, h, tile, overlap);
      // The same cores as the ordinary plan: only the context read around them differs.
      expect(tiles.map((t) => t.core)).toEqual(plain.map((t) => t.core));
      // No more memory than the ordinary plan's largest region.
      const area = (ts: typeof tiles) => Math.max(...ts.map((t) => t.region.w * t.region.h));
      expect(area(tiles)).toBe(area(plain));
      const sizes = new Set(tiles.map((t) => `${t.region.w}x${t.region.h}`));
      expect(sizes.size).toBe(1);
      for (const [i, t] of tiles.entries()) {
        const r = t.region;
        expect(r.x).toBeGreaterThanOrEqual(0);
        expect(r.y).toBeGreaterThanOrEqual(0);
        expect(r.x + r.w).toBeLessThanOrEqual(w);
        expect(r.y + r.h).toBeLessThanOrEqual(h);
        // At least the context the ordinary plan gives, on every side.
        const p = plain[i].region;
        expect(r.x).toBeLessThanOrEqual(p.x);
        expect(r.y).toBeLessThanOrEqual(p.y);
        expect(r.x + r.w).toBeGreaterThanOrEqual(p.x + p.w);
        expect(r.y + r.h).toBeGreaterThanOrEqual(p.y + p.h);
      }
    },
  );
});
