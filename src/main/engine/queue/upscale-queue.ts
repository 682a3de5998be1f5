import { EventEmitter } from 'node:events';
import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeviceRequest } from '../../../shared/device';
import { errorCode } from '../../../shared/errors';
import { applyPatch, type Patch } from '../../../shared/patch';
import {
  FINISHED,
  ItemSettings,
  Placement,
  type ItemSettingsInput,
  type OutputPlan,
  type PlacementInput,
  type QueueItem,
  type QueueProgress,
} from '../../../shared/queue';
import { inspectImage, type ImageHeader } from '../pipeline/decode';
import { finishCommit, tempPathFor } from '../pipeline/safe-write';
import { nextAttempt, type Attempt } from './attempt-policy';
import { BatchLock } from './batch-lock';
import { collectInputs, type InputProblem } from './collect-inputs';
import { commitItem, prepareOutput } from './commit';
import { EtaEstimator, workOf } from './eta';
import { fileStamp, HeaderCache } from './header-cache';
import { InputGuard, mapLimit } from './input-guard';
import { Journal, type JournalOp, type JournalState } from './journal';
import { recoverAfterCrash } from './recover';
import { checkNameTemplate, planOutput } from './output-plan';
import { makeFolder } from '../storage/make-folder';

/** One render of an item into a temp file; the queue names, commits and records the result. */
export interface RenderRequest {
  item: QueueItem;
  /** The item's planned output (format and final size are the renderer's to honour). */
  plan: OutputPlan;
  /** The input's header as read when the item was added, when still valid (else absent). */
  header?: ImageHeader;
  /** Where the finished image must be written (a temp file beside the final path). */
  tmp: string;
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
  /** An item was added or changed (its state, settings, plan, result). */
  item: [QueueItem];
  /** Items left the queue (removed, or finished ones cleared). */
  removed: [ids: string[]];
  /** An item moved to `index` in the queue's order. */
  moved: [id: string, index: number];
  progress: [QueueProgress];
  warning: [string];
  /** The run loop stopped (nothing left, paused, or failed); `isRunning` is false by now. */
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
 * The batch queue: items with their own settings, run one at a time, every change appended to
 * its journal (one write per change, a bulk change included, however large the queue) so a crash,
 * kill or power loss loses nothing (`UpscaleQueue.open` picks up exactly the unfinished items).
 * One process at a time runs a journal (batch-lock.ts). Each item's output is planned once, when it is added (again when its settings
 * change), and carried on the item. Events report every change and per-tile progress with ETAs.
 */
export class UpscaleQueue extends EventEmitter<QueueEvents> {
  private items: QueueItem[] = [];
  private byId = new Map<string, QueueItem>();
  private paused = false;
  private running: { id: string; abort: AbortController } | undefined;
  private loop: Promise<void> | undefined;
  private readonly journal: Journal;
  private lock: BatchLock | undefined;
  private readonly eta = new EtaEstimator();
  private readonly headers = new HeaderCache();
  private guard: InputGuard | undefined;
  /** Items before this index are not waiting (so finding the next one stays O(1) on average). */
  private scanFrom = 0;
  /** Work of the waiting items, kept up to date on every change (for the queue's ETA). */
  private waitingWork = 0;

  private constructor(private readonly opt: QueueOptions) {
    super();
    this.journal = new Journal(opt.journalPath);
  }

  /**
   * Opens the queue of a journal, taking its lock (refused with `queue.busy`, naming the process,
   * while another live process holds it). Items left running by a dead process go back to waiting
   * (or are recognised as done if their output was already committed), counting the crash: one
   * that was running at a second crash fails with `engine.stopped`; temp files from the crash are
   * deleted. Items of journals written before plans existed get theirs.
   */
  static async open(opt: QueueOptions): Promise<UpscaleQueue> {
    const q = new UpscaleQueue(opt);
    await makeFolder(dirname(opt.journalPath));
    q.lock = await BatchLock.acquire(opt.journalPath, () => q.journal.detach());
    try {
      const { state, warning } = await q.journal.load();
      if (warning) q.warnLater(warning);
      if (state) {
        q.setItems(state.items);
        q.paused = state.paused;
        for (const item of q.items) if (!item.plan) item.plan = q.planOf(item, false);
        await recoverAfterCrash(q.items);
      }
      q.recount();
      await q.journal.begin(q.state(), () => q.state());
    } catch (err) {
      await q.lock.release();
      throw err;
    }
    return q;
  }

  private state(): JournalState {
    return { version: 2, pid: process.pid, paused: this.paused, items: this.items };
  }

  private setItems(items: QueueItem[]): void {
    this.items = items;
    this.byId = new Map(items.map((i) => [i.id, i]));
    this.scanFrom = 0;
  }

  /** Recomputes what is kept incrementally (after the list changed wholesale). */
  private recount(): void {
    this.waitingWork = this.items.reduce((n, i) => n + waitingWorkOf(i), 0);
    this.scanFrom = 0;
  }

  /** Changes an item in memory, keeping the waiting work and the scan position right. */
  private assign(item: QueueItem, patch: Partial<QueueItem>): void {
    const before = waitingWorkOf(item);
    Object.assign(item, patch);
    this.waitingWork += waitingWorkOf(item) - before;
    if (item.state === 'waiting') this.scanFrom = 0;
  }

  /** Problems met while opening the journal (also emitted as 'warning' events later on). */
  readonly warnings: string[] = [];

  private warnLater(message: string): void {
    this.warnings.push(message);
    queueMicrotask(() => this.emit('warning', message));
  }

  /**
   * The plan of an item whose input size is known (undefined otherwise). With `strict` false an
   * unknown model leaves the plan out (the item fails with that message when its turn comes).
   */
  private planOf(item: QueueItem, strict = true): OutputPlan | undefined {
    if (item.width === undefined || item.height === undefined) return undefined;
    try {
      return planOutput(
        { ...item, width: item.width, height: item.height },
        this.opt.modelScale(item.settings.model),
      );
    } catch (err) {
      if (strict) throw err;
      return undefined;
    }
  }

  /** One item, or undefined for an unknown id. */
  get(id: string): QueueItem | undefined {
    const item = this.byId.get(id);
    return item && structuredClone(item);
  }

  /** Bytes and writes of the journal so far (what the queue's changes have cost on disk). */
  get journalStats(): { bytesWritten: number; writes: number } {
    return this.journal.stats;
  }

  /**
   * Closes the journal and gives up the queue's lock (the queue cannot change after this). With
   * `deleteJournal` the journal is removed first (a batch with nothing left to do).
   */
  async close(opt: { deleteJournal?: boolean } = {}): Promise<void> {
    await this.journal.close();
    if (opt.deleteJournal) await unlink(this.opt.journalPath).catch(() => undefined);
    await this.lock?.release();
  }

  snapshot(): QueueItem[] {
    return this.items.map((i) => structuredClone(i));
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Whether the run loop is going (from `start` until it stops: nothing left, or paused). */
  get isRunning(): boolean {
    return this.loop !== undefined;
  }

  /** Journals operations (one write); resolves once they are on disk. */
  private record(ops: JournalOp[]): Promise<void> {
    return this.journal.append(ops);
  }

  private put(item: QueueItem): JournalOp {
    return { op: 'put', item };
  }

  private async change(item: QueueItem, patch: Partial<QueueItem>, emit = true): Promise<void> {
    this.assign(item, patch);
    await this.record([this.put(item)]);
    if (emit) this.emit('item', structuredClone(item));
  }

  /** The guard against outputs over inputs, knowing every input in the queue. */
  private async inputGuard(): Promise<InputGuard> {
    if (!this.guard) {
      const guard = new InputGuard();
      await guard.addInputs(this.items.map((i) => i.input));
      this.guard = guard;
    }
    return this.guard;
  }

  /**
   * Adds files and folders (recursively when asked) with one set of settings and placement, each
   * with its planned output (from its header, read here once). Returns the new items and the inputs
   * that could not be added (each with its message).
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
    const modelScale = this.opt.modelScale(settings.model); // unknown models are refused up front
    const { inputs, problems } = await collectInputs(paths, {
      recursive,
      exclude: [placement.outDir],
    });
    // Headers are read a few at a time (a folder of thousands of photos), results in order.
    const added = await mapLimit(inputs, 8, async (input): Promise<QueueItem> => {
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
        const stamp = await fileStamp(input.path);
        const h = await inspectImage(input.path);
        item.width = h.width;
        item.height = h.height;
        item.plan = planOutput({ ...item, width: h.width, height: h.height }, modelScale);
        if (stamp) this.headers.put(item.id, h, stamp);
      } catch {
        // Unreadable files are still queued: they fail with a clear message when their turn comes.
      }
      return item;
    });
    const guard = await this.inputGuard();
    await guard.addInputs(added.map((i) => i.input));
    try {
      await guard.check(
        added.flatMap((i) => (i.plan ? [{ input: i.input, output: i.plan.path }] : [])),
      );
    } catch (err) {
      for (const i of added) this.headers.drop(i.id);
      throw err;
    }
    for (const item of added) {
      this.items.push(item);
      this.byId.set(item.id, item);
      this.waitingWork += waitingWorkOf(item);
    }
    // One write for the whole addition, however many files.
    await this.record(added.map((i) => this.put(i)));
    for (const i of added) this.emit('item', structuredClone(i));
    return { added, problems };
  }

  /** Runs waiting items until none is left or the queue is paused; resolves when it stops. */
  start(): Promise<void> {
    const wasPaused = this.paused;
    this.paused = false;
    this.loop ??= this.runLoop(wasPaused).finally(() => {
      this.loop = undefined;
      this.emit('idle');
    });
    return this.loop;
  }

  /** Stops at the next tile; the running item goes back to waiting and restarts on resume. */
  async pause(): Promise<void> {
    this.paused = true;
    this.running?.abort.abort(new Stop('pause'));
    await this.record([{ op: 'paused', paused: true }]);
  }

  resume(): Promise<void> {
    return this.start();
  }

  /** Cancels one item (at its next tile if it is running). */
  async cancel(id: string): Promise<void> {
    const item = this.byId.get(id);
    if (!item || FINISHED.includes(item.state)) return;
    if (this.running?.id === id) this.running.abort.abort(new Stop('cancel'));
    else await this.change(item, { state: 'cancelled' });
  }

  async cancelAll(): Promise<void> {
    this.running?.abort.abort(new Stop('cancel'));
    const waiting = this.items.filter((i) => i.state === 'waiting');
    for (const item of waiting) this.assign(item, { state: 'cancelled' });
    await this.record(waiting.map((i) => this.put(i))); // one write for all of them
    for (const item of waiting) this.emit('item', structuredClone(item));
  }

  /** Puts failed or cancelled items back in the queue. */
  async retry(id: string): Promise<void> {
    const item = this.byId.get(id);
    if (item && (item.state === 'failed' || item.state === 'cancelled'))
      await this.change(item, {
        state: 'waiting',
        error: undefined,
        errorCode: undefined,
        crashes: undefined,
        notes: [],
      });
  }

  /** Removes an item that is not running. */
  async remove(id: string): Promise<void> {
    if (this.running?.id === id)
      throw new Error('a running item cannot be removed; cancel it first');
    const item = this.byId.get(id);
    if (!item) return;
    this.waitingWork -= waitingWorkOf(item);
    this.setItems(this.items.filter((i) => i.id !== id));
    this.headers.drop(id);
    await this.record([{ op: 'remove', ids: [id] }]);
    this.emit('removed', [id]);
  }

  /**
   * Changes the settings of waiting items (others are left alone), plans their outputs again and
   * returns how many changed. Every result is validated and its model must be known before any
   * item changes. A size in the patch (scale, width, height) replaces the item's whole size choice.
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
      return { settings, plan: this.planOf({ ...item, settings }) };
    });
    await (
      await this.inputGuard()
    ).check(
      targets.flatMap((item, k) => {
        const plan = next[k].plan;
        return plan ? [{ input: item.input, output: plan.path }] : [];
      }),
    );
    targets.forEach((item, k) => this.assign(item, next[k]));
    await this.record(targets.map((i) => this.put(i)));
    for (const item of targets) this.emit('item', structuredClone(item));
    return targets.length;
  }

  /** Moves a waiting item to a new position in the queue. */
  async move(id: string, index: number): Promise<void> {
    const from = this.items.findIndex((i) => i.id === id);
    if (from < 0 || this.items[from].state !== 'waiting') return;
    const [item] = this.items.splice(from, 1);
    const to = Math.max(0, Math.min(index, this.items.length));
    this.items.splice(to, 0, item);
    this.scanFrom = 0;
    await this.record([{ op: 'move', id, to }]);
    this.emit('moved', id, to);
  }

  /** Forgets finished items (the journal keeps only what is still to do). */
  async clearFinished(): Promise<void> {
    const gone = this.items.filter((i) => FINISHED.includes(i.state)).map((i) => i.id);
    if (gone.length === 0) return;
    this.setItems(this.items.filter((i) => !FINISHED.includes(i.state)));
    for (const id of gone) this.headers.drop(id);
    await this.record([{ op: 'remove', ids: gone }]);
    this.emit('removed', gone);
  }

  private async runLoop(wasPaused: boolean): Promise<void> {
    if (wasPaused) await this.record([{ op: 'paused', paused: false }]);
    for (;;) {
      if (this.paused) break;
      const item = this.nextWaiting();
      if (!item) break;
      await this.runItem(item);
    }
  }

  /** The next item to run: waiting ones in order, those a crash interrupted last. */
  private nextWaiting(): QueueItem | undefined {
    for (; this.scanFrom < this.items.length; this.scanFrom++) {
      const i = this.items[this.scanFrom];
      if (i.state === 'waiting' && !i.crashes) return i;
    }
    return this.items.find((i) => i.state === 'waiting');
  }

  private async runItem(item: QueueItem): Promise<void> {
    const t0 = performance.now();
    const abort = new AbortController();
    this.running = { id: item.id, abort };
    // On disk before the first tile: a crash from here on is counted against this item.
    await this.change(item, { state: 'running', error: undefined, errorCode: undefined });
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
        await this.change(item, { state: 'failed', error, errorCode: errorCode(err), seconds });
      }
    } finally {
      this.running = undefined;
    }
  }

  /** The item's plan, reading its header now if it could not be read when it was added. */
  private async planNow(item: QueueItem): Promise<{ plan: OutputPlan; header?: ImageHeader }> {
    const header = await this.headers.take(item.id, item.input);
    if (item.plan) return { plan: item.plan, header };
    const h = await inspectImage(item.input); // throws "<file>: <the problem>"
    const plan = planOutput({ ...item, width: h.width, height: h.height }, this.modelScaleOf(item));
    await (await this.inputGuard()).check([{ input: item.input, output: plan.path }]);
    await this.change(item, { width: h.width, height: h.height, plan }, false);
    return { plan, header: h };
  }

  private modelScaleOf(item: QueueItem): number {
    return this.opt.modelScale(item.settings.model);
  }

  /** Renders under the attempt policy (smaller tiles, then CPU), then commits the output. */
  private async attempts(
    item: QueueItem,
    signal: AbortSignal,
  ): Promise<{ patch: Partial<QueueItem>; cleanup?: string }> {
    const { plan, header } = await this.planNow(item);
    const target = plan.path;
    if ((await prepareOutput(target, item.placement.onExists)) === 'skipped')
      return { patch: { state: 'skipped', output: target } };
    let attempt: Attempt = { tile: item.settings.tile };
    const notes = [...item.notes];
    for (;;) {
      const tmp = tempPathFor(target);
      let lastTile = attempt.tile ?? 0;
      const clock = this.eta.begin(item);
      try {
        const rendered = await this.opt.render({
          item,
          plan,
          header,
          tmp,
          signal,
          tile: attempt.tile,
          device: attempt.device,
          onPlan: (size) => {
            lastTile = size;
          },
          onTile: (p) => {
            lastTile = p.tileSize;
            this.emit('progress', {
              id: item.id,
              tile: p.tile,
              tiles: p.tiles,
              ...clock.progress(p.tile, p.tiles, this.waitingWork),
            });
          },
        });
        clock.finish();
        // A cancel or pause during the last tile lands here: never commit an output then.
        if (signal.aborted)
          throw signal.reason instanceof Stop ? signal.reason : new Stop('cancel');
        notes.push(...(rendered.notes ?? []));
        await this.change(item, { committing: tmp, notes }, false);
        const result = await commitItem(tmp, target, item.placement.onExists);
        return {
          patch: {
            state: result.state,
            output: result.output,
            outWidth: plan.width,
            outHeight: plan.height,
            committing: undefined,
            notes,
          },
          cleanup: tmp,
        };
      } catch (err) {
        await finishCommit(tmp);
        if (signal.aborted) throw signal.reason instanceof Stop ? signal.reason : err;
        const next = nextAttempt(err, { ...attempt, lastTile, requested: item.settings.device });
        if (!next) {
          item.notes = notes;
          throw err;
        }
        attempt = next.attempt;
        notes.push(next.note);
      }
    }
  }
}

const waitingWorkOf = (i: QueueItem): number => (i.state === 'waiting' ? workOf(i) : 0);
