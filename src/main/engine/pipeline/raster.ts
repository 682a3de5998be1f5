/** A rectangle in pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

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
