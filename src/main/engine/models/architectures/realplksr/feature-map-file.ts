// A feature map of a whole image kept on disk, not in memory: a 64-feature RealPLKSR state is
// 256 bytes a pixel in float16, 12.8 GB for a 50 MP photo. Stored row-major, channels last, so a
// tile's region is one read per row; float16, which the statistics it serves do not feel. Rows go
// through synchronous reads and writes: hundreds of small ones a tile, each a page-cache copy of a
// few µs, where an async call costs a thread-pool round trip (measured 0.6 ms a row under load).
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { Rect } from '../../../pipeline/raster';
import { floatToHalf, halfTable, halfToFloat } from '../../float16';
import type { Tensor4 } from '../../../runtime/inference-session';

/** float32 → float16 bits, rounded to nearest even (overflow to ±∞, subnormals kept). */
export const toHalf = floatToHalf;
/** float16 bits → number. */
export const fromHalf = halfToFloat;
const halves = halfTable;

// Encoding by tables over a float32's sign and exponent (van der Zijp, "Fast half float
// conversions"), rounding half up: ~10× faster than toHalf, which the tests check it against.
let tables: { base: Uint16Array; shift: Uint8Array; round: Uint32Array } | undefined;
const encoders = () => {
  if (!tables) {
    const base = new Uint16Array(512);
    const shift = new Uint8Array(512);
    const round = new Uint32Array(512);
    for (let i = 0; i < 256; i++) {
      const e = i - 127;
      let b: number;
      let sh: number;
      if (e < -24) [b, sh] = [0, 24];
      else if (e < -14) [b, sh] = [0x0400 >> (-e - 14), -e - 1];
      else if (e <= 15) [b, sh] = [(e + 15) << 10, 13];
      else [b, sh] = [0x7c00, 24];
      for (const s of [0, 256]) {
        base[i | s] = b | (s ? 0x8000 : 0);
        shift[i | s] = sh;
        round[i | s] = sh >= 24 ? 0 : 1 << (sh - 1);
      }
    }
    tables = { base, shift, round };
  }
  return tables;
};

/** float32 bits → float16 bits through the tables (NaN becomes ∞; the maps hold none). */
export function toHalfFast(bits: number): number {
  const { base, shift, round } = encoders();
  const e = bits >>> 23;
  return base[e] + (((bits & 0x7fffff) + round[e]) >>> shift[e]);
}

/** A width × height × channels float16 map in one file, created empty (sparse) at `path`. */
export class FeatureMapFile {
  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly width: number,
    readonly height: number,
    readonly channels: number,
  ) {}

  static async create(
    path: string,
    width: number,
    height: number,
    channels: number,
  ): Promise<FeatureMapFile> {
    return new FeatureMapFile(path, openSync(path, 'wx+'), width, height, channels);
  }

  /** Writes the `core` part of a [1, channels, region.h, region.w] tensor computed over `region`. */
  async writeCore(t: Tensor4, region: Rect, core: Rect): Promise<void> {
    const c = this.channels;
    const [, tc, th, tw] = t.dims;
    if (tc !== c || th !== region.h || tw !== region.w)
      throw new Error(
        `feature map: a ${tc}×${th}×${tw} tile for a ${c}-channel ${region.w}×${region.h} region`,
      );
    const plane = th * tw;
    const row = new Uint16Array(core.w * c);
    const bytes = new Uint8Array(row.buffer);
    const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    const { base: hb, shift, round } = encoders();
    for (let y = 0; y < core.h; y++) {
      const start = (core.y - region.y + y) * tw + (core.x - region.x);
      for (let ch = 0; ch < c; ch++) {
        const from = ch * plane + start;
        for (let x = 0; x < core.w; x++) {
          const v = bits[from + x];
          const e = v >>> 23;
          row[x * c + ch] = hb[e] + (((v & 0x7fffff) + round[e]) >>> shift[e]);
        }
      }
      const at = ((core.y + y) * this.width + core.x) * c * 2;
      writeSync(this.fd, bytes, 0, bytes.length, at);
    }
  }

  /** The map over `region` as a [1, channels, h, w] float32 tensor. */
  async read(region: Rect): Promise<Tensor4> {
    const c = this.channels;
    const { w, h } = region;
    const plane = w * h;
    const out = new Float32Array(c * plane);
    const row = new Uint16Array(w * c);
    const bytes = new Uint8Array(row.buffer);
    const dec = halves();
    for (let y = 0; y < h; y++) {
      const at = ((region.y + y) * this.width + region.x) * c * 2;
      const bytesRead = readSync(this.fd, bytes, 0, bytes.length, at);
      if (bytesRead !== bytes.length)
        throw new Error(
          `${this.path}: feature map row ${region.y + y} is short (${bytesRead} bytes)`,
        );
      for (let ch = 0; ch < c; ch++) {
        const to = ch * plane + y * w;
        for (let x = 0; x < w; x++) out[to + x] = dec[row[x * c + ch]];
      }
    }
    return { data: out, dims: [1, c, h, w] };
  }

  private closed = false;

  /** Closes the file (again: nothing). */
  async close(): Promise<void> {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }
}
