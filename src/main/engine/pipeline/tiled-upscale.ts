import { throwIfCancelled } from '../../../shared/cancel';
import type { Tensor4 } from '../runtime/inference-session';
import { FeatherCompositor } from './feather-compositor';
import type { TileCache } from './tile-store';
import { planTiles, type Tile } from './tile-plan';
import { rasterRegionToTensor, type Raster } from './raster';

export interface TileProgress {
  tile: number;
  tiles: number;
  /** The tile was read back from the tile store, not computed. */
  restored?: boolean;
}

export interface TiledUpscaleOptions {
  scale: number;
  tile: number;
  overlap: number;
  /** Half-width of the cross-fade between neighbouring tiles, in input px (≤ overlap; default 0). */
  feather?: number;
  /** The tiles as the caller already planned them (with `tile` and `overlap`); planned here if absent. */
  plan?: Tile[];
  /** For a plan made here: region starts on multiples of this (the model's `tileAlign`). */
  align?: number;
  /** Checked before each tile: a fired signal stops the upscale with `cancelled`. */
  signal?: AbortSignal;
  /**
   * Finished tiles of an earlier, interrupted run: those found are stitched from it (not computed
   * again); each new tile is saved in it before it is counted done.
   */
  store?: TileCache;
  onTile?: (p: TileProgress) => void;
}

export type RunTile = (input: Tensor4) => Promise<Tensor4>;

/**
 * Upscales an RGB raster tile by tile. Each tile is computed with `overlap` px of context; neighbouring
 * tiles are cross-faded over ±`feather` px around their shared edge, so what little error the limited
 * context leaves changes smoothly instead of jumping at the boundary (a seam). Two tiles are kept in
 * flight so the worker never waits for the stitching.
 */
export async function tiledUpscale(
  src: Raster,
  run: RunTile,
  opt: TiledUpscaleOptions,
): Promise<Raster> {
  const s = opt.scale;
  const outW = src.width * s;
  const outH = src.height * s;
  const data =
    src.data instanceof Uint16Array
      ? new Uint16Array(outW * outH * src.channels)
      : new Uint8Array(outW * outH * src.channels);
  const out: Raster = { width: outW, height: outH, channels: src.channels, data };
  const tiles =
    opt.plan ?? planTiles(src.width, src.height, opt.tile, opt.overlap, { align: opt.align });
  const feather = Math.min(opt.feather ?? 0, opt.overlap);
  const compositor = new FeatherCompositor(out, tiles, s, feather);
  const store = opt.store;
  const start = (i: number): Promise<Tensor4> => {
    const r = tiles[i].region;
    const p = run(rasterRegionToTensor(src, r.x, r.y, r.w, r.h));
    // Keep a queued tile's rejection from going unhandled while we await the current one.
    p.catch(() => undefined);
    return p;
  };
  // The next tile the store does not hold, started early so the worker never waits for the stitch.
  const ahead = (from: number): { i: number; p: Promise<Tensor4> } | undefined => {
    let j = from;
    while (j < tiles.length && store?.has(j)) j++;
    return j < tiles.length ? { i: j, p: start(j) } : undefined;
  };
  let next = ahead(0);
  for (let i = 0; i < tiles.length; i++) {
    throwIfCancelled(opt.signal, 'upscale');
    if (next?.i !== i) {
      const kept = await store?.read(i);
      if (kept) {
        compositor.addPacked(tiles[i], kept);
        opt.onTile?.({ tile: i + 1, tiles: tiles.length, restored: true });
        continue;
      }
    }
    // A stored tile that could not be read back (torn, foreign) is computed here after all.
    const current = next?.i === i ? next.p : start(i);
    if (next?.i === i) next = ahead(i + 1);
    const res = await current;
    const { region } = tiles[i];
    const [, , th, tw] = res.dims;
    if (tw !== region.w * s || th !== region.h * s) {
      throw new Error(
        `model returned ${tw}×${th} for a ${region.w}×${region.h} tile; expected ×${s}`,
      );
    }
    const packed = compositor.pack(tiles[i], res.data, tw, th);
    await store?.write(i, packed);
    compositor.addPacked(tiles[i], packed);
    opt.onTile?.({ tile: i + 1, tiles: tiles.length });
  }
  // A cancel during the last tile: the image is complete but was not wanted.
  throwIfCancelled(opt.signal, 'upscale');
  return out;
}
