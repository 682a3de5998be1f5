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

/**
 * The whole raster box-averaged by the smallest whole factor that brings it to at most `maxPixels`,
 * as a planar NCHW float tensor in 0–1 (a cheap overview of the image, e.g. for image statistics).
 */
export function rasterOverviewTensor(
  r: Raster,
  maxPixels: number,
): { data: Float32Array; dims: number[] } {
  const f = Math.max(1, Math.ceil(Math.sqrt((r.width * r.height) / Math.max(1, maxPixels))));
  const w = Math.max(1, Math.floor(r.width / f));
  const h = Math.max(1, Math.floor(r.height / f));
  const c = r.channels;
  const inv = 1 / (maxValue(r) * f * f);
  const out = new Float32Array(c * w * h);
  for (let y = 0; y < h * f; y++) {
    const row = Math.floor(y / f) * w;
    for (let x = 0; x < w * f; x++) {
      const src = (y * r.width + x) * c;
      const dst = row + Math.floor(x / f);
      for (let k = 0; k < c; k++) out[k * w * h + dst] += r.data[src + k] * inv;
    }
  }
  return { data: out, dims: [1, c, h, w] };
}
