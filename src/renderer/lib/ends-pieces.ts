// The dial's blend, assembled piece by piece: the engine renders both ends (α 0 and α 1) of the
// visible region in small pieces, and each lands where its core lies in the region. Wherever both
// ends of a piece have arrived the two are blended; elsewhere the blend stays transparent, so the
// image beneath shows through until the piece is ready.

import { blendTable, type Bytes } from './pixel-blend';
import type { Region } from './compare-geometry';

/** A rectangle of whole pixels of the assembled image. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The assembled image's size for a region rendered `scale`×, reduced by `k` (≤ 1). */
export function assembledSize(region: Region, scale: number, k = 1): { w: number; h: number } {
  return {
    w: Math.max(1, Math.round(region.w * scale * k)),
    h: Math.max(1, Math.round(region.h * scale * k)),
  };
}

/**
 * Where a piece's core (input px) lands in the assembled image: `(core − region) × scale × k`,
 * each edge rounded on its own, so cores that tile the region tile the image without gaps or
 * overlaps whatever `k` is.
 */
export function piecePlacement(core: Region, region: Region, scale: number, k = 1): PixelRect {
  const f = scale * k;
  const x0 = Math.round((core.x - region.x) * f);
  const y0 = Math.round((core.y - region.y) * f);
  const x1 = Math.round((core.x + core.w - region.x) * f);
  const y1 = Math.round((core.y + core.h - region.y) * f);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export type End = 'fidelity' | 'perceptual';

/**
 * The two ends of one region as RGBA buffers, filled piece by piece (`place`), and their blend
 * where both ends of a piece are in (`blend`). Pure data: the canvas only draws what it gives.
 */
export class PieceComposer {
  readonly width: number;
  readonly height: number;
  readonly #ends: Record<End, Uint8ClampedArray>;
  /** Placement of each piece (by index) and which of its ends are in. */
  readonly #pieces = new Map<number, { rect: PixelRect; fidelity: boolean; perceptual: boolean }>();
  /** Pieces whose ends are both in but are not blended at `#blendedAt` yet. */
  #fresh = new Set<number>();
  #blendedAt: number | undefined;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.#ends = {
      fidelity: new Uint8ClampedArray(width * height * 4),
      perceptual: new Uint8ClampedArray(width * height * 4),
    };
  }

  /** Pieces whose two ends are both in. */
  get complete(): number {
    let n = 0;
    for (const p of this.#pieces.values()) if (p.fidelity && p.perceptual) n++;
    return n;
  }

  /** Whether an end of a piece is in already. */
  has(index: number, end: End): boolean {
    return !!this.#pieces.get(index)?.[end];
  }

  /**
   * Copies one end of a piece (RGBA, `rect.width × rect.height`) to its place; rows and columns
   * outside the image are cut off.
   */
  place(index: number, end: End, rect: PixelRect, pixels: Bytes): void {
    if (pixels.length !== rect.width * rect.height * 4)
      throw new Error(
        `piece ${index}: ${pixels.length} bytes for a ${rect.width}×${rect.height} place`,
      );
    const target = this.#ends[end];
    const x0 = Math.max(0, rect.x);
    const x1 = Math.min(this.width, rect.x + rect.width);
    if (x1 > x0)
      for (let y = Math.max(0, rect.y); y < Math.min(this.height, rect.y + rect.height); y++) {
        const from = ((y - rect.y) * rect.width + (x0 - rect.x)) * 4;
        target.set(pixels.subarray(from, from + (x1 - x0) * 4), (y * this.width + x0) * 4);
      }
    const p = this.#pieces.get(index) ?? { rect, fidelity: false, perceptual: false };
    p.rect = rect;
    p[end] = true;
    this.#pieces.set(index, p);
    if (p.fidelity && p.perceptual) this.#fresh.add(index);
  }

  /**
   * Writes the blend at `alpha` into `out` (RGBA, the image's size): round((1 − α)·f + α·p) per
   * byte where both ends of a piece are in. Where they are not, `out` is left as it is: zero
   * (transparent) in a fresh buffer. Called again at the same α with the same `out`, only pieces
   * completed since are blended (unless `all`); returns how many pieces were blended.
   */
  blend(alpha: number, out: Uint8ClampedArray, all = false): number {
    if (out.length !== this.width * this.height * 4)
      throw new Error('blend: output has another size');
    const again = !all && this.#blendedAt !== undefined && Math.abs(this.#blendedAt - alpha) < 1e-9;
    const table = blendTable(alpha);
    const a = this.#ends.fidelity;
    const b = this.#ends.perceptual;
    let n = 0;
    for (const [index, p] of this.#pieces) {
      if (!p.fidelity || !p.perceptual || (again && !this.#fresh.has(index))) continue;
      n++;
      const x0 = Math.max(0, p.rect.x);
      const x1 = Math.min(this.width, p.rect.x + p.rect.width);
      for (let y = Math.max(0, p.rect.y); y < Math.min(this.height, p.rect.y + p.rect.height); y++)
        for (let i = (y * this.width + x0) * 4, end = (y * this.width + x1) * 4; i < end; i++)
          out[i] = a[i] + table[b[i] - a[i] + 255];
    }
    this.#fresh = new Set();
    this.#blendedAt = alpha;
    return n;
  }
}
