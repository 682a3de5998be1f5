import type { DeviceRequest, Precision } from '../../../shared/device';
import type { ModelRegistry } from '../models/model-registry';
import { renderToFile } from '../pipeline/render-to-file';
import { modelCacheKey, type LoadedModel } from '../runtime/loaded-model';
import type { ModelCache, ModelKey, ModelLease } from '../runtime/model-cache';
import type { RenderRequest, RenderResult, Renderer } from './upscale-queue';

/** Scale of a registered model or pair (a pair's is its fidelity end's). */
export function registryModelScale(registry: ModelRegistry): (id: string) => number {
  return (id) => {
    const single = registry.isPair(id) ? registry.getPair(id).manifest.fidelity : id;
    return registry.get(single).manifest.architecture.scale;
  };
}

const sameKey = (a: ModelKey, b: ModelKey): boolean =>
  modelCacheKey(a.id, a.device, a.precision) === modelCacheKey(b.id, b.device, b.precision);

/**
 * The queue's renderer on real models: holds a lease on the last model it used from the shared
 * model cache (consecutive items with the same model, device and precision keep it) and renders
 * each item into its temp file, to the item's planned format and size.
 */
export class ModelRenderer {
  private current: { key: ModelKey; lease: ModelLease } | undefined;

  constructor(
    private readonly models: ModelCache,
    /** Scale of a model or pair by id (see `registryModelScale`). */
    readonly modelScale: (id: string) => number,
  ) {}

  /** Loads a model ahead of the first item (so its device can be reported). */
  prepare(id: string, device: DeviceRequest, precision: Precision): Promise<LoadedModel> {
    return this.model({ id, device, precision });
  }

  private async model(key: ModelKey, signal?: AbortSignal): Promise<LoadedModel> {
    if (this.current && sameKey(this.current.key, key)) return this.current.lease.model;
    // Let go of the last model first: if no one else holds it, its memory is free for the next.
    await this.dispose();
    const lease = await this.models.acquire(key, signal);
    this.current = { key, lease };
    return lease.model;
  }

  render: Renderer = async (req: RenderRequest): Promise<RenderResult> => {
    const s = req.item.settings;
    const key = { id: s.model, device: req.device ?? s.device, precision: s.precision };
    const model = await this.model(key, req.signal);
    const r = await renderToFile(model, req.item.input, {
      tmp: req.tmp,
      plan: req.plan,
      header: req.header,
      quality: s.quality,
      alpha: model.interpolates ? s.alpha : undefined,
      tile: req.tile ?? s.tile,
      tta: s.tta,
      keepMetadata: s.keepMetadata,
      transparency: s.transparency,
      signal: req.signal,
      onPlan: req.onPlan,
      onTile: req.onTile,
    });
    return { device: model.choice.device, tileSize: r.tileSize, notes: r.notes };
  };

  /** The model currently held (for reports). */
  get loaded(): LoadedModel | undefined {
    return this.current?.lease.model;
  }

  /** Lets go of the model held. */
  async dispose(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    await c?.lease.dispose();
  }
}
