/** Interleaved RGB pixels as 8- or 16-bit integers (sharp's raw layout). */
export interface Raster {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array | Uint16Array;
}

export function maxValue(r: Raster): number {
  return r.data instanceof Uint16Array ? 65535 : 255;
}

/** Copies a rectangle of an interleaved raster into a new planar NCHW float tensor in 0–1. */
export function rasterRegionToTensor(
  r: Raster,
  x: number,
  y: number,
  w: number,
  h: number,
): { data: Float32Array; dims: number[] } {
  const c = r.channels;
  const inv = 1 / maxValue(r);
  const out = new Float32Array(c * w * h);
  const plane = w * h;
  for (let j = 0; j < h; j++) {
    let src = ((y + j) * r.width + x) * c;
    const row = j * w;
    for (let i = 0; i < w; i++) {
      for (let k = 0; k < c; k++) out[k * plane + row + i] = r.data[src + k] * inv;
      src += c;
    }
  }
  return { data: out, dims: [1, c, h, w] };
}

/**
 * Adds `weight`-scaled model output (planar tensor of tw×th, placed at output position ox, oy) into an
 * interleaved raster over `rect`, clamping to 0–1 and rounding to the raster's depth. Weights are
 * separable (`wx[i]`, `wy[j]` per column and row of the rect); where both are 1 the pixel is simply
 * written, elsewhere it is accumulated onto what the neighbouring tile left there.
 */
export function blendTensorIntoRaster(
  t: Float32Array,
  tw: number,
  th: number,
  ox: number,
  oy: number,
  rect: { x: number; y: number; w: number; h: number },
  wx: Float32Array,
  wy: Float32Array,
  dst: Raster,
): void {
  const c = dst.channels;
  const max = maxValue(dst);
  const plane = tw * th;
  for (let j = 0; j < rect.h; j++) {
    const y = rect.y + j;
    let o = (y * dst.width + rect.x) * c;
    const row = (y - oy) * tw + (rect.x - ox);
    for (let i = 0; i < rect.w; i++) {
      const w = wx[i] * wy[j];
      for (let k = 0; k < c; k++) {
        const raw = t[k * plane + row + i];
        const v = (raw <= 0 ? 0 : raw >= 1 ? 1 : raw) * max;
        dst.data[o + k] =
          w === 1 ? Math.round(v) : Math.min(max, Math.round(dst.data[o + k] + w * v));
      }
      o += c;
    }
  }
}
