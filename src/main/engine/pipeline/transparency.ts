import sharp from 'sharp';
import { maxValue, type Raster } from './raster';

/**
 * How the transparency channel is enlarged. The default is 'resize' (Lanczos-3, clamped to the
 * valid range) because the models are trained on photographs, not masks: run on a mask, a GAN adds
 * texture and ringing to its edges and lifts flat areas off exact 0 and full opacity (a faint haze
 * over what was fully transparent), and it doubles the time per image. A resize keeps flat areas
 * exact and edges smooth. 'model' gives crisper edges on logos and line art, at twice the time.
 */
export const DEFAULT_TRANSPARENCY = 'resize' as const;

/**
 * A pixel at or below this fraction of full opacity counts as hidden: its colour contributes at most
 * 2 % (5 levels of 255) to what is seen, and editors often store black or garbage there.
 */
const HIDDEN = 0.02;

/**
 * Gives every hidden pixel (see HIDDEN) the average colour of its nearest visible neighbours, in
 * place, growing outwards ring by ring from the visible ones ("alpha bleeding"). Upscaling then mixes
 * only real colours at the edges of transparent areas instead of dragging them towards the black
 * hidden under them, which would show as a dark fringe. Nothing visible changes.
 */
export function bleedHiddenColour(rgb: Raster, alpha: Raster): void {
  const { width: w, height: h } = rgb;
  const c = rgb.channels;
  const n = w * h;
  const limit = HIDDEN * maxValue(alpha);
  const known = new Uint8Array(n);
  let hidden = 0;
  for (let i = 0; i < n; i++) {
    if (alpha.data[i] > limit) known[i] = 1;
    else hidden++;
  }
  if (hidden === 0 || hidden === n) return;
  // First ring: hidden pixels next to a visible one.
  const queued = new Uint8Array(n);
  let ring: number[] = [];
  const pushNeighbours = (i: number, into: number[]): void => {
    const x = i % w;
    const y = (i - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (xx < 0 || xx >= w || (dx === 0 && dy === 0)) continue;
        const j = yy * w + xx;
        if (!known[j] && !queued[j]) {
          queued[j] = 1;
          into.push(j);
        }
      }
    }
  };
  for (let i = 0; i < n; i++) if (known[i]) pushNeighbours(i, ring);
  const sum = new Float64Array(c);
  while (ring.length) {
    // Colours of this ring come from pixels known before it, so the fill is order-independent.
    const colours = new Float64Array(ring.length * c);
    ring.forEach((i, r) => {
      const x = i % w;
      const y = (i - x) / w;
      sum.fill(0);
      let count = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const j = yy * w + xx;
          if (!known[j]) continue;
          for (let k = 0; k < c; k++) sum[k] += rgb.data[j * c + k];
          count++;
        }
      }
      for (let k = 0; k < c; k++) colours[r * c + k] = sum[k] / count;
    });
    const next: number[] = [];
    ring.forEach((i, r) => {
      for (let k = 0; k < c; k++) rgb.data[i * c + k] = Math.round(colours[r * c + k]);
      known[i] = 1;
    });
    for (const i of ring) pushNeighbours(i, next);
    ring = next;
  }
}

/** A one-channel raster replicated into three (for the model, which sees RGB). */
export function greyToRgb(r: Raster): Raster {
  const data =
    r.data instanceof Uint16Array
      ? new Uint16Array(r.data.length * 3)
      : new Uint8Array(r.data.length * 3);
  for (let i = 0, o = 0; i < r.data.length; i++, o += 3)
    data[o] = data[o + 1] = data[o + 2] = r.data[i];
  return { width: r.width, height: r.height, channels: 3, data };
}

/** The mean of a three-channel raster's channels, as one channel. */
export function meanOfChannels(r: Raster): Raster {
  const n = r.width * r.height;
  const data = r.data instanceof Uint16Array ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0, o = 0; i < n; i++, o += 3)
    data[i] = Math.round((r.data[o] + r.data[o + 1] + r.data[o + 2]) / 3);
  return { width: r.width, height: r.height, channels: 1, data };
}

/** A one-channel raster enlarged to `width`×`height` with Lanczos-3, clamped to the valid range. */
export async function resizeChannel(r: Raster, width: number, height: number): Promise<Raster> {
  if (r.width === width && r.height === height) return r;
  const sixteen = r.data instanceof Uint16Array;
  const buf = await sharp(r.data, {
    raw: { width: r.width, height: r.height, channels: 1 },
    limitInputPixels: false,
  })
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' })
    .toColourspace(sixteen ? 'grey16' : 'b-w')
    .raw({ depth: sixteen ? 'ushort' : 'uchar' })
    .toBuffer();
  const data = sixteen
    ? new Uint16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2)
    : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return { width, height, channels: 1, data };
}

/** Composites colour over a plain background in place (for formats without transparency). */
export function flattenOnto(rgb: Raster, alpha: Raster, background: number): void {
  const max = maxValue(rgb);
  const c = rgb.channels;
  for (let i = 0; i < alpha.data.length; i++) {
    const a = alpha.data[i] / max;
    if (a >= 1) continue;
    for (let k = 0; k < c; k++)
      rgb.data[i * c + k] = Math.round(rgb.data[i * c + k] * a + background * max * (1 - a));
  }
}
