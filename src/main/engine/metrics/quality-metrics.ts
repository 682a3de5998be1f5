import type { Raster } from '../pipeline/raster';

/** BT.601 luma of an 8-bit RGB raster in 16–235, unrounded, with `border` px cropped on every side. */
export function lumaY(r: Raster, border: number): { w: number; h: number; y: Float64Array } {
  const w = r.width - 2 * border;
  const h = r.height - 2 * border;
  const y = new Float64Array(w * h);
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const o = ((j + border) * r.width + i + border) * r.channels;
      const [R, G, B] =
        r.channels >= 3
          ? [r.data[o], r.data[o + 1], r.data[o + 2]]
          : [r.data[o], r.data[o], r.data[o]];
      y[j * w + i] = 16 + (65.481 * R + 128.553 * G + 24.966 * B) / 255;
    }
  return { w, h, y };
}

/** PSNR of two luma planes (peak 255). */
export function psnrY(a: Float64Array, b: Float64Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / a.length));
}

function gaussianWindow(size = 11, sigma = 1.5): Float64Array {
  const g = Float64Array.from({ length: size }, (_, i) =>
    Math.exp(-((i - (size - 1) / 2) ** 2) / (2 * sigma * sigma)),
  );
  const s = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / s);
}

/** Separable 'valid' filtering of a w×h plane with a 1-D window. */
function filterValid(
  p: Float64Array,
  w: number,
  h: number,
  g: Float64Array,
): { w: number; h: number; d: Float64Array } {
  const n = g.length;
  const ow = w - n + 1;
  const oh = h - n + 1;
  const tmp = new Float64Array(ow * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += g[t] * p[y * w + x + t];
      tmp[y * ow + x] = s;
    }
  const d = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += g[t] * tmp[(y + t) * ow + x];
      d[y * ow + x] = s;
    }
  return { w: ow, h: oh, d };
}

/** SSIM (Wang et al. 2004: 11×11 Gaussian σ 1.5, K1 0.01, K2 0.03, peak 255) of two luma planes. */
export function ssimY(a: Float64Array, b: Float64Array, w: number, h: number): number {
  const g = gaussianWindow();
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  const mu1 = filterValid(a, w, h, g).d;
  const mu2 = filterValid(b, w, h, g).d;
  const s11 = filterValid(
    a.map((v) => v * v),
    w,
    h,
    g,
  ).d;
  const s22 = filterValid(
    b.map((v) => v * v),
    w,
    h,
    g,
  ).d;
  const s12 = filterValid(
    a.map((v, i) => v * b[i]),
    w,
    h,
    g,
  ).d;
  let sum = 0;
  for (let i = 0; i < mu1.length; i++) {
    const m1 = mu1[i];
    const m2 = mu2[i];
    const v1 = s11[i] - m1 * m1;
    const v2 = s22[i] - m2 * m2;
    const cov = s12[i] - m1 * m2;
    sum += ((2 * m1 * m2 + c1) * (2 * cov + c2)) / ((m1 * m1 + m2 * m2 + c1) * (v1 + v2 + c2));
  }
  return sum / mu1.length;
}
