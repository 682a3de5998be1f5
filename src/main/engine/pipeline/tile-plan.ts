import type { ArchitectureSpec } from '../../../shared/architecture';
import type { Rect } from './raster';

type ArchitectureKind = ArchitectureSpec['kind'];

/** One tile: the core it contributes to the output and the padded region it is computed from. */
export interface Tile {
  index: number;
  /** Core rectangle in input pixels; cores partition the image. */
  core: Rect;
  /** Core grown by the overlap on every side and clamped to the image. */
  region: Rect;
}

/** Splits the image into cores of at most `tile` px, each read with `overlap` px of context. */
export function planTiles(width: number, height: number, tile: number, overlap: number): Tile[] {
  if (!(tile >= 1) || !(overlap >= 0)) throw new Error(`bad tile plan ${tile}/${overlap}`);
  const split = (len: number): number[] => {
    const n = Math.max(1, Math.ceil(len / tile));
    // Even cores: no sliver tile at the edge doing a full tile's worth of overlap work.
    return Array.from({ length: n + 1 }, (_, i) => Math.round((i * len) / n));
  };
  const xs = split(width);
  const ys = split(height);
  const tiles: Tile[] = [];
  for (let j = 0; j + 1 < ys.length; j++) {
    for (let i = 0; i + 1 < xs.length; i++) {
      const core = { x: xs[i], y: ys[j], w: xs[i + 1] - xs[i], h: ys[j + 1] - ys[j] };
      const x0 = Math.max(0, core.x - overlap);
      const y0 = Math.max(0, core.y - overlap);
      const x1 = Math.min(width, core.x + core.w + overlap);
      const y1 = Math.min(height, core.y + core.h + overlap);
      tiles.push({ index: tiles.length, core, region: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } });
    }
  }
  return tiles;
}

/**
 * Context and cross-fade per architecture, chosen from `npm run bench -- overlap` (docs/tiling.md):
 * RRDBNet's receptive field is wide (32 px of context: 38 dB against untiled; 48 px: 50 dB);
 * SRVGGNetCompact's is ±34 px, so 24 px already gives 65 dB. SRResNet and EDSR stack 16–32
 * residual blocks of two 3×3 convolutions at input resolution, a receptive field as wide as
 * RRDBNet's, so they get its setting.
 */
export const DEFAULT_TILING: Record<ArchitectureKind, { overlap: number; feather: number }> = {
  rrdbnet: { overlap: 48, feather: 8 },
  srvgg: { overlap: 24, feather: 4 },
  srresnet: { overlap: 48, feather: 8 },
  edsr: { overlap: 48, feather: 8 },
  // Imported ONNX graphs are unknown networks: 32 px of context (RRDBNet's 38 dB point) as a middle
  // ground between SRVGG's and the deep residual networks' settings.
  onnx: { overlap: 32, feather: 8 },
};

/**
 * Bytes of memory per input pixel of a tile on the CPU provider, fp32. Measured as the growth of
 * peak RSS running one tile (x4plus: +124 MB at 96², +382 MB at 192², ≈10 KB/px; SRVGG ≈1 KB/px),
 * with 20 % (RRDBNet) and 100 % (SRVGG) margin. SRResNet and EDSR are estimated from their largest
 * activations (the ×4 upsampler holds 16–32 feature maps per input pixel): MSRResNet's 64 features
 * like RRDBNet, EDSR sized for the 256-feature "large" model so it never runs out.
 */
const BYTES_PER_PIXEL: Record<ArchitectureKind, number> = {
  rrdbnet: 12_000,
  srvgg: 2_000,
  srresnet: 12_000,
  edsr: 40_000,
  /** Imported ONNX: unknown activations; sized like RRDBNet (a 64-feature ×4 network). */
  onnx: 12_000,
};

/** Largest tile core (multiple of 16) whose padded region fits the memory budget. */
export function autoTileSize(kind: ArchitectureKind, budgetBytes: number, overlap: number): number {
  const side = Math.sqrt(budgetBytes / BYTES_PER_PIXEL[kind]) - 2 * overlap;
  return Math.max(64, Math.min(512, Math.floor(side / 16) * 16));
}
