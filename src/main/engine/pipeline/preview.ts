import type { LoadedModel } from '../runtime/loaded-model';
import { maxValue, rasterRegionToTensor, type Raster, type Rect } from './raster';

/**
 * Context around a preview viewport: less than export tiles get, traded for interactive speed (x4plus
 * pair, 256 px viewport on this 2-core CPU: 2.5 s at 8 px, 3.6 s at 16 px). Only pixels near the
 * viewport's edge can differ from the export; the export always uses full tiling context.
 */
export const PREVIEW_CONTEXT = 8;

/** Rounds a w×h window at x, y of a planar model output into an interleaved raster of `depth`. */
export function cropTensor(
  t: Float32Array,
  tw: number,
  th: number,
  x: number,
  y: number,
  w: number,
  h: number,
  depth: Raster['data'],
): Raster {
  const c = 3;
  const max = depth instanceof Uint16Array ? 65535 : 255;
  const data =
    depth instanceof Uint16Array ? new Uint16Array(w * h * c) : new Uint8Array(w * h * c);
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++)
      for (let k = 0; k < c; k++) {
        const v = t[(k * th + y + j) * tw + x + i];
        data[(j * w + i) * c + k] = Math.round((v <= 0 ? 0 : v >= 1 ? 1 : v) * max);
      }
  return { width: w, height: h, channels: c, data };
}

/**
 * Renders the output-pixel rectangle `view` of an image (`src` at input resolution) in one model
 * run, reading `context` input px around it. For pairs, `alpha` picks the blend exactly.
 */
export async function renderViewport(
  model: LoadedModel,
  src: Raster,
  view: Rect,
  alpha?: number,
  context = PREVIEW_CONTEXT,
): Promise<Raster> {
  const s = model.scale;
  if (
    view.w <= 0 ||
    view.h <= 0 ||
    view.x < 0 ||
    view.y < 0 ||
    view.x + view.w > src.width * s ||
    view.y + view.h > src.height * s
  ) {
    throw new Error(
      `viewport ${view.w}×${view.h}+${view.x}+${view.y} lies outside the ${src.width * s}×${src.height * s} output`,
    );
  }
  const x0 = Math.max(0, Math.floor(view.x / s) - context);
  const y0 = Math.max(0, Math.floor(view.y / s) - context);
  const x1 = Math.min(src.width, Math.ceil((view.x + view.w) / s) + context);
  const y1 = Math.min(src.height, Math.ceil((view.y + view.h) / s) + context);
  const out = await model.run(rasterRegionToTensor(src, x0, y0, x1 - x0, y1 - y0), alpha);
  const [, , th, tw] = out.dims;
  return cropTensor(out.data, tw, th, view.x - x0 * s, view.y - y0 * s, view.w, view.h, src.data);
}

/** The viewport at both ends of a pair (α = 0 and α = 1), for instant pixel blending while dragging. */
export async function renderViewportEnds(
  model: LoadedModel,
  src: Raster,
  view: Rect,
  context = PREVIEW_CONTEXT,
): Promise<{ fidelity: Raster; perceptual: Raster }> {
  if (!model.interpolates)
    throw new Error(`${model.id} is a single model; it has no ends to blend`);
  return {
    fidelity: await renderViewport(model, src, view, 0, context),
    perceptual: await renderViewport(model, src, view, 1, context),
  };
}

/** Pixel blend (1 − α)·a + α·b: an instant approximation of the network blend while α moves. */
export function blendPixels(a: Raster, b: Raster, alpha: number): Raster {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels)
    throw new Error('blendPixels: sizes differ');
  const data =
    a.data instanceof Uint16Array ? new Uint16Array(a.data.length) : new Uint8Array(a.data.length);
  const max = maxValue(a);
  for (let i = 0; i < data.length; i++)
    data[i] = Math.min(max, Math.round((1 - alpha) * a.data[i] + alpha * b.data[i]));
  return { ...a, data };
}
