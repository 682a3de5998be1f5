import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { ApiRequest, ApiResponse, EngineEvent } from '../../../shared/api';
import { asMessage, msg, textOf, type EngineMessage } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { applyPatch, type Patch } from '../../../shared/patch';
import {
  FINISHED,
  type ItemSettings,
  type ItemSettingsInput,
  type QueueItem,
} from '../../../shared/queue';
import type { AppSettings } from '../../../shared/settings';
import { disposeAll } from '../../../shared/dispose';
import { chainStages } from '../models/chain-id';
import type { ModelRegistry } from '../models/model-registry';
import { appJournalPath, journalDir } from '../queue/journal';
import { ModelRenderer, registryModelDigest, registryModelScale } from '../queue/model-renderer';
import { UpscaleQueue } from '../queue/upscale-queue';
import { ModelCache } from '../runtime/model-cache';
import { ImageTokens } from './image-tokens';
import { fileImageToken } from './item-images';
import { PreviewRenderer, rasterToPng } from './preview-renderer';
import { startEndsJob } from './preview-ends-job';
import { checkPreset, presetFromItem, presetNaming, presetPatch } from './preset-check';
import { PresetStore, presetsPath } from './preset-store';
import { SettingsStore } from './settings-store';
import { FarmLink } from './farm-link';

export interface AppEngineOptions {
  /** The per-user folder: `queue/app.json` and `settings.json` live there. */
  userData: string;
  registry: ModelRegistry;
  version: string;
  /** Diagnostics for a terminal or a log file (warnings also go out as events). */
  log?: (line: string) => void;
}

/**
 * Where queued items go when neither the request nor the settings name a folder: a sibling of the
 * input folder, `<folder>-upscaled` (never inside it: the input folder is only written to when the
 * user chooses it as the output).
 */
export async function defaultOutDir(firstInput: string): Promise<string> {
  const isDir = await stat(firstInput).then(
    (s) => s.isDirectory(),
    () => false,
  );
  const base = isDir ? firstInput : dirname(firstInput);
  return join(dirname(base), `${basename(base) || 'photos'}-upscaled`);
}

/** Expands a leading `~` (paths typed into the browser UI) and makes the path absolute. */
export function expandPath(path: string): string {
  const home = /^~(?=$|[\\/])/;
  return resolve(home.test(path) ? path.replace(home, homedir()) : path);
}

/**
 * The engine behind the app's UI, whatever the transport: the model registry, one batch queue
 * (journaled at `<userData>/queue/app.json`, restored with its unfinished items), the settings,
 * viewport previews on their own model, and the image tokens the transports serve. Everything the
 * renderer is told comes out as `event`s.
 */
export class AppEngine extends EventEmitter<{ event: [EngineEvent] }> {
  readonly images = new ImageTokens();
  /** Problems found while opening (also logged), in English. */
  readonly warnings: string[] = [];
  /** The same, with their keys: every window is told them in its first `queueList`. */
  private readonly openingWarnings: EngineMessage[] = [];
  private closing: Promise<void> | undefined;
  /** The render farm (Settings → Farm, *Send to farm*); idle without a farm set. */
  farm!: FarmLink;

  private constructor(
    readonly registry: ModelRegistry,
    readonly version: string,
    private readonly queue: UpscaleQueue,
    private readonly renderer: ModelRenderer,
    private readonly previews: PreviewRenderer,
    private readonly settings: SettingsStore,
    private readonly log: (line: string) => void,
    /** The presets file shared with `upres presets`. */
    readonly presets: PresetStore,
  ) {
    super();
    // One listener per connected page or window.
    this.setMaxListeners(100);
    queue.on('item', (item) => this.send({ kind: 'item', item }));
    queue.on('removed', (ids) => this.send({ kind: 'removed', ids }));
    queue.on('moved', (id, index) => this.send({ kind: 'moved', id, index }));
    // The loop stopped (done, paused or failed): the queue's own state says it is no longer running.
    queue.on('idle', () => this.sendQueueState());
    queue.on('progress', (p) => this.send({ kind: 'progress', ...p }));
    queue.on('warning', (message) => this.warn(message));
  }

  /** Opens the settings and the app's queue (finished items of an earlier run are dropped). */
  static async open(opt: AppEngineOptions): Promise<AppEngine> {
    const log = opt.log ?? (() => undefined);
    const { store, warnings } = await SettingsStore.open(join(opt.userData, 'settings.json'));
    // Device fallbacks are worth showing in the UI, not only in a log.
    const opened: { engine?: AppEngine } = {};
    // A session's choice comes as the CLI's line and as its keyed sentences (one warning each,
    // see choiceMessages in runtime/open-session.ts); other lines are plain text.
    const modelLog = (line: EngineMessage | string, messages?: EngineMessage[]): void => {
      const engine = opened.engine;
      if (!engine) return log(textOf(line));
      for (const m of messages ?? [line]) engine.warn(m);
    };
    // One cache for the queue's renderer and the previews: the same model is loaded once.
    const models = ModelCache.forRegistry(opt.registry, modelLog, { audience: 'app' });
    const renderer = new ModelRenderer(
      models,
      registryModelScale(opt.registry),
      registryModelDigest(opt.registry),
    );
    // The queue's lock is the app's and `upres serve`'s alike: a second one is refused
    // (`queue.busy`, naming the process that runs it).
    const queue = await UpscaleQueue.open({
      journalPath: appJournalPath(journalDir(opt.userData)),
      render: renderer.render,
      modelScale: renderer.modelScale,
    });
    await queue.clearFinished();
    const previews = new PreviewRenderer(models);
    const presets = new PresetStore(presetsPath(opt.userData));
    const engine = new AppEngine(
      opt.registry,
      opt.version,
      queue,
      renderer,
      previews,
      store,
      log,
      presets,
    );
    opened.engine = engine;
    engine.farm = await FarmLink.open({
      userData: opt.userData,
      local: engine,
      send: (e) => engine.send(e),
      log,
    });
    engine.openingWarnings.push(
      ...[...opt.registry.warnings, ...warnings, ...queue.warnings].map(asMessage),
    );
    engine.warnings.push(...engine.openingWarnings.map(textOf));
    for (const w of engine.warnings) log(`warning: ${w}`);
    return engine;
  }

  private send(e: EngineEvent): void {
    this.emit('event', e);
  }

  private warn(warning: EngineMessage | string): void {
    const message = textOf(warning);
    this.log(`warning: ${message}`);
    const detail = typeof warning === 'string' || !warning.key ? undefined : warning;
    this.send(detail ? { kind: 'warning', message, detail } : { kind: 'warning', message });
  }

  /** The queue's state as an event (sent to each new subscriber, and after every change). */
  queueState(): EngineEvent {
    return { kind: 'queue', paused: this.queue.isPaused, running: this.queue.isRunning };
  }

  private sendQueueState(): void {
    this.send(this.queueState());
  }

  private item(id: string): QueueItem {
    const item = this.queue.get(id);
    if (!item) throw new UpresError('not-found', msg('batch.noItem', { id }));
    return item;
  }

  /** Whether a model id has a dial: a pair, or a chain with a pair among its stages. */
  private dials(id: string): boolean {
    return (chainStages(id) ?? [id]).some((stage) => this.registry.isPair(stage));
  }

  private knows(id: string, which: 'input' | 'output', path: string): boolean {
    const item = this.queue.get(id);
    return item !== undefined && (which === 'input' ? item.input : item.output) === path;
  }

  queueList(): ApiResponse<'queueList'> {
    return {
      items: this.queue.snapshot(),
      paused: this.queue.isPaused,
      ...(this.openingWarnings.length > 0 ? { warnings: this.openingWarnings } : {}),
    };
  }

  /** Adds inputs; placement and unset item settings come from the saved settings. */
  async queueAdd(req: ApiRequest<'queueAdd'>): Promise<ApiResponse<'queueAdd'>> {
    const s = this.settings.get();
    const paths = req.paths.map(expandPath);
    const fromSettings: ItemSettingsInput = {
      model: req.settings.model,
      keepMetadata: s.keepMetadata,
      transparency: s.transparency,
      device: s.device,
      tile: s.tile,
      alpha: this.dials(req.settings.model) ? s.alpha : undefined,
    };
    // null asks for the item default (e.g. automatic tiles) whatever the saved settings say.
    const settings = applyPatch(fromSettings, req.settings as Patch<ItemSettingsInput>);
    const outDir = expandPath(req.outDir ?? (s.outDir || (await defaultOutDir(paths[0]))));
    return this.queue.add(paths, settings as ItemSettingsInput, {
      outDir,
      // A folder given with the request is the items' own; otherwise they follow the default.
      outDirSet: req.outDir !== undefined,
      nameTemplate: req.nameTemplate ?? s.nameTemplate,
      onExists: req.onExists ?? s.onExists,
      recursive: req.recursive ?? true,
    });
  }

  /** Puts back items *Clear finished* removed (an undo). */
  async queueRestore(req: ApiRequest<'queueRestore'>): Promise<ApiResponse<'queueRestore'>> {
    return { restored: await this.queue.controls.restore(req.ids) };
  }

  /** Exports a pair's photo again at another α, as its own row that starts at once. */
  async queueReexport(req: ApiRequest<'queueReexport'>): Promise<ApiResponse<'queueReexport'>> {
    if (this.closing) throw new UpresError('engine.stopped', msg('batch.shuttingDown'));
    const source = this.item(req.id);
    if (!this.dials(source.settings.model))
      throw new UpresError(
        'request.invalid',
        msg('batch.alphaSingleModel', { file: source.input, model: source.settings.model }),
      );
    const item = await this.queue.controls.reexport(req.id, req.alpha, req.nameTemplate);
    this.sendQueueState();
    return { item };
  }

  async queueUpdate(req: ApiRequest<'queueUpdate'>): Promise<ApiResponse<'queueUpdate'>> {
    return { updated: await this.queue.update(req.ids, req.settings as Patch<ItemSettings>) };
  }

  /** Saves an item's output settings and naming as a preset (its model must be installed). */
  async presetSave(req: ApiRequest<'presetSave'>): Promise<ApiResponse<'presetSave'>> {
    const settings = presetFromItem(this.item(req.id));
    checkPreset(this.registry, { name: req.name, settings }, this.presets.path);
    return this.presets.save(req.name, settings, { replace: req.replace });
  }

  /** Applies a preset (checked against the installed models first) to the waiting items. */
  async presetApply(req: ApiRequest<'presetApply'>): Promise<ApiResponse<'presetApply'>> {
    const preset = await this.presets.get(req.name);
    checkPreset(this.registry, preset, this.presets.path);
    const patch = presetPatch(preset.settings);
    const updated = await this.queue.controls.update(req.ids, patch, presetNaming(preset.settings));
    return { updated };
  }

  async queueControl(req: ApiRequest<'queueControl'>): Promise<ApiResponse<'queueControl'>> {
    let removed: QueueItem[] | undefined;
    switch (req.action) {
      case 'start':
        this.start();
        break;
      case 'pause':
        await this.queue.pause();
        break;
      case 'cancelAll':
        await this.queue.cancelAll();
        break;
      case 'retryAll':
        await this.queue.controls.retryAll();
        break;
      case 'clearFinished':
        removed = await this.queue.clearFinished();
        break;
      case 'cancel':
        this.item(req.id);
        await this.queue.cancel(req.id);
        break;
      case 'retry':
        this.item(req.id);
        await this.queue.retry(req.id);
        break;
      case 'remove':
        this.item(req.id);
        await this.queue.remove(req.id);
        break;
      case 'move':
        this.item(req.id);
        await this.queue.move(req.id, req.index);
        break;
    }
    // Item changes went out as `item` / `removed` / `moved` events; only start and pause change
    // the queue's own state (paused, running), which no other event carries.
    if (req.action === 'start' || req.action === 'pause') this.sendQueueState();
    return removed ? { ok: true, removed } : { ok: true };
  }

  private start(): void {
    if (this.closing) throw new UpresError('engine.stopped', msg('batch.shuttingDown'));
    const already = this.queue.isRunning;
    const loop = this.queue.start();
    // One handler per run of the loop (a start while it runs joins the same run).
    if (!already)
      loop.catch((err: unknown) =>
        // The cause's own sentence (English) goes in as a value: keys do not nest.
        this.warn(msg('batch.queueStopped', { reason: (err as Error).message })),
      );
  }

  /** Renders a viewport of an item (see the contract); images come back as tokens. */
  async preview(req: ApiRequest<'preview'>): Promise<ApiResponse<'preview'>> {
    const item = this.item(req.id);
    const t0 = performance.now();
    const r = await this.previews.render(item, {
      region: req.region,
      alpha: req.alpha,
      ends: req.ends,
    });
    const token = async (raster: typeof r.exact): Promise<string | undefined> => {
      if (!raster) return undefined;
      const size = { width: raster.width, height: raster.height };
      return this.images.putBytes(await rasterToPng(raster), 'image/png', size).token;
    };
    return {
      region: r.region,
      scale: r.scale,
      exact: await token(r.exact),
      fidelity: await token(r.fidelity),
      perceptual: await token(r.perceptual),
      alpha: r.alpha,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  /** Starts the piece-by-piece render of both ends of a region (see the contract). */
  previewEnds(req: ApiRequest<'previewEnds'>): Promise<ApiResponse<'previewEnds'>> {
    return startEndsJob(this.previews, this.images, this.item(req.id), req, (e) => this.send(e));
  }

  /** Stops the ends job of an item, or of every item. */
  previewCancel(req: ApiRequest<'previewCancel'>): ApiResponse<'previewCancel'> {
    this.previews.cancelEnds(req.id);
    return { ok: true };
  }

  /** A token for an item's input or finished output (only files of queue items are served). */
  async itemImage(req: ApiRequest<'itemImage'>): Promise<ApiResponse<'itemImage'>> {
    const item = this.item(req.id);
    const path = req.which === 'input' ? item.input : item.output;
    if (!path || (req.which === 'output' && !FINISHED.includes(item.state)))
      throw new UpresError('not-found', msg('batch.noOutputYet', { file: item.input }));
    return fileImageToken(this.images, path, req.maxSide, () =>
      this.knows(item.id, req.which, path),
    );
  }

  settingsGet(): AppSettings {
    return this.settings.get();
  }

  /**
   * Changes the settings; a new default output folder moves the waiting items that have no folder
   * of their own (their outputs planned again).
   */
  async settingsSet(patch: ApiRequest<'settingsSet'>): Promise<AppSettings> {
    const before = this.settings.get().outDir;
    const next = await this.settings.set(patch as Patch<AppSettings>);
    if (next.outDir && next.outDir !== before)
      await this.queue.controls.followDefaultFolder(expandPath(next.outDir));
    return next;
  }

  /**
   * Shuts down cleanly: pauses the queue (journaled; the running tile is stopped at once, its
   * worker terminated, and the item continues from its kept tiles next time), waits up to `waitMs`
   * for the loop to stop, and disposes every session.
   */
  close(waitMs = 1500): Promise<void> {
    this.closing ??= (async () => {
      await this.farm.close().catch(() => undefined);
      await this.queue.pause();
      if (this.queue.isRunning) {
        const stopped = new Promise<void>((done) => this.queue.once('idle', () => done()));
        await Promise.race([stopped, new Promise((done) => setTimeout(done, waitMs).unref())]);
      }
      // Gives up the journal's lock: another app or `upres serve` may take the queue now.
      await this.queue.close().catch(() => undefined);
      await disposeAll([this.renderer, this.previews]).catch(() => undefined);
      this.images.clear();
      this.removeAllListeners();
    })();
    return this.closing;
  }
}
