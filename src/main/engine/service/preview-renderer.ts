import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { QueueItem } from '../../../shared/queue';
import type { ModelRegistry } from '../models/model-registry';
import { decodeImage } from '../pipeline/decode';
import { renderViewport, renderViewportEnds } from '../pipeline/preview';
import type { Raster, Rect } from '../pipeline/raster';
import { loadModel, type LoadedModel } from '../runtime/loaded-model';

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
 * Renders viewport previews of queue items with a model of its own, so a preview never unloads or
 * waits on the model the queue is running. One render at a time; the last model and the last
 * decoded input are kept for the next call (the dial asks again and again for the same image).
 */
export class PreviewRenderer {
  private model: { key: string; loaded: Promise<LoadedModel> } | undefined;
  private source: { key: string; raster: Promise<Raster> } | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Renders a region of an item's input through its model (queued behind earlier renders). */
  render(item: QueueItem, req: PreviewRequest): Promise<PreviewRender> {
    const run = this.chain.catch(() => undefined).then(() => this.renderNow(item, req));
    this.chain = run;
    return run;
  }

  private async renderNow(item: QueueItem, req: PreviewRequest): Promise<PreviewRender> {
    const s = item.settings;
    const model = await this.loaded(s.model, s.device, s.precision);
    const src = await this.decoded(item.input);
    const region = clampRegion(req.region, src, item.input);
    const k = model.scale;
    const view = { x: region.x * k, y: region.y * k, w: region.w * k, h: region.h * k };
    if (!model.interpolates)
      return { region, scale: k, exact: await renderViewport(model, src, view) };
    const out: PreviewRender = { region, scale: k };
    if (req.ends) Object.assign(out, await renderViewportEnds(model, src, view));
    if (!req.ends || req.alpha !== undefined) {
      out.alpha = req.alpha ?? s.alpha ?? model.defaultAlpha;
      out.exact = await renderViewport(model, src, view, out.alpha);
    }
    return out;
  }

  private loaded(id: string, device: QueueItem['settings']['device'], precision: string) {
    const key = `${id}|${device}|${precision}`;
    if (this.model?.key !== key) {
      const previous = this.model?.loaded;
      const loaded = (async () => {
        await previous?.then((m) => m.dispose()).catch(() => undefined);
        return loadModel(this.registry, id, {
          device,
          precision: precision as 'auto',
          log: this.log,
        });
      })();
      this.model = { key, loaded };
      // A failed load is not kept: the next call tries again.
      loaded.catch(() => {
        if (this.model?.loaded === loaded) this.model = undefined;
      });
    }
    return this.model.loaded;
  }

  private async decoded(path: string): Promise<Raster> {
    const st = await stat(path);
    const key = `${path}|${st.mtimeMs}|${st.size}`;
    if (this.source?.key !== key) {
      const raster = decodeImage(path).then((d) => d.rgb);
      this.source = { key, raster };
      raster.catch(() => {
        if (this.source?.raster === raster) this.source = undefined;
      });
    }
    return this.source.raster;
  }

  /** Drops the model (e.g. after models were removed) and the decoded image. */
  async dispose(): Promise<void> {
    await this.chain.catch(() => undefined);
    const m = this.model?.loaded;
    this.model = undefined;
    this.source = undefined;
    await m?.then((x) => x.dispose()).catch(() => undefined);
  }
}

/** Clamps a region to the image; one that starts outside it is an error. */
export function clampRegion(r: Rect, img: { width: number; height: number }, name: string): Rect {
  if (r.x >= img.width || r.y >= img.height)
    throw new Error(
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
