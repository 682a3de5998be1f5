import { throwIfCancelled } from '../../../shared/cancel';
import type { Tensor4 } from '../runtime/inference-session';
import { FeatherCompositor } from './feather-compositor';
import { planTiles, type Tile } from './tile-plan';
import { rasterRegionToTensor, type Raster } from './raster';

export interface TileProgress {
  tile: number;
  tiles: number;
}

export interface TiledUpscaleOptions {
  scale: number;
  tile: number;
  overlap: number;
  /** Half-width of the cross-fade between neighbouring tiles, in input px (≤ overlap; default 0). */
  feather?: number;
  /** The tiles as the caller already planned them (with `tile` and `overlap`); planned here if absent. */
  plan?: Tile[];
  /** Checked before each tile: a fired signal stops the upscale with `cancelled`. */
  signal?: AbortSignal;
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
  const tiles = opt.plan ?? planTiles(src.width, src.height, opt.tile, opt.overlap);
  const feather = Math.min(opt.feather ?? 0, opt.overlap);
  const compositor = new FeatherCompositor(out, tiles, s, feather);
  const start = (i: number): Promise<Tensor4> => {
    const r = tiles[i].region;
    return run(rasterRegionToTensor(src, r.x, r.y, r.w, r.h));
  };
  let next: Promise<Tensor4> | undefined = start(0);
  for (let i = 0; i < tiles.length; i++) {
    throwIfCancelled(opt.signal, 'upscale');
    const current: Promise<Tensor4> = next!;
    next = i + 1 < tiles.length ? start(i + 1) : undefined;
    // Keep the queued tile's rejection from going unhandled while we await the current one.
    next?.catch(() => undefined);
    const res = await current;
    const { region } = tiles[i];
    const [, , th, tw] = res.dims;
    if (tw !== region.w * s || th !== region.h * s) {
      throw new Error(
        `model returned ${tw}×${th} for a ${region.w}×${region.h} tile; expected ×${s}`,
      );
    }
    compositor.add(tiles[i], res.data, tw, th);
    opt.onTile?.({ tile: i + 1, tiles: tiles.length });
  }
  if (next) await next.catch(() => undefined);
  // A cancel during the last tile: the image is complete but was not wanted.
  throwIfCancelled(opt.signal, 'upscale');
  return out;
}
