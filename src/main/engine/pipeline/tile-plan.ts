import type { ArchitectureKind } from '../../../shared/architecture';
import { architectureOf } from '../models/architectures';
import type { Rect } from './raster';

/** One tile: the core it contributes to the output and the padded region it is computed from. */
export interface Tile {
  index: number;
  /** Core rectangle in input pixels; cores partition the image. */
  core: Rect;
  /** Core grown by the overlap on every side and clamped to the image. */
  region: Rect;
}

/**
 * Splits the image into cores of at most `tile` px, each read with `overlap` px of context. With
 * `uniform` every region has the same size (edge regions reach further into the image instead of
 * being clamped short): a GPU compiles its shaders per input shape, so one job gets one shape, and
 * a region with more context than the overlap only agrees better with the untiled output.
 */
export function planTiles(
  width: number,
  height: number,
  tile: number,
  overlap: number,
  opt: { uniform?: boolean; align?: number } = {},
): Tile[] {
  if (!(tile >= 1) || !(overlap >= 0)) throw new Error(`bad tile plan ${tile}/${overlap}`);
  // Windowed models (SwinIR): cuts and context on multiples of the window, so every region starts
  // on the untiled image's window grid. That wins over `uniform` (whose edge regions are shifted
  // off the grid): a GPU then compiles shaders for a few shapes, but the output is right.
  const align = Math.max(1, Math.floor(opt.align ?? 1));
  const uniform = opt.uniform === true && align === 1;
  overlap = Math.ceil(overlap / align) * align;
  const split = (len: number): number[] => {
    const n = Math.max(1, Math.ceil(len / tile));
    // Even cores: no sliver tile at the edge doing a full tile's worth of overlap work.
    const cut = (i: number): number => (i === n ? len : Math.round((i * len) / n / align) * align);
    return Array.from({ length: n + 1 }, (_, i) => cut(i));
  };
  const xs = split(width);
  const ys = split(height);
  const tiles: Tile[] = [];
  // The largest region the ordinary plan reads, so a uniform plan needs no more memory than it.
  const widest = (cuts: number[], len: number): number =>
    Math.max(
      ...cuts.slice(1).map((c, k) => Math.min(len, c + overlap) - Math.max(0, cuts[k] - overlap)),
    );
  const rw = widest(xs, width);
  const rh = widest(ys, height);
  const span = (start: number, size: number, len: number): number =>
    Math.min(Math.max(0, start - overlap), len - size);
  for (let j = 0; j + 1 < ys.length; j++) {
    for (let i = 0; i + 1 < xs.length; i++) {
      const core = { x: xs[i], y: ys[j], w: xs[i + 1] - xs[i], h: ys[j + 1] - ys[j] };
      if (uniform) {
        const region = { x: span(core.x, rw, width), y: span(core.y, rh, height), w: rw, h: rh };
        tiles.push({ index: tiles.length, core, region });
        continue;
      }
      const x0 = Math.max(0, core.x - overlap);
      const y0 = Math.max(0, core.y - overlap);
      const x1 = Math.min(width, core.x + core.w + overlap);
      const y1 = Math.min(height, core.y + core.h + overlap);
      tiles.push({ index: tiles.length, core, region: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } });
    }
  }
  return tiles;
}

/** Smallest tile core automatic sizing gives: below it the overlap is most of the work. */
const MIN_TILE = 64;

/**
 * Largest tile core (multiple of 16) whose padded region fits the memory budget, from the
 * architecture's measured bytes per tile pixel and its largest tile.
 */
export function autoTileSize(kind: ArchitectureKind, budgetBytes: number, overlap: number): number {
  const { bytesPerPixel, maxTile } = architectureOf(kind).tiling;
  const side = Math.sqrt(budgetBytes / bytesPerPixel) - 2 * overlap;
  return Math.max(MIN_TILE, Math.min(maxTile, Math.floor(side / 16) * 16));
}
