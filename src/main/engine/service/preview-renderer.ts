import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { throwIfCancelled } from '../../../shared/cancel';
import { UpresError } from '../../../shared/errors';
import type { QueueItem } from '../../../shared/queue';
import { decodeImage } from '../pipeline/decode';
import { renderViewport, renderViewportEnds } from '../pipeline/preview';
import type { Raster, Rect } from '../pipeline/raster';
import { modelCacheKey, type LoadedModel } from '../runtime/loaded-model';
import type { ModelCache, ModelKey, ModelLease } from '../runtime/model-cache';

export interface PreviewRequest {
  /** Input px; clamped to the image. */
  region: Rect;
  alpha?: number;
  ends?: boolean;
}

export interface PreviewRender {
  /** The region actually rendered (input px), after clamping to the image. */
  region: Rect;
  /** Output px per input px of the renders (the model's scale). */
  scale: number;
  exact?: Raster;
  fidelity?: Raster;
  perceptual?: Raster;
  /** α of the exact render (pairs only). */
  alpha?: number;
}

/**
 * Renders viewport previews of queue items with models from the shared cache (the same model as
 * the queue's when the settings match: loaded once, never unloaded under the other's feet). One
 * render at a time; the last model (a lease on it) and the last decoded input are kept for the
 * next call (the dial asks again and again for the same image).
 */
export class PreviewRenderer {
  private model: { key: string; lease: ModelLease } | undefined;
  private source: { key: string; raster: Promise<Raster> } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** Fired by `dispose`: renders still queued stop at their next step. */
  private closing = new AbortController();

  constructor(private readonly models: ModelCache) {}

  /**
   * Renders a region of an item's input through its model (queued behind earlier renders). A fired
   * signal stops it between its steps (model, decode, each model run) with `cancelled`.
   */
  render(item: QueueItem, req: PreviewRequest, signal?: AbortSignal): Promise<PreviewRender> {
    const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    const run = this.chain.catch(() => undefined).then(() => this.renderNow(item, req, stop));
    this.chain = run;
    return run;
  }

  private async renderNow(
    item: QueueItem,
    req: PreviewRequest,
    signal: AbortSignal,
  ): Promise<PreviewRender> {
    const what = `preview of ${item.input}`;
    throwIfCancelled(signal, what);
    const s = item.settings;
    const model = await this.loaded({ id: s.model, device: s.device, precision: s.precision });
    throwIfCancelled(signal, what);
    const src = await this.decoded(item.input, signal);
    const region = clampRegion(req.region, src, item.input);
    const k = model.scale;
    const view = { x: region.x * k, y: region.y * k, w: region.w * k, h: region.h * k };
    throwIfCancelled(signal, what);
    if (!model.interpolates)
      return { region, scale: k, exact: await renderViewport(model, src, view) };
    const out: PreviewRender = { region, scale: k };
    if (req.ends) Object.assign(out, await renderViewportEnds(model, src, view));
    if (!req.ends || req.alpha !== undefined) {
      throwIfCancelled(signal, what);
      out.alpha = req.alpha ?? s.alpha ?? model.defaultAlpha;
      out.exact = await renderViewport(model, src, view, out.alpha);
    }
    return out;
  }

  private async loaded(key: ModelKey): Promise<LoadedModel> {
    const k = modelCacheKey(key.id, key.device, key.precision);
    if (this.model?.key === k) return this.model.lease.model;
    // Let go of the last one first (renders run one at a time, so nothing here still uses it).
    const previous = this.model;
    this.model = undefined;
    await previous?.lease.dispose().catch(() => undefined);
    const lease = await this.models.acquire(key, this.closing.signal);
    this.model = { key: k, lease };
    return lease.model;
  }

  private async decoded(path: string, signal: AbortSignal): Promise<Raster> {
    const st = await stat(path);
    const key = `${path}|${st.mtimeMs}|${st.size}`;
    if (this.source?.key !== key) {
      const raster = decodeImage(path, { signal }).then((d) => d.rgb);
      this.source = { key, raster };
      raster.catch(() => {
        if (this.source?.raster === raster) this.source = undefined;
      });
    }
    return this.source.raster;
  }

  /**
   * Lets go of the model (e.g. after models were removed) and the decoded image; renders still
   * queued stop with `cancelled`. A later render loads what it needs again.
   */
  async dispose(): Promise<void> {
    const closing = this.closing;
    this.closing = new AbortController();
    closing.abort();
    await this.chain.catch(() => undefined);
    const m = this.model;
    this.model = undefined;
    this.source = undefined;
    await m?.lease.dispose().catch(() => undefined);
  }
}

/** Clamps a region to the image; one that starts outside it is an error. */
export function clampRegion(r: Rect, img: { width: number; height: number }, name: string): Rect {
  if (r.x >= img.width || r.y >= img.height)
    throw new UpresError(
      'request.invalid',
      `${name}: region at ${r.x},${r.y} starts outside the ${img.width}×${img.height} image`,
    );
  return {
    x: r.x,
    y: r.y,
    w: Math.min(r.w, img.width - r.x),
    h: Math.min(r.h, img.height - r.y),
  };
}

/** PNG of a render (16-bit stays 16-bit); light compression, since previews are made on demand. */
export function rasterToPng(r: Raster): Promise<Buffer> {
  let img = sharp(r.data, { raw: { width: r.width, height: r.height, channels: 3 } });
  if (r.data instanceof Uint16Array) img = img.toColourspace('rgb16');
  return img.png({ compressionLevel: 2 }).toBuffer();
}
