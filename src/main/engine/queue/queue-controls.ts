import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { applyPatch, type Patch } from '../../../shared/patch';
import { FINISHED, ItemSettings, type Placement, type QueueItem } from '../../../shared/queue';
import { newId, planOf } from './add-items';
import { checkNameTemplate } from './output-plan';
import type { HeaderCache } from './header-cache';
import type { InputGuard } from './input-guard';
import type { ItemStore } from './item-store';
import type { QueueEvents, QueueOptions } from './queue-types';
import { discardTileStores } from './tile-stores';

/** What the controls need of the queue. */
export interface ControlContext {
  store: ItemStore;
  opt: QueueOptions;
  headers: HeaderCache;
  guard: () => Promise<InputGuard>;
  runningId: () => string | undefined;
  stopRunning: (reason: 'pause' | 'cancel') => void;
  emit: <K extends keyof QueueEvents>(event: K, ...args: QueueEvents[K]) => void;
  /** Runs waiting re-exports now unless the queue runs already (then they go next). */
  startAuto: () => void;
}

/** How many cleared items are kept for `restore` (an undo of *Clear finished*). */
const CLEARED_KEPT = 10_000;

/**
 * The actions on single items and groups of them: cancel, retry, remove, update settings, move,
 * follow a new default folder, clear finished items (and restore them), re-export at another α.
 */
export class QueueControls {
  /** Items *Clear finished* took out, by id, so an undo can put them back. */
  private readonly cleared = new Map<string, { item: QueueItem; index: number }>();

  constructor(private readonly q: ControlContext) {}

  /** Cancels one item (stopping its render at once if it is running; its tiles are kept). */
  async cancel(id: string): Promise<void> {
    const item = this.q.store.find(id);
    if (!item || FINISHED.includes(item.state)) return;
    if (this.q.runningId() === id) this.q.stopRunning('cancel');
    else await this.q.store.change(item, { state: 'cancelled' });
  }

  async cancelAll(): Promise<void> {
    if (this.q.runningId() !== undefined) this.q.stopRunning('cancel');
    const waiting = this.q.store.items.filter((i) => i.state === 'waiting');
    await this.q.store.changeAll(waiting, () => ({ state: 'cancelled' })); // one write
  }

  /** Puts a failed or cancelled item back in the queue (it continues from its kept tiles). */
  async retry(id: string): Promise<void> {
    const item = this.q.store.find(id);
    if (item) await this.retryItems([item]);
  }

  /** Puts every failed and cancelled item back in the queue (one write); returns how many. */
  async retryAll(): Promise<number> {
    return this.retryItems([...this.q.store.items]);
  }

  private async retryItems(items: QueueItem[]): Promise<number> {
    const again = items.filter((i) => i.state === 'failed' || i.state === 'cancelled');
    await this.q.store.changeAll(again, () => ({
      state: 'waiting',
      error: undefined,
      errorCode: undefined,
      errorDetail: undefined,
      crashes: undefined,
      notes: [],
    }));
    return again.length;
  }

  /** Removes an item that is not running (its kept tiles too). */
  async remove(id: string): Promise<void> {
    if (this.q.runningId() === id)
      throw new UpresError('request.invalid', msg('batch.removeRunning', { id }));
    const removed = await this.q.store.remove([id]);
    if (removed.length === 0) return;
    this.q.headers.drop(id);
    await discardTileStores(
      removed.map((r) => r.item),
      this.q.opt,
    );
    this.q.emit('removed', [id]);
  }

  /**
   * Changes the settings of waiting items (others are left alone), plans their outputs again and
   * returns how many changed. Every result is validated and its model must be known before any
   * item changes. A size in the patch (scale, width, height) replaces the item's whole size choice.
   * Tiles kept for the old settings are discarded. `naming`, where given (a preset), replaces the
   * items' name template and collision policy too.
   */
  async update(
    ids: string[],
    patch: Patch<ItemSettings>,
    naming?: Pick<Placement, 'nameTemplate' | 'onExists'>,
  ): Promise<number> {
    if (naming) checkNameTemplate(naming.nameTemplate);
    const wanted = new Set(ids);
    const targets = this.q.store.items.filter((i) => wanted.has(i.id) && i.state === 'waiting');
    const sizeKeys = ['scale', 'width', 'height'] as const;
    const resized = sizeKeys.some((k) => patch[k] !== undefined);
    const next = targets.map((item) => {
      const merged = applyPatch(item.settings, patch);
      if (resized) for (const k of sizeKeys) if (patch[k] === undefined) delete merged[k];
      const settings = ItemSettings.parse(merged);
      this.q.opt.modelScale(settings.model); // an unknown model is refused before anything changes
      const placement = naming ? { ...item.placement, ...naming } : item.placement;
      return {
        settings,
        placement,
        plan: planOf({ ...item, settings, placement }, this.q.opt.modelScale),
      };
    });
    await this.replan(targets, (k) => next[k]);
    return targets.length;
  }

  /**
   * Waiting items whose output folder was not chosen for them follow a new default folder (their
   * outputs planned again); returns how many moved.
   */
  async followDefaultFolder(outDir: string): Promise<number> {
    const targets = this.q.store.items.filter(
      (i) => i.state === 'waiting' && !i.outDirSet && i.placement.outDir !== outDir,
    );
    const next = targets.map((item) => {
      const placement = { ...item.placement, outDir };
      return { placement, plan: planOf({ ...item, placement }, this.q.opt.modelScale) };
    });
    await this.replan(targets, (k) => next[k]);
    return targets.length;
  }

  /** Checks new plans against the inputs, then changes the items (one write); old tiles go. */
  private async replan(
    targets: QueueItem[],
    patch: (k: number) => Partial<QueueItem>,
  ): Promise<void> {
    await (
      await this.q.guard()
    ).check(
      targets.flatMap((item, k) => {
        const plan = patch(k).plan;
        return plan ? [{ input: item.input, output: plan.path }] : [];
      }),
    );
    const old = targets.map((i) => ({ id: i.id, plan: i.plan }));
    await this.q.store.changeAll(targets, (_, k) => patch(k));
    await discardTileStores(old, this.q.opt);
  }

  /** Moves a waiting item to a new position in the queue. */
  async move(id: string, index: number): Promise<void> {
    const item = this.q.store.find(id);
    if (!item || item.state !== 'waiting') return;
    const to = await this.q.store.move(id, index);
    if (to !== undefined) this.q.emit('moved', id, to);
  }

  /**
   * Forgets finished items (the journal keeps only what is still to do) and returns them; they
   * can be put back with `restore` (an undo). Their kept tiles are discarded.
   */
  async clearFinished(): Promise<QueueItem[]> {
    const gone = this.q.store.items.filter((i) => FINISHED.includes(i.state)).map((i) => i.id);
    const removed = await this.q.store.remove(gone);
    if (removed.length === 0) return [];
    for (const r of removed) {
      this.q.headers.drop(r.item.id);
      this.cleared.set(r.item.id, r);
    }
    for (const id of this.cleared.keys()) {
      if (this.cleared.size <= CLEARED_KEPT) break;
      this.cleared.delete(id);
    }
    await discardTileStores(
      removed.map((r) => r.item),
      this.q.opt,
    );
    this.q.emit('removed', gone);
    return removed.map((r) => structuredClone(r.item));
  }

  /**
   * Puts back items that *Clear finished* removed (by id; others are ignored), where they were
   * as far as the queue allows; returns them. Only items this queue removed can come back, so a
   * caller can never make the queue serve a file it was not given.
   */
  async restore(ids: string[]): Promise<QueueItem[]> {
    const back = ids.flatMap((id) => {
      const r = this.cleared.get(id);
      return r && !this.q.store.find(id) ? [r] : [];
    });
    back.sort((a, b) => a.index - b.index);
    for (const r of back) {
      this.cleared.delete(r.item.id);
      await this.q.store.insert([r.item], r.index);
      this.q.emit('moved', r.item.id, this.q.store.items.indexOf(r.item));
    }
    return back.map((r) => structuredClone(r.item));
  }

  /**
   * Queues a photo again at another α (a pair's): a new row labelled as a re-export, written
   * under a new name beside the first export (the α in the name; never over it), expected to take
   * as long as the photo's first render, and run at once (or right after the current item).
   */
  async reexport(id: string, alpha: number, nameTemplate?: string): Promise<QueueItem> {
    const source = this.q.store.find(id);
    if (!source) throw new UpresError('not-found', msg('batch.noItem', { id }));
    const template =
      nameTemplate ??
      (source.placement.nameTemplate.includes('{alpha}')
        ? source.placement.nameTemplate
        : `${source.placement.nameTemplate}_a{alpha}`);
    const settings = ItemSettings.parse({ ...source.settings, alpha });
    const placement = { ...source.placement, nameTemplate: template, onExists: 'suffix' as const };
    const item: QueueItem = {
      id: newId(),
      input: source.input,
      relDir: source.relDir,
      placement,
      settings,
      state: 'waiting',
      width: source.width,
      height: source.height,
      notes: [],
      reexportOf: source.reexportOf ?? source.id,
      autoStart: true,
      ...(source.outDirSet ? { outDirSet: true } : {}),
      ...(source.seconds !== undefined && source.state === 'done'
        ? { estimatedSeconds: source.seconds }
        : source.estimatedSeconds !== undefined
          ? { estimatedSeconds: source.estimatedSeconds }
          : {}),
    };
    item.plan = planOf(item, this.q.opt.modelScale);
    if (item.plan)
      await (await this.q.guard()).check([{ input: item.input, output: item.plan.path }]);
    const at = this.q.store.items.indexOf(source) + 1;
    await this.q.store.insert([item], at);
    this.q.emit('moved', item.id, this.q.store.items.indexOf(item));
    this.q.startAuto();
    return structuredClone(item);
  }
}
