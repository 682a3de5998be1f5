import type { LoadedModel } from '../runtime/loaded-model';
import { PREVIEW_CONTEXT, cropTensor } from './preview';
import { rasterRegionToTensor, type Raster, type Rect } from './raster';
import { planTiles } from './tile-plan';

/** One small square of a preview region, rendered on its own so the dial can show what is ready. */
export interface PreviewPiece {
  /** Position in render order (centre first). */
  index: number;
  /** What the piece contributes, input px of the whole image; the cores partition the region. */
  core: Rect;
  /** What it is computed from: the core with context, clamped to the image. */
  region: Rect;
}

/** Core side of a preview piece in input px (small: the first blend is on screen sooner). */
export const PREVIEW_PIECE = 96;

/**
 * Splits an input region into pieces with the tile planner, centre first. Sides shared with a
 * neighbouring piece get the architecture's full context (`overlap`), so pieces meet without a seam;
 * the region's own edges get the viewport preview's `edgeContext`, as a one-shot render of the
 * region would (only pixels at the view's edge can differ from the export there).
 */
export function planPieces(
  region: Rect,
  image: { width: number; height: number },
  piece: number,
  overlap: number,
  edgeContext = PREVIEW_CONTEXT,
): PreviewPiece[] {
  const cx = region.x + region.w / 2;
  const cy = region.y + region.h / 2;
  const pieces = planTiles(region.w, region.h, piece, 0).map((t) => {
    const core = { x: region.x + t.core.x, y: region.y + t.core.y, w: t.core.w, h: t.core.h };
    const grow = (inner: boolean): number => (inner ? overlap : edgeContext);
    const x0 = Math.max(0, core.x - grow(core.x > region.x));
    const y0 = Math.max(0, core.y - grow(core.y > region.y));
    const x1 = Math.min(image.width, core.x + core.w + grow(core.x + core.w < region.x + region.w));
    const y1 = Math.min(
      image.height,
      core.y + core.h + grow(core.y + core.h < region.y + region.h),
    );
    const d = Math.hypot(core.x + core.w / 2 - cx, core.y + core.h / 2 - cy);
    return { d, order: t.index, core, region: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } };
  });
  pieces.sort((a, b) => a.d - b.d || a.order - b.order);
  return pieces.map((p, index) => ({ index, core: p.core, region: p.region }));
}

/** Renders one piece at `alpha` (pairs) and returns its core, `scale`× in output px. */
export async function renderPiece(
  model: LoadedModel,
  src: Raster,
  piece: PreviewPiece,
  alpha?: number,
): Promise<Raster> {
  const r = piece.region;
  const s = model.scale;
  const out = await model.run(rasterRegionToTensor(src, r.x, r.y, r.w, r.h), alpha);
  const [, , th, tw] = out.dims;
  const c = piece.core;
  return cropTensor(out.data, tw, th, (c.x - r.x) * s, (c.y - r.y) * s, c.w * s, c.h * s, src.data);
}

/** Copies a rendered piece into the render of its whole region (both in output px, `scale`×). */
export function placePiece(
  target: Raster,
  region: Rect,
  core: Rect,
  piece: Raster,
  scale: number,
): void {
  const c = target.channels;
  const dx = (core.x - region.x) * scale;
  const dy = (core.y - region.y) * scale;
  for (let j = 0; j < piece.height; j++) {
    const from = j * piece.width * c;
    target.data.set(
      piece.data.subarray(from, from + piece.width * c),
      ((dy + j) * target.width + dx) * c,
    );
  }
}
