import { maxValue, type Raster } from './raster';
import type { Tile } from './tile-plan';

/** A tile's contribution to the stitch (see `FeatherCompositor.pack`). */
export interface PackedTile {
  /** Pixels only this tile covers, at the output's depth, interleaved. */
  ints: Uint8Array | Uint16Array;
  /** Clamped 0–1 values of the pixels it cross-fades with a neighbour, interleaved. */
  floats: Float32Array;
}

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
    this.addPacked(tile, this.pack(tile, t, tw, th));
  }

  /**
   * What of a tile's output the stitch reads, compactly: the pixels it alone decides, rounded to the
   * output's depth, and the clamped float values of those it cross-fades (bit-exact, so a stored tile
   * stitched later gives the very bytes it would have given at once). Scan order over core ± feather.
   */
  pack(tile: Tile, t: Float32Array, tw: number, th: number): PackedTile {
    const { out, scale: s, max } = this;
    const c = out.channels;
    const rx = this.ramp(tile.core.x, tile.core.w, out.width / s);
    const ry = this.ramp(tile.core.y, tile.core.h, out.height / s);
    let full = 0;
    for (const wy of ry.weights) for (const wx of rx.weights) if (wx * wy === 1) full++;
    const total = rx.weights.length * ry.weights.length;
    const ints =
      out.data instanceof Uint16Array ? new Uint16Array(full * c) : new Uint8Array(full * c);
    const floats = new Float32Array((total - full) * c);
    const ox = tile.region.x * s;
    const oy = tile.region.y * s;
    const plane = tw * th;
    let n = 0;
    let f = 0;
    for (let j = 0; j < ry.weights.length; j++) {
      const src = (ry.start + j - oy) * tw - ox;
      const wy = ry.weights[j];
      for (let i = 0; i < rx.weights.length; i++) {
        const x = rx.start + i;
        const whole = rx.weights[i] * wy === 1;
        for (let k = 0; k < c; k++) {
          const v = t[k * plane + src + x];
          const clamped = v <= 0 ? 0 : v >= 1 ? 1 : v;
          if (whole) ints[n++] = Math.round(clamped * max);
          else floats[f++] = clamped;
        }
      }
    }
    return { ints, floats };
  }

  /** Stitches a packed tile (from `pack`, now or read back from a tile store). */
  addPacked(tile: Tile, p: PackedTile): void {
    const { out, scale: s } = this;
    const c = out.channels;
    const W = out.width;
    const rx = this.ramp(tile.core.x, tile.core.w, out.width / s);
    const ry = this.ramp(tile.core.y, tile.core.h, out.height / s);
    this.checkPacked(tile, p, rx, ry);
    const { ints, floats } = p;
    const max = this.max;
    const bandH = 2 * this.feather * s;
    const tileRow = this.rowEdges.filter((e) => e <= tile.core.y).length;
    const colIdx = this.colEdges.filter((e) => e <= tile.core.x).length; // edges left of this core
    const rowTop = tile.core.y * s;
    const rowH = tile.core.h * s;
    let n = 0;
    let f = 0;
    for (let j = 0; j < ry.weights.length; j++) {
      const y = ry.start + j;
      const wy = ry.weights[j];
      const inYLo = y < ry.lo1;
      const inYHi = y >= ry.hi0;
      // Horizontal band this row falls in: the edge above (index tileRow - 1) or below (tileRow).
      const hKey = inYLo ? tileRow - 1 : inYHi ? tileRow : -1;
      const hBand = hKey >= 0 ? this.band(this.hBands, hKey, bandH * W * c) : undefined;
      const hRow = hKey >= 0 ? y - (this.rowEdges[hKey] - this.feather) * s : 0;
      let o = (y * W + rx.start) * c;
      for (let i = 0; i < rx.weights.length; i++, o += c) {
        const x = rx.start + i;
        const w = rx.weights[i] * wy;
        if (w === 1) {
          for (let k = 0; k < c; k++) out.data[o + k] = ints[n++];
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
          acc[a + k] += w * floats[f++];
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

  /** A packed tile read back from disk must fit this plan exactly (a store keyed wrongly fails here). */
  private checkPacked(tile: Tile, p: PackedTile, rx: AxisRamp, ry: AxisRamp): void {
    let full = 0;
    for (const wy of ry.weights) for (const wx of rx.weights) if (wx * wy === 1) full++;
    const c = this.out.channels;
    const total = rx.weights.length * ry.weights.length;
    const depthOk = p.ints instanceof Uint16Array === this.out.data instanceof Uint16Array;
    if (!depthOk || p.ints.length !== full * c || p.floats.length !== (total - full) * c)
      throw new Error(`tile ${tile.index}: packed data does not fit the tile plan`);
  }
}
