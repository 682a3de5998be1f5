import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderViewport } from '../../../src/main/engine/pipeline/preview';
import {
  placePiece,
  planPieces,
  renderPiece,
} from '../../../src/main/engine/pipeline/preview-pieces';
import type { Raster, Rect } from '../../../src/main/engine/pipeline/raster';
import { tiledUpscale } from '../../../src/main/engine/pipeline/tiled-upscale';
import type { LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { psnr } from '../../../src/main/engine/metrics/psnr';
import { TINY_RRDB, TINY_SRVGG, loadTinyPair, rng } from '../../helpers/random-models';

const r = rng(9);
const src: Raster = {
  width: 60,
  height: 44,
  channels: 3,
  data: Uint8Array.from({ length: 60 * 44 * 3 }, () => Math.floor(r() * 256)),
};
const region: Rect = { x: 7, y: 5, w: 45, h: 33 };

let vgg: LoadedModel;
let rrdb: LoadedModel;
beforeAll(async () => {
  ({ pair: vgg } = await loadTinyPair(TINY_SRVGG, 4, 5));
  ({ pair: rrdb } = await loadTinyPair(TINY_RRDB, 6, 7));
});
afterAll(async () => {
  await vgg?.dispose();
  await rrdb?.dispose();
});

/** Renders every piece and puts them together into the region's render. */
async function stitched(model: LoadedModel, alpha: number, piece: number, overlap: number) {
  const s = model.scale;
  const out: Raster = {
    width: region.w * s,
    height: region.h * s,
    channels: 3,
    data: new Uint8Array(region.w * s * region.h * s * 3),
  };
  for (const p of planPieces(region, src, piece, overlap))
    placePiece(out, region, p.core, await renderPiece(model, src, p, alpha), s);
  return out;
}

function crop(img: Raster, v: Rect): Uint8Array {
  const out = new Uint8Array(v.w * v.h * 3);
  for (let j = 0; j < v.h; j++) {
    const from = ((v.y + j) * img.width + v.x) * 3;
    out.set(img.data.subarray(from, from + v.w * 3), j * v.w * 3);
  }
  return out;
}

describe('preview pieces', () => {
  it('partitions the region, centre first', () => {
    const pieces = planPieces(region, src, 16, 10);
    expect(pieces.length).toBe(9);
    const cover = new Uint8Array(src.width * src.height);
    for (const p of pieces)
      for (let y = p.core.y; y < p.core.y + p.core.h; y++)
        for (let x = p.core.x; x < p.core.x + p.core.w; x++) cover[y * src.width + x]++;
    for (let y = 0; y < src.height; y++)
      for (let x = 0; x < src.width; x++) {
        const inside =
          x >= region.x && x < region.x + region.w && y >= region.y && y < region.y + region.h;
        expect(cover[y * src.width + x]).toBe(inside ? 1 : 0);
      }
    const c = pieces[0].core;
    const [cx, cy] = [region.x + region.w / 2, region.y + region.h / 2];
    expect(cx >= c.x && cx <= c.x + c.w && cy >= c.y && cy <= c.y + c.h).toBe(true);
    const dist = pieces.map((p) =>
      Math.hypot(p.core.x + p.core.w / 2 - cx, p.core.y + p.core.h / 2 - cy),
    );
    expect(dist).toEqual([...dist].sort((a, b) => a - b));
    // Shared sides get the full overlap, the region's own edges the preview's context.
    const mid = pieces[0];
    expect([mid.core.x - mid.region.x, mid.core.y - mid.region.y]).toEqual([10, 10]);
    const corner = pieces.find((p) => p.core.x === region.x && p.core.y === region.y)!;
    expect([corner.core.x - corner.region.x, corner.core.y - corner.region.y]).toEqual([7, 5]);
  });

  it('stitch exactly into the whole-image render when the context covers the receptive field', async () => {
    const whole = await tiledUpscale(src, (t) => vgg.run(t, 0.4), {
      scale: 4,
      tile: 1000,
      overlap: 0,
    });
    const got = await stitched(vgg, 0.4, 12, vgg.defaultOverlap);
    const v = { x: region.x * 4, y: region.y * 4, w: region.w * 4, h: region.h * 4 };
    expect(Buffer.from(got.data).equals(Buffer.from(crop(whole, v)))).toBe(true);
  });

  it('stitch without seams for a wide receptive field (≥ 50 dB against a one-shot render)', async () => {
    const v = { x: region.x * 4, y: region.y * 4, w: region.w * 4, h: region.h * 4 };
    for (const alpha of [0, 1]) {
      const once = await renderViewport(rrdb, src, v, alpha);
      const got = await stitched(rrdb, alpha, 12, rrdb.defaultOverlap);
      expect(psnr(got.data, once.data)).toBeGreaterThanOrEqual(50);
      // Without context at the shared sides the same pieces do show seams: the test can tell.
      const bare = await stitched(rrdb, alpha, 12, 0);
      expect(psnr(bare.data, once.data)).toBeLessThan(45);
    }
  });
});
