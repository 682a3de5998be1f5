import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { throwIfCancelled } from '../../../shared/cancel';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import type { QueueItem } from '../../../shared/queue';
import { decodeImage } from '../pipeline/decode';
import { renderViewport, renderViewportEnds } from '../pipeline/preview';
import { PREVIEW_PIECE, planPieces, renderPiece } from '../pipeline/preview-pieces';
import type { Raster, Rect } from '../pipeline/raster';
import { modelCacheKey, type LoadedModel } from '../runtime/loaded-model';
import type { ModelCache, ModelKey, ModelLease } from '../runtime/model-cache';

export interface PreviewRequest {
  /** Input px; clamped to the image. */
  region: Rect;
  alpha?: number;
  ends?: boolean;
}

/** Both ends of a region rendered piece by piece (see `renderEnds`). */
export interface EndsRequest {
  /** Input px; clamped to the image. */
  region: Rect;
  /** Core side of a piece in input px (default `PREVIEW_PIECE`). */
  piece?: number;
}

/** The plan of an ends job, known before its first piece. */
export interface EndsPlan {
  region: Rect;
  scale: number;
  /** Cores of the pieces in render order (centre first), input px. */
  pieces: Rect[];
}

export type End = 'fidelity' | 'perceptual';

/** One rendered piece of one end, with the tally so far. */
export interface EndsPiece {
  end: End;
  /** Index into the plan's `pieces`. */
  index: number;
  core: Rect;
  /** The core, `scale`× (output px). */
  raster: Raster;
  ready: Record<End, number>;
  pieces: number;
}

export interface EndsHooks {
  /** Stops the job before its next piece (a piece in flight finishes, unreported). */
  signal?: AbortSignal;
  onPlan?: (plan: EndsPlan) => void;
  /** Awaited before the next piece is started (keeps the events in order). */
  onPiece?: (p: EndsPiece) => void | Promise<void>;
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
  /** The running ends job of each item: a new one for the same item supersedes it. */
  private readonly endsJobs = new Map<string, AbortController>();
  /** Fired by `dispose`: renders still queued stop at their next step. */
  private closing = new AbortController();

  constructor(private readonly models: ModelCache) {}

  /**
   * Renders a region of an item's input through its model (queued behind earlier renders). A fired
   * signal stops it between its steps (model, decode, each model run) with `cancelled`.
   */
  render(item: QueueItem, req: PreviewRequest, signal?: AbortSignal): Promise<PreviewRender> {
    const stop = this.stopSignal(signal);
    return this.enqueue(() => this.renderNow(item, req, stop));
  }

  private stopSignal(signal?: AbortSignal): AbortSignal {
    return signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
  }

  /** Runs `step` after everything queued before it: one model run at a time. */
  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this.chain.catch(() => undefined).then(step);
    this.chain = run;
    return run;
  }

  /**
   * Renders both ends (α 0 and 1) of a region of a pair in small pieces, centre first, each piece
   * of both ends before the next, so the dial can blend what is ready. Each piece is one step of
   * the render queue: an exact render asked for meanwhile waits for one piece at most. A new job
   * for the same item, `cancelEnds` or the signal stop it before its next piece (`cancelled`).
   */
  async renderEnds(item: QueueItem, req: EndsRequest, hooks: EndsHooks = {}): Promise<EndsPlan> {
    this.endsJobs.get(item.id)?.abort();
    const mine = new AbortController();
    this.endsJobs.set(item.id, mine);
    const signal = AbortSignal.any([mine.signal, this.stopSignal(hooks.signal)]);
    const what = `preview of ${item.input}`;
    try {
      const s = item.settings;
      const key = { id: s.model, device: s.device, precision: s.precision };
      // Model and image are fetched inside each step: an exact render of another item between two
      // pieces may have swapped the model held (they come back from the cache).
      const step = <T>(f: (model: LoadedModel, src: Raster) => Promise<T>): Promise<T> =>
        this.enqueue(async () => {
          throwIfCancelled(signal, what);
          const model = await this.loaded(key);
          throwIfCancelled(signal, what);
          return f(model, await this.decoded(item.input, signal));
        });
      const { plan, pieces } = await step(async (model, src) => {
        if (!model.interpolates)
          throw new UpresError(
            'request.invalid',
            msg('batch.noEnds', { file: item.input, model: model.id }),
          );
        const region = clampRegion(req.region, src, item.input);
        const pieces = planPieces(region, src, req.piece ?? PREVIEW_PIECE, model.defaultOverlap);
        const plan: EndsPlan = { region, scale: model.scale, pieces: pieces.map((p) => p.core) };
        return { plan, pieces };
      });
      hooks.onPlan?.(plan);
      const ready = { fidelity: 0, perceptual: 0 };
      for (const piece of pieces)
        for (const [end, alpha] of [
          ['fidelity', 0],
          ['perceptual', 1],
        ] as const) {
          throwIfCancelled(signal, what);
          const raster = await step((model, src) => renderPiece(model, src, piece, alpha));
          throwIfCancelled(signal, what);
          ready[end]++;
          await hooks.onPiece?.({
            end,
            index: piece.index,
            core: piece.core,
            raster,
            ready: { ...ready },
            pieces: pieces.length,
          });
        }
      return plan;
    } finally {
      if (this.endsJobs.get(item.id) === mine) this.endsJobs.delete(item.id);
    }
  }

  /** Stops the ends job of an item (all items when none is named) before its next piece. */
  cancelEnds(id?: string): void {
    for (const [k, job] of this.endsJobs) if (id === undefined || k === id) job.abort();
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
    if (this.model?.key === k && !this.model.lease.model.ended) return this.model.lease.model;
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
      msg('batch.regionOutside', {
        file: name,
        x: r.x,
        y: r.y,
        width: img.width,
        height: img.height,
      }),
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
