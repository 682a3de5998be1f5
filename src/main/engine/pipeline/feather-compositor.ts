import { maxValue, type Raster } from './raster';
import type { Tile } from './tile-plan';

interface AxisRamp {
  /** First output px the tile writes on this axis. */
  start: number;
  weights: Float32Array;
  /** Output px range of the ramp towards the previous / next tile ([lo0, lo1), [hi0, hi1)). */
  lo1: number;
  hi0: number;
}

/**
 * Cross-fades neighbouring tiles over ±`feather` input px around each shared edge. Pixels inside a
 * ramp are summed in float side buffers (one per band) and written, rounded once, when the last tile
 * covering them (the lower / right one) arrives, so blending adds no rounding noise.
 */
export class FeatherCompositor {
  private readonly colEdges: number[];
  private readonly rowEdges: number[];
  /** Horizontal bands by the index of the row edge, each full output width. */
  private readonly hBands = new Map<number, Float32Array>();
  /** Vertical bands by `${tileRow}:${colEdge}`, each the tile row's full output height. */
  private readonly vBands = new Map<string, Float32Array>();
  private readonly max: number;
  private readonly feather: number;

  constructor(
    private readonly out: Raster,
    tiles: Tile[],
    private readonly scale: number,
    feather: number,
  ) {
    const xs = new Set(tiles.map((t) => t.core.x));
    const ys = new Set(tiles.map((t) => t.core.y));
    xs.delete(0);
    ys.delete(0);
    this.colEdges = [...xs].sort((a, b) => a - b);
    this.rowEdges = [...ys].sort((a, b) => a - b);
    this.max = maxValue(out);
    // Ramps of neighbouring edges must not meet: at most half the narrowest core on a split axis.
    const narrowest = Math.min(
      ...(this.colEdges.length ? tiles.map((t) => t.core.w) : [Infinity]),
      ...(this.rowEdges.length ? tiles.map((t) => t.core.h) : [Infinity]),
    );
    this.feather = Math.min(feather, Math.floor(narrowest / 2));
  }

  private ramp(start: number, len: number, size: number): AxisRamp {
    const s = this.scale;
    const lo = start > 0 ? this.feather : 0;
    const hi = start + len < size ? this.feather : 0;
    const first = (start - lo) * s;
    const weights = new Float32Array((len + lo + hi) * s);
    for (let i = 0; i < weights.length; i++) {
      const u = (first + i + 0.5) / s; // pixel centre in input coordinates
      const a = lo ? (u - (start - lo)) / (2 * lo) : 1;
      const b = hi ? (start + len + hi - u) / (2 * hi) : 1;
      weights[i] = Math.max(0, Math.min(1, a, b));
    }
    return { start: first, weights, lo1: (start + lo) * s, hi0: (start + len - hi) * s };
  }

  private band<K>(map: Map<K, Float32Array>, key: K, size: number): Float32Array {
    let b = map.get(key);
    if (!b) map.set(key, (b = new Float32Array(size)));
    return b;
  }

  /** Adds one tile's output (planar tensor tw×th whose top-left is input px region.x, region.y). */
  add(tile: Tile, t: Float32Array, tw: number, th: number): void {
    const { out, scale: s, max } = this;
    const c = out.channels;
    const W = out.width;
    const rx = this.ramp(tile.core.x, tile.core.w, out.width / s);
    const ry = this.ramp(tile.core.y, tile.core.h, out.height / s);
    const ox = tile.region.x * s;
    const oy = tile.region.y * s;
    const plane = tw * th;
    const bandH = 2 * this.feather * s;
    const tileRow = this.rowEdges.filter((e) => e <= tile.core.y).length;
    const colIdx = this.colEdges.filter((e) => e <= tile.core.x).length; // edges left of this core
    const rowTop = tile.core.y * s;
    const rowH = tile.core.h * s;
    for (let j = 0; j < ry.weights.length; j++) {
      const y = ry.start + j;
      const wy = ry.weights[j];
      const inYLo = y < ry.lo1;
      const inYHi = y >= ry.hi0;
      // Horizontal band this row falls in: the edge above (index tileRow - 1) or below (tileRow).
      const hKey = inYLo ? tileRow - 1 : inYHi ? tileRow : -1;
      const hBand = hKey >= 0 ? this.band(this.hBands, hKey, bandH * W * c) : undefined;
      const hRow = hKey >= 0 ? y - (this.rowEdges[hKey] - this.feather) * s : 0;
      const src = (y - oy) * tw - ox;
      let o = (y * W + rx.start) * c;
      for (let i = 0; i < rx.weights.length; i++, o += c) {
        const x = rx.start + i;
        const w = rx.weights[i] * wy;
        if (w === 1) {
          for (let k = 0; k < c; k++) {
            const v = t[k * plane + src + x];
            out.data[o + k] = Math.round((v <= 0 ? 0 : v >= 1 ? 1 : v) * max);
          }
          continue;
        }
        const inXLo = x < rx.lo1;
        const inXHi = x >= rx.hi0;
        let acc: Float32Array;
        let a: number;
        if (hBand) {
          acc = hBand;
          a = (hRow * W + x) * c;
        } else {
          const edge = inXLo ? colIdx - 1 : colIdx;
          acc = this.band(this.vBands, `${tileRow}:${edge}`, bandH * rowH * c);
          a = ((y - rowTop) * bandH + (x - (this.colEdges[edge] - this.feather) * s)) * c;
        }
        const last = !inYHi && !inXHi;
        for (let k = 0; k < c; k++) {
          const v = t[k * plane + src + x];
          acc[a + k] += w * (v <= 0 ? 0 : v >= 1 ? 1 : v);
          if (last) out.data[o + k] = Math.round(Math.min(1, acc[a + k]) * max);
        }
      }
    }
    // Bands whose last contributor was this tile are complete.
    if (tile.core.x + tile.core.w >= out.width / s) {
      for (const key of [...this.vBands.keys()])
        if (key.startsWith(`${tileRow}:`)) this.vBands.delete(key);
      this.hBands.delete(tileRow - 1);
    }
  }
}
