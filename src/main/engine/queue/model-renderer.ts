import type { DeviceRequest } from '../../../shared/device';
import type { ModelRegistry } from '../models/model-registry';
import { defaultFormatFor } from '../../../shared/output-rules';
import { renderToFile } from '../pipeline/render-to-file';
import { loadModel, type LoadedModel } from '../runtime/loaded-model';
import type { RenderRequest, RenderResult, Renderer } from './upscale-queue';

/**
 * The queue's renderer on real models: keeps the last loaded model (consecutive items with the same
 * model, device and precision share it) and renders each item into its temp file.
 */
export class ModelRenderer {
  private current: { key: string; model: LoadedModel } | undefined;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Scale of a model or pair (a pair's is its fidelity end's). */
  modelScale = (id: string): number => {
    const single = this.registry.isPair(id) ? this.registry.getPair(id).manifest.fidelity : id;
    return this.registry.get(single).manifest.architecture.scale;
  };

  /** Loads a model ahead of the first item (so its device can be reported). */
  prepare(id: string, device: DeviceRequest, precision: string): Promise<LoadedModel> {
    return this.model(id, device, precision);
  }

  private async model(id: string, device: DeviceRequest, precision: string): Promise<LoadedModel> {
    const key = `${id}|${device}|${precision}`;
    if (this.current?.key === key) return this.current.model;
    await this.dispose();
    const model = await loadModel(this.registry, id, {
      device,
      precision: precision as 'auto',
      log: this.log,
    });
    this.current = { key, model };
    return model;
  }

  render: Renderer = async (req: RenderRequest): Promise<RenderResult> => {
    const s = req.item.settings;
    const model = await this.model(s.model, req.device ?? s.device, s.precision);
    const r = await renderToFile(model, req.item.input, {
      tmp: req.tmp,
      format: s.format ?? defaultFormatFor(req.item.input),
      quality: s.quality,
      outWidth: req.outWidth,
      outHeight: req.outHeight,
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

  /** The model currently loaded (for reports). */
  get loaded(): LoadedModel | undefined {
    return this.current?.model;
  }

  async dispose(): Promise<void> {
    const m = this.current?.model;
    this.current = undefined;
    await m?.dispose();
  }
}
