// MATLAB's `imresize(img, scale, 'bicubic')` in TypeScript: Keys' cubic kernel (a = −0.5), widened by
// 1/scale when shrinking (antialiasing), symmetric edge padding, uint8 rounding. The super-resolution
// literature makes its LR inputs this way; sharp's kernels differ, which shifts PSNR by tenths of a dB.
import type { Raster } from '../pipeline/raster';

function cubic(x: number): number {
  const ax = Math.abs(x);
  const ax2 = ax * ax;
  const ax3 = ax2 * ax;
  if (ax <= 1) return 1.5 * ax3 - 2.5 * ax2 + 1;
  if (ax <= 2) return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2;
  return 0;
}

interface Contributions {
  indices: Int32Array;
  weights: Float64Array;
  taps: number;
}

/** Per output index, the input indices and normalised weights along one axis (MATLAB's `contributions`). */
function contributions(inLen: number, outLen: number, scale: number): Contributions {
  const antialias = scale < 1;
  const width = antialias ? 4 / scale : 4;
  const taps = Math.ceil(width) + 2;
  const indices = new Int32Array(outLen * taps);
  const weights = new Float64Array(outLen * taps);
  for (let o = 0; o < outLen; o++) {
    const u = (o + 1) / scale + 0.5 * (1 - 1 / scale); // 1-based input coordinate
    const left = Math.floor(u - width / 2);
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const idx = left + t;
      const d = u - idx;
      const w = antialias ? scale * cubic(scale * d) : cubic(d);
      // Symmetric padding: mirror 1-based indices back into 1..inLen.
      let m = idx - 1;
      const period = 2 * inLen;
      m = ((m % period) + period) % period;
      if (m >= inLen) m = period - 1 - m;
      indices[o * taps + t] = m;
      weights[o * taps + t] = w;
      sum += w;
    }
    for (let t = 0; t < taps; t++) weights[o * taps + t] /= sum;
  }
  return { indices, weights, taps };
}

/** Resizes an 8-bit raster by `scale` to ceil(size·scale) exactly as MATLAB's bicubic imresize. */
export function matlabResize(src: Raster, scale: number): Raster {
  const c = src.channels;
  const outW = Math.ceil(src.width * scale);
  const outH = Math.ceil(src.height * scale);
  // MATLAB resizes the dimension with the smaller scale first; equal here, so rows (height) first.
  const ch = contributions(src.height, outH, scale);
  const cw = contributions(src.width, outW, scale);
  const tmp = new Float64Array(outH * src.width * c);
  for (let y = 0; y < outH; y++)
    for (let x = 0; x < src.width; x++)
      for (let k = 0; k < c; k++) {
        let s = 0;
        for (let t = 0; t < ch.taps; t++)
          s +=
            ch.weights[y * ch.taps + t] *
            src.data[(ch.indices[y * ch.taps + t] * src.width + x) * c + k];
        tmp[(y * src.width + x) * c + k] = s;
      }
  const out = new Uint8Array(outW * outH * c);
  for (let y = 0; y < outH; y++)
    for (let x = 0; x < outW; x++)
      for (let k = 0; k < c; k++) {
        let s = 0;
        for (let t = 0; t < cw.taps; t++)
          s +=
            cw.weights[x * cw.taps + t] *
            tmp[(y * src.width + cw.indices[x * cw.taps + t]) * c + k];
        out[(y * outW + x) * c + k] = Math.min(255, Math.max(0, Math.round(s)));
      }
  return { width: outW, height: outH, channels: c, data: out };
}
