import { EventEmitter } from 'node:events';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { inspectImage } from '../pipeline/decode';
import type { DeviceRequest } from '../../../shared/device';
import { applyPatch, type Patch } from '../../../shared/patch';
import {
  FINISHED,
  ItemSettings,
  Placement,
  type ItemSettingsInput,
  type PlacementInput,
  type QueueItem,
  type QueueProgress,
} from '../../../shared/queue';
import { collectInputs, type InputProblem } from './collect-inputs';
import {
  cleanTempFiles,
  commitOutput,
  findCommitted,
  finishCommit,
  tempPathFor,
} from '../pipeline/safe-write';
import { classifyFault, diskMessage, MIN_RETRY_TILE } from './fault-policy';
import { Journal, processAlive, type JournalFile } from './journal';
import { checkNameTemplate, plannedOutputPath } from './output-naming';
import { defaultFormatFor, outputSize } from '../../../shared/output-rules';

/** One render of an item into a temp file; the queue names, commits and records the result. */
export interface RenderRequest {
  item: QueueItem;
  /** Where the finished image must be written (a temp file beside the final path). */
  tmp: string;
  /** Final output size. */
  outWidth: number;
  outHeight: number;
  signal: AbortSignal;
  /** Called once the tile size is chosen, before the first tile runs. */
  onPlan: (tileSize: number) => void;
  /** Overrides after a fault: smaller tiles, another device. */
  tile?: number;
  device?: DeviceRequest;
  onTile: (p: { tile: number; tiles: number; tileSize: number }) => void;
}

export interface RenderResult {
  device: string;
  tileSize: number;
  /** What the render changed or could not carry (CMYK converted, IPTC dropped in WebP…). */
  notes?: string[];
}

export type Renderer = (req: RenderRequest) => Promise<RenderResult>;

export interface QueueEvents {
  item: [QueueItem];
  progress: [QueueProgress];
  warning: [string];
  idle: [];
}

export interface QueueOptions {
  journalPath: string;
  render: Renderer;
  /** Scale of a model or pair by id (for output names and sizes before rendering). */
  modelScale: (id: string) => number;
}

export interface AddOptions extends PlacementInput {
  recursive?: boolean;
}

class Stop extends Error {
  constructor(readonly reason: 'pause' | 'cancel') {
    super(reason === 'pause' ? 'paused' : 'cancelled');
  }
}

let counter = 0;
const newId = (): string =>
  `${Date.now().toString(36)}-${process.pid.toString(36)}-${(counter++).toString(36)}`;

/**
 * The batch queue: items with their own settings, run one at a time, journaled to disk on every
 * change so a crash, kill or power loss loses nothing (`UpscaleQueue.open` picks up exactly the
 * unfinished items). Events report every state change and per-tile progress with ETAs.
 */
export class UpscaleQueue extends EventEmitter<QueueEvents> {
  private items: QueueItem[] = [];
  private paused = false;
  private running: { id: string; abort: AbortController } | undefined;
  private loop: Promise<void> | undefined;
  private readonly journal: Journal;
  /** Input pixels processed and seconds spent, for throughput-based estimates. */
  private work = { pixels: 0, seconds: 0 };

  private constructor(private readonly opt: QueueOptions) {
    super();
    this.journal = new Journal(opt.journalPath);
  }

  /**
   * Opens the queue of a journal. Items left running by a dead process go back to waiting (or are
   * recognised as done if their output was already committed); temp files from the crash are
   * deleted. Refuses a journal another live process is running.
   */
  static async open(opt: QueueOptions): Promise<UpscaleQueue> {
    const q = new UpscaleQueue(opt);
    const { journal, warning } = await q.journal.load();
    if (warning) q.warnLater(warning);
    if (journal) {
      if (journal.pid !== process.pid && processAlive(journal.pid) && hasUnfinished(journal))
        throw new Error(`the queue ${opt.journalPath} is being run by process ${journal.pid}`);
      q.items = journal.items;
      q.paused = journal.paused;
      await q.recover();
    }
    await q.save();
    return q;
  }

  /** Problems met while opening the journal (also emitted as 'warning' events later on). */
  readonly warnings: string[] = [];

  private warnLater(message: string): void {
    this.warnings.push(message);
    queueMicrotask(() => this.emit('warning', message));
  }

  private async recover(): Promise<void> {
    const keep = new Set<string>();
    for (const item of this.items) {
      if (item.state !== 'running') continue;
      if (item.committing) {
        const target = this.target(item);
        const done = target ? await findCommitted(item.committing, target) : undefined;
        if (done) {
          Object.assign(item, { state: 'done', output: done });
          await finishCommit(item.committing);
          item.committing = undefined;
          continue;
        }
      }
      item.state = 'waiting';
      item.committing = undefined;
    }
    const dirs = new Set(
      this.items.flatMap((i) => {
        const t = this.target(i);
        return t ? [dirname(t)] : [];
      }),
    );
    for (const d of dirs) await cleanTempFiles(d, keep);
  }

  snapshot(): QueueItem[] {
    return this.items.map((i) => structuredClone(i));
  }

  get isPaused(): boolean {
    return this.paused;
  }

  private save(): Promise<void> {
    const state: JournalFile = {
      version: 1,
      pid: process.pid,
      paused: this.paused,
      items: this.items,
    };
    return this.journal.save(state);
  }

  private async change(item: QueueItem, patch: Partial<QueueItem>, emit = true): Promise<void> {
    Object.assign(item, patch);
    await this.save();
    if (emit) this.emit('item', structuredClone(item));
  }

  /**
   * Adds files and folders (recursively when asked) with one set of settings and placement.
   * Returns the new items and the inputs that could not be added (each with its message).
   */
  async add(
    paths: string[],
    settingsIn: ItemSettingsInput,
    placementIn: AddOptions,
  ): Promise<{ added: QueueItem[]; problems: InputProblem[] }> {
    const settings = ItemSettings.parse(settingsIn);
    const { recursive, ...rest } = placementIn;
    const placement = Placement.parse(rest);
    checkNameTemplate(placement.nameTemplate);
    this.opt.modelScale(settings.model); // unknown models are refused before anything is queued
    const { inputs, problems } = await collectInputs(paths, {
      recursive,
      exclude: [placement.outDir],
    });
    const added: QueueItem[] = [];
    for (const input of inputs) {
      const item: QueueItem = {
        id: newId(),
        input: input.path,
        relDir: input.relDir,
        placement,
        settings,
        state: 'waiting',
        notes: [],
      };
      try {
        const h = await inspectImage(input.path);
        item.width = h.width;
        item.height = h.height;
      } catch {
        // Unreadable files are still queued: they fail with a clear message when their turn comes.
      }
      added.push(item);
      this.items.push(item);
    }
    await this.save();
    for (const i of added) this.emit('item', structuredClone(i));
    return { added, problems };
  }

  /** The output path an item will get (before the collision policy), or undefined if unknown yet. */
  target(item: QueueItem): string | undefined {
    if (item.width === undefined || item.height === undefined) return undefined;
    const s = item.settings;
    const modelScale = this.opt.modelScale(s.model);
    const { scale } = outputSize(item.width, item.height, s, modelScale);
    const format = s.format ?? defaultFormatFor(item.input);
    return plannedOutputPath(
      item.input,
      item.placement.outDir,
      item.relDir,
      item.placement.nameTemplate,
      { scale, model: s.model, alpha: s.alpha },
      format,
    );
  }

  /** Runs waiting items until none is left or the queue is paused; resolves when it stops. */
  start(): Promise<void> {
    this.paused = false;
    this.loop ??= this.runLoop().finally(() => {
      this.loop = undefined;
    });
    return this.loop;
  }

  /** Stops at the next tile; the running item goes back to waiting and restarts on resume. */
  async pause(): Promise<void> {
    this.paused = true;
    this.running?.abort.abort(new Stop('pause'));
    await this.save();
  }

  resume(): Promise<void> {
    return this.start();
  }

  /** Cancels one item (at its next tile if it is running). */
  async cancel(id: string): Promise<void> {
    const item = this.items.find((i) => i.id === id);
    if (!item || FINISHED.includes(item.state)) return;
    if (this.running?.id === id) this.running.abort.abort(new Stop('cancel'));
    else await this.change(item, { state: 'cancelled' });
  }

  async cancelAll(): Promise<void> {
    this.running?.abort.abort(new Stop('cancel'));
    for (const item of this.items)
      if (item.state === 'waiting') await this.change(item, { state: 'cancelled' });
  }

  /** Puts failed or cancelled items back in the queue. */
  async retry(id: string): Promise<void> {
    const item = this.items.find((i) => i.id === id);
    if (item && (item.state === 'failed' || item.state === 'cancelled'))
      await this.change(item, { state: 'waiting', error: undefined, notes: [] });
  }

  /** Removes an item that is not running. */
  async remove(id: string): Promise<void> {
    if (this.running?.id === id)
      throw new Error('a running item cannot be removed; cancel it first');
    this.items = this.items.filter((i) => i.id !== id);
    await this.save();
  }

  /**
   * Changes the settings of waiting items (others are left alone) and returns how many changed.
   * Every result is validated and its model must be known before any item changes. A size in the
   * patch (scale, width, height) replaces the item's whole size choice.
   */
  async update(ids: string[], patch: Patch<ItemSettings>): Promise<number> {
    const wanted = new Set(ids);
    const targets = this.items.filter((i) => wanted.has(i.id) && i.state === 'waiting');
    const sizeKeys = ['scale', 'width', 'height'] as const;
    const resized = sizeKeys.some((k) => patch[k] !== undefined);
    const next = targets.map((item) => {
      const merged = applyPatch(item.settings, patch);
      if (resized) for (const k of sizeKeys) if (patch[k] === undefined) delete merged[k];
      const settings = ItemSettings.parse(merged);
      this.opt.modelScale(settings.model); // an unknown model is refused before anything changes
      return settings;
    });
    targets.forEach((item, k) => (item.settings = next[k]));
    await this.save();
    for (const item of targets) this.emit('item', structuredClone(item));
    return targets.length;
  }

  /** Moves a waiting item to a new position in the queue. */
  async move(id: string, index: number): Promise<void> {
    const from = this.items.findIndex((i) => i.id === id);
    if (from < 0 || this.items[from].state !== 'waiting') return;
    const [item] = this.items.splice(from, 1);
    this.items.splice(Math.max(0, Math.min(index, this.items.length)), 0, item);
    await this.save();
  }

  /** Forgets finished items (the journal keeps only what is still to do). */
  async clearFinished(): Promise<void> {
    this.items = this.items.filter((i) => !FINISHED.includes(i.state));
    await this.save();
  }

  private rate(): number | undefined {
    return this.work.seconds > 0.5 && this.work.pixels > 0
      ? this.work.pixels / this.work.seconds
      : undefined;
  }

  private workOf(i: QueueItem): number {
    return (i.width ?? 0) * (i.height ?? 0) * (i.settings.tta ? 8 : 1);
  }

  private async runLoop(): Promise<void> {
    for (;;) {
      if (this.paused) break;
      const item = this.items.find((i) => i.state === 'waiting');
      if (!item) break;
      await this.runItem(item);
    }
    this.emit('idle');
  }

  private async runItem(item: QueueItem): Promise<void> {
    const t0 = performance.now();
    const abort = new AbortController();
    this.running = { id: item.id, abort };
    await this.change(item, { state: 'running', error: undefined });
    try {
      const { patch, cleanup } = await this.attempts(item, abort.signal);
      await this.change(item, { ...patch, seconds: (performance.now() - t0) / 1000 });
      if (cleanup) await finishCommit(cleanup);
    } catch (err) {
      const seconds = (performance.now() - t0) / 1000;
      if (err instanceof Stop || abort.signal.aborted) {
        const reason = (abort.signal.reason as Stop | undefined)?.reason ?? 'cancel';
        await this.change(item, { state: reason === 'pause' ? 'waiting' : 'cancelled' });
      } else {
        const message = (err as Error).message;
        const error = message.includes(item.input) ? message : `${item.input}: ${message}`;
        await this.change(item, { state: 'failed', error, seconds });
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Renders with retries (smaller tiles, then CPU), then commits the output. */
  private async attempts(
    item: QueueItem,
    signal: AbortSignal,
  ): Promise<{ patch: Partial<QueueItem>; cleanup?: string }> {
    if (item.width === undefined || item.height === undefined) {
      // The header could not be read when the item was added: read it now for the real message.
      const h = await inspectImage(item.input); // throws "<file>: <the problem>"
      item.width = h.width;
      item.height = h.height;
    }
    const target = this.target(item)!;
    const s = item.settings;
    const size = outputSize(item.width, item.height, s, this.opt.modelScale(s.model));
    if (item.placement.onExists === 'skip') {
      if (await exists(target)) return { patch: { state: 'skipped', output: target } };
    }
    try {
      await mkdir(dirname(target), { recursive: true });
    } catch (err) {
      throw new Error(diskMessage(err as NodeJS.ErrnoException, dirname(target)), { cause: err });
    }
    let tile = s.tile;
    let device: DeviceRequest | undefined;
    const notes = [...item.notes];
    for (;;) {
      const tmp = tempPathFor(target);
      let lastTile = tile ?? 0;
      const t0 = performance.now();
      let donePixels = 0;
      try {
        const rendered = await this.opt.render({
          item,
          tmp,
          outWidth: size.outWidth,
          outHeight: size.outHeight,
          signal,
          tile,
          device,
          onPlan: (size) => {
            lastTile = size;
          },
          onTile: (p) => {
            lastTile = p.tileSize;
            const itemWork = this.workOf(item);
            donePixels = (itemWork * p.tile) / Math.max(1, p.tiles);
            const rate =
              this.rate() ??
              (donePixels > 0 ? donePixels / ((performance.now() - t0) / 1000) : undefined);
            const left = itemWork - donePixels;
            const waiting = this.items
              .filter((i) => i.state === 'waiting')
              .reduce((n, i) => n + this.workOf(i), 0);
            this.emit('progress', {
              id: item.id,
              tile: p.tile,
              tiles: p.tiles,
              itemEta: rate ? left / rate : undefined,
              queueEta: rate ? (left + waiting) / rate : undefined,
            });
          },
        });
        this.work.pixels += this.workOf(item);
        this.work.seconds += (performance.now() - t0) / 1000;
        // A cancel or pause during the last tile lands here: never commit an output then.
        if (signal.aborted)
          throw signal.reason instanceof Stop ? signal.reason : new Stop('cancel');
        notes.push(...(rendered.notes ?? []));
        await this.change(item, { committing: tmp, notes }, false);
        let result;
        try {
          result = await commitOutput(tmp, target, item.placement.onExists);
        } catch (err) {
          await finishCommit(tmp);
          throw new Error(diskMessage(err as NodeJS.ErrnoException, dirname(target)), {
            cause: err,
          });
        }
        return {
          patch: {
            state: result.state,
            output: result.output,
            outWidth: size.outWidth,
            outHeight: size.outHeight,
            committing: undefined,
            notes,
          },
          cleanup: tmp,
        };
      } catch (err) {
        await finishCommit(tmp);
        if (signal.aborted) throw signal.reason instanceof Stop ? signal.reason : err;
        const kind = classifyFault(err, device === 'cpu' || s.device === 'cpu');
        if (kind === 'disk')
          throw new Error(diskMessage(err as NodeJS.ErrnoException, dirname(target)), {
            cause: err,
          });
        if (kind === 'memory' && lastTile > MIN_RETRY_TILE) {
          tile = Math.max(MIN_RETRY_TILE, Math.floor(lastTile / 2 / 16) * 16);
          notes.push(`out of memory with ${lastTile} px tiles; retried with ${tile} px`);
          continue;
        }
        if ((kind === 'memory' || kind === 'provider') && device !== 'cpu' && s.device !== 'cpu') {
          device = 'cpu';
          notes.push(
            `${kind === 'memory' ? 'out of memory' : 'provider error'} (${(err as Error).message}); retried on the CPU`,
          );
          continue;
        }
        item.notes = notes;
        throw err;
      }
    }
  }
}

function hasUnfinished(j: JournalFile): boolean {
  return j.items.some((i) => !FINISHED.includes(i.state));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
