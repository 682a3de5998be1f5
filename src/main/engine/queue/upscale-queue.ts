import { EventEmitter } from 'node:events';
import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EngineMessage } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import type { Patch } from '../../../shared/patch';
import type { ItemSettings, ItemSettingsInput, QueueItem } from '../../../shared/queue';
import { makeFolder } from '../storage/make-folder';
import { makeItems, planOf } from './add-items';
import { BatchLock } from './batch-lock';
import type { InputProblem } from './collect-inputs';
import { EtaEstimator } from './eta';
import { HeaderCache } from './header-cache';
import { InputGuard } from './input-guard';
import { ItemStore } from './item-store';
import { Journal } from './journal';
import { QueueControls } from './queue-controls';
import type { AddOptions, QueueEvents, QueueOptions } from './queue-types';
import { recoverAfterCrash } from './recover';
import { runItem } from './run-item';
import { Stop } from './queue-types';

export type {
  AddOptions,
  QueueEvents,
  QueueOptions,
  RenderRequest,
  RenderResult,
  Renderer,
} from './queue-types';

/**
 * The batch queue: items with their own settings, run one at a time, every change appended to
 * its journal (one write per change, a bulk change included, however large the queue) so a crash,
 * kill or power loss loses nothing (`UpscaleQueue.open` picks up exactly the unfinished items).
 * One process at a time runs a journal (batch-lock.ts). Each item's output is planned once, when it
 * is added (again when its settings change), and carried on the item; finished tiles are kept on
 * disk (tile-stores.ts), so a pause, cancel, restart or crash continues from the next unfinished
 * tile. Events report every change and progress with ETAs. The pieces: the items and their journal
 * (item-store.ts), adding (add-items.ts), running one item (run-item.ts), the actions on waiting and
 * finished items (queue-controls.ts).
 */
export class UpscaleQueue extends EventEmitter<QueueEvents> {
  private running: { id: string; abort: AbortController } | undefined;
  private loop: Promise<void> | undefined;
  /** The loop runs re-exports only (started by one, not by Start). */
  private autoOnly = false;
  private readonly journal: Journal;
  private readonly store: ItemStore;
  private lock: BatchLock | undefined;
  private readonly eta = new EtaEstimator();
  private readonly headers = new HeaderCache();
  private guard: InputGuard | undefined;
  /** Cancel, retry, remove, update, move, clear, restore, re-export (see queue-controls.ts). */
  readonly controls: QueueControls;

  private constructor(private readonly opt: QueueOptions) {
    super();
    this.journal = new Journal(opt.journalPath);
    this.store = new ItemStore(this.journal, (item) => this.emit('item', structuredClone(item)));
    this.controls = new QueueControls({
      store: this.store,
      opt,
      headers: this.headers,
      guard: () => this.inputGuard(),
      runningId: () => this.running?.id,
      stopRunning: (reason) => this.running?.abort.abort(new Stop(reason)),
      emit: (event, ...args) =>
        (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
      startAuto: () => this.startAuto(),
    });
  }

  /**
   * Opens the queue of a journal, taking its lock (refused with `queue.busy`, naming the process,
   * while another live process holds it). Items left running by a dead process go back to waiting
   * (or are recognised as done if their output was already committed), counting the crash: one
   * that was running at a second crash fails with `engine.stopped`; temp files from the crash are
   * deleted (tile stores are kept: the item continues from them). Items of journals written before
   * plans existed get theirs.
   */
  static async open(opt: QueueOptions): Promise<UpscaleQueue> {
    const q = new UpscaleQueue(opt);
    await makeFolder(dirname(opt.journalPath));
    q.lock = await BatchLock.acquire(opt.journalPath, () => q.journal.detach());
    try {
      const { state, warning } = await q.journal.load();
      if (warning) q.warnLater(warning);
      if (state) {
        for (const item of state.items)
          if (!item.plan) item.plan = planOf(item, opt.modelScale, false);
        await recoverAfterCrash(state.items);
        q.store.setItems(state.items);
        q.store.paused = state.paused;
      }
      await q.journal.begin(q.store.state(), () => q.store.state());
    } catch (err) {
      await q.lock.release();
      throw err;
    }
    return q;
  }

  /** Problems met while opening the journal (also emitted as 'warning' events later on). */
  readonly warnings: EngineMessage[] = [];

  private warnLater(message: EngineMessage): void {
    this.warnings.push(message);
    queueMicrotask(() => this.emit('warning', message));
  }

  /** One item, or undefined for an unknown id. */
  get(id: string): QueueItem | undefined {
    const item = this.store.find(id);
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
    return this.store.items.map((i) => structuredClone(i));
  }

  get isPaused(): boolean {
    return this.store.paused;
  }

  /** Whether the run loop is going (from `start` until it stops: nothing left, or paused). */
  get isRunning(): boolean {
    return this.loop !== undefined;
  }

  /** The guard against outputs over inputs, knowing every input in the queue. */
  private async inputGuard(): Promise<InputGuard> {
    if (!this.guard) {
      const guard = new InputGuard();
      await guard.addInputs(this.store.items.map((i) => i.input));
      this.guard = guard;
    }
    return this.guard;
  }

  /**
   * Adds files and folders (recursively when asked) with one set of settings and placement, each
   * with its planned output (from its header, read here once). Returns the new items and the inputs
   * that were refused, each with one message: missing, unreadable, not an image, or already waiting
   * with the same settings.
   */
  async add(
    paths: string[],
    settings: ItemSettingsInput,
    placement: AddOptions,
  ): Promise<{ added: QueueItem[]; problems: InputProblem[] }> {
    const ctx = {
      items: this.store.items,
      headers: this.headers,
      guard: () => this.inputGuard(),
      modelScale: this.opt.modelScale,
    };
    const { added, problems } = await makeItems(ctx, paths, settings, placement);
    // One write for the whole addition, however many files.
    await this.store.insert(added);
    return { added, problems };
  }

  /** Runs waiting items until none is left or the queue is paused; resolves when it stops. */
  start(): Promise<void> {
    this.autoOnly = false;
    return this.run();
  }

  /** Runs waiting re-exports now (not the other waiting items) unless the loop runs already. */
  private startAuto(): void {
    if (this.loop) return;
    this.autoOnly = true;
    void this.run().catch((err: unknown) =>
      this.emit(
        'warning',
        err instanceof UpresError && err.detail ? err.detail : `${(err as Error).message}`,
      ),
    );
  }

  private run(): Promise<void> {
    const wasPaused = this.store.paused;
    this.store.paused = false;
    this.loop ??= this.runLoop(wasPaused).finally(() => {
      this.loop = undefined;
      this.emit('idle');
    });
    return this.loop;
  }

  /**
   * Stops now: the running item's render is stopped mid-tile (its worker terminated, see
   * RenderRequest.signal) and goes back to waiting with its finished tiles kept.
   */
  async pause(): Promise<void> {
    this.store.paused = true;
    this.running?.abort.abort(new Stop('pause'));
    await this.store.record([{ op: 'paused', paused: true }]);
  }

  resume(): Promise<void> {
    return this.start();
  }

  /** Resolves once the run loop has stopped (at once when it is not running). */
  async stopped(): Promise<void> {
    await this.loop?.catch(() => undefined);
  }

  /** Cancels one item (stopping its render at once if it is running). */
  cancel(id: string): Promise<void> {
    return this.controls.cancel(id);
  }

  cancelAll(): Promise<void> {
    return this.controls.cancelAll();
  }

  /** Puts a failed or cancelled item back in the queue. */
  retry(id: string): Promise<void> {
    return this.controls.retry(id);
  }

  /** Removes an item that is not running. */
  remove(id: string): Promise<void> {
    return this.controls.remove(id);
  }

  /** Changes the settings of waiting items; see QueueControls.update. */
  update(ids: string[], patch: Patch<ItemSettings>): Promise<number> {
    return this.controls.update(ids, patch);
  }

  /** Moves a waiting item to a new position in the queue. */
  move(id: string, index: number): Promise<void> {
    return this.controls.move(id, index);
  }

  /** Forgets finished items; returns them (for `restore`, an undo). */
  clearFinished(): Promise<QueueItem[]> {
    return this.controls.clearFinished();
  }

  private async runLoop(wasPaused: boolean): Promise<void> {
    if (wasPaused) await this.store.record([{ op: 'paused', paused: false }]);
    for (;;) {
      if (this.store.paused) break;
      const item = this.store.nextWaiting(this.autoOnly);
      if (!item) break;
      const abort = new AbortController();
      this.running = { id: item.id, abort };
      try {
        await runItem(
          {
            store: this.store,
            opt: this.opt,
            headers: this.headers,
            eta: this.eta,
            guard: () => this.inputGuard(),
            progress: (p) => this.emit('progress', p),
          },
          item,
          abort,
        );
      } finally {
        this.running = undefined;
      }
    }
  }
}
