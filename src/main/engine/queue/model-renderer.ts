import type { DeviceRequest, Precision } from '../../../shared/device';
import { chainStages } from '../models/chain-id';
import type { ModelRegistry } from '../models/model-registry';
import { renderToFile } from '../pipeline/render-to-file';
import { userGpuTiles } from '../runtime/gpu-tile-store';
import { modelCacheKey, type LoadedModel } from '../runtime/loaded-model';
import type { ModelCache, ModelKey, ModelLease } from '../runtime/model-cache';
import type { RenderRequest, RenderResult, Renderer } from './queue-types';

/** Scale of a registered model or pair (a pair's is its fidelity end's; a chain's the product). */
export function registryModelScale(registry: ModelRegistry): (id: string) => number {
  return function scale(id: string): number {
    const chain = chainStages(id);
    if (chain) return chain.reduce((s, stage) => s * scale(stage), 1);
    const single = registry.isPair(id) ? registry.getPair(id).manifest.fidelity : id;
    return registry.get(single).manifest.architecture.scale;
  };
}

/** A digest of a model's or pair's weights (the manifests' sha256), for tile store fingerprints. */
export function registryModelDigest(registry: ModelRegistry): (id: string) => string {
  return function digest(id: string): string {
    const chain = chainStages(id);
    if (chain) return chain.map(digest).join('>');
    if (!registry.isPair(id)) return registry.get(id).manifest.weights.sha256;
    const p = registry.getPair(id).manifest;
    return [p.fidelity, p.perceptual].map((m) => registry.get(m).manifest.weights.sha256).join('+');
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
    /** Weights digest by id (see `registryModelDigest`); without it no tiles are kept on disk. */
    private readonly modelDigest?: (id: string) => string,
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

  /**
   * Stops a model's runs now (pause, cancel): its sessions are terminated and it leaves the cache,
   * so the next render starts a fresh session.
   */
  private async kill(key: ModelKey, model: LoadedModel): Promise<void> {
    this.models.evict(key);
    const c = this.current;
    if (c?.lease.model === model) this.current = undefined;
    await model.terminate().catch(() => undefined);
    if (c?.lease.model === model) await c.lease.dispose().catch(() => undefined);
  }

  render: Renderer = async (req: RenderRequest): Promise<RenderResult> => {
    const s = req.item.settings;
    const key = { id: s.model, device: req.device ?? s.device, precision: s.precision };
    const model = await this.model(key, req.signal);
    // onnxruntime cannot stop a run in flight: its worker is terminated instead.
    const stop = (): void => void this.kill(key, model);
    if (req.signal.aborted) stop();
    req.signal.addEventListener('abort', stop, { once: true });
    try {
      return await this.renderWith(model, req);
    } finally {
      req.signal.removeEventListener('abort', stop);
    }
  };

  private async renderWith(model: LoadedModel, req: RenderRequest): Promise<RenderResult> {
    const s = req.item.settings;
    const digest = req.tileStore && this.modelDigest?.(s.model);
    const r = await renderToFile(model, req.item.input, {
      tmp: req.tmp,
      plan: req.plan,
      header: req.header,
      quality: s.quality,
      bitDepth: s.bitDepth,
      compression: s.compression,
      effort: s.effort,
      keepPrintSize: s.keepPrintSize,
      alpha: model.interpolates ? s.alpha : undefined,
      tile: req.tile ?? s.tile,
      tta: s.tta,
      keepMetadata: s.keepMetadata,
      transparency: s.transparency,
      signal: req.signal,
      onPlan: req.onPlan,
      onTile: req.onTile,
      tileStore: req.tileStore && digest ? { dir: req.tileStore, modelDigest: digest } : undefined,
    });
    // A retry's smaller tile that fitted on a GPU (which reports no free memory) is where the next
    // job on this device and model starts.
    const { device, fp16 } = model.choice;
    if (req.tile !== undefined && device !== 'cpu')
      await userGpuTiles()
        .put({ device, fp16, model: model.id }, r.tileSize)
        .catch(() => undefined);
    return { device, tileSize: r.tileSize, notes: r.notes };
  }

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
