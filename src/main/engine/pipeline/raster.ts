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
 * Writes part of a planar model output (tensor of size tw×th) into an interleaved raster,
 * clamping to 0–1 and rounding to the raster's depth.
 */
export function tensorRegionToRaster(
  t: Float32Array,
  tw: number,
  th: number,
  src: { x: number; y: number; w: number; h: number },
  dst: Raster,
  dx: number,
  dy: number,
): void {
  const c = dst.channels;
  const max = maxValue(dst);
  const plane = tw * th;
  for (let j = 0; j < src.h; j++) {
    let o = ((dy + j) * dst.width + dx) * c;
    const row = (src.y + j) * tw + src.x;
    for (let i = 0; i < src.w; i++) {
      for (let k = 0; k < c; k++) {
        const v = t[k * plane + row + i];
        dst.data[o + k] = v <= 0 ? 0 : v >= 1 ? max : Math.round(v * max);
      }
      o += c;
    }
  }
}
