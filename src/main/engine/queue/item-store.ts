import type { QueueItem } from '../../../shared/queue';
import { workOf } from './eta';
import type { Journal, JournalOp, JournalState } from './journal';

const waitingWorkOf = (i: QueueItem): number => (i.state === 'waiting' ? workOf(i) : 0);

/**
 * The queue's items in order, with what is kept incrementally about them (the waiting work for the
 * ETA, where the next waiting item may be), and every change journaled: one write per change, a
 * bulk change included, however large the queue.
 */
export class ItemStore {
  private list: QueueItem[] = [];
  private byId = new Map<string, QueueItem>();
  /** Items before this index are not waiting (so finding the next one stays O(1) on average). */
  private scanFrom = 0;
  /** Work of the waiting items, kept up to date on every change (for the queue's ETA). */
  private work = 0;
  /** Waiting re-exports (`autoStart`), which run ahead of the rest. */
  private readonly auto = new Set<string>();
  paused = false;

  constructor(
    private readonly journal: Journal,
    /** Told of every changed item (emitted as a copy). */
    private readonly changed: (item: QueueItem) => void,
  ) {}

  /** The items in queue order (live objects: change them through `assign` / `change`). */
  get items(): readonly QueueItem[] {
    return this.list;
  }

  /** Work of the waiting items in px (see `workOf`). */
  get waitingWork(): number {
    return this.work;
  }

  find(id: string): QueueItem | undefined {
    return this.byId.get(id);
  }

  /** The journal's snapshot of the queue. */
  state(): JournalState {
    return { version: 2, pid: process.pid, paused: this.paused, items: this.list };
  }

  /** Replaces every item (a journal was read); recomputes what is kept incrementally. */
  setItems(items: QueueItem[]): void {
    this.list = items;
    this.byId = new Map(items.map((i) => [i.id, i]));
    this.work = items.reduce((n, i) => n + waitingWorkOf(i), 0);
    this.scanFrom = 0;
    this.auto.clear();
    for (const i of items) this.track(i);
  }

  private track(item: QueueItem): void {
    if (item.autoStart && item.state === 'waiting' && this.byId.has(item.id))
      this.auto.add(item.id);
    else this.auto.delete(item.id);
  }

  /** Changes an item in memory, keeping the waiting work and the scan position right. */
  assign(item: QueueItem, patch: Partial<QueueItem>): void {
    const before = waitingWorkOf(item);
    Object.assign(item, patch);
    this.work += waitingWorkOf(item) - before;
    if (item.state === 'waiting') this.scanFrom = 0;
    this.track(item);
  }

  /** Journals operations (one write); resolves once they are on disk. */
  record(ops: JournalOp[]): Promise<void> {
    return this.journal.append(ops);
  }

  /** Changes one item, journals it and (with `emit`) tells of it. */
  async change(item: QueueItem, patch: Partial<QueueItem>, emit = true): Promise<void> {
    await this.changeAll([item], () => patch, emit);
  }

  /** Changes several items with one journal write, then tells of each. */
  async changeAll(
    items: QueueItem[],
    patch: (item: QueueItem, k: number) => Partial<QueueItem>,
    emit = true,
  ): Promise<void> {
    items.forEach((item, k) => this.assign(item, patch(item, k)));
    await this.record(items.map((item) => ({ op: 'put', item })));
    if (emit) for (const item of items) this.changed(item);
  }

  /** Appends items (one journal write) and tells of each; `at` puts them there instead. */
  async insert(items: QueueItem[], at?: number): Promise<void> {
    const index = at === undefined ? this.list.length : Math.min(at, this.list.length);
    this.list.splice(index, 0, ...items);
    for (const item of items) {
      this.byId.set(item.id, item);
      this.work += waitingWorkOf(item);
      this.track(item);
    }
    this.scanFrom = 0;
    const ops: JournalOp[] = items.map((item) => ({ op: 'put', item }));
    // A put appends at the end when replayed: a restore elsewhere also records where it went.
    if (at !== undefined)
      items.forEach((item, k) => ops.push({ op: 'move', id: item.id, to: index + k }));
    await this.record(ops);
    for (const item of items) this.changed(item);
  }

  /** Removes items (one journal write); returns the items removed, in queue order. */
  async remove(ids: string[]): Promise<{ item: QueueItem; index: number }[]> {
    const gone = new Set(ids.filter((id) => this.byId.has(id)));
    if (gone.size === 0) return [];
    const removed: { item: QueueItem; index: number }[] = [];
    this.list.forEach((item, index) => {
      if (gone.has(item.id)) removed.push({ item, index });
    });
    for (const { item } of removed) this.work -= waitingWorkOf(item);
    this.list = this.list.filter((i) => !gone.has(i.id));
    for (const id of gone) {
      this.byId.delete(id);
      this.auto.delete(id);
    }
    this.scanFrom = 0;
    await this.record([{ op: 'remove', ids: [...gone] }]);
    return removed;
  }

  /** Moves an item to `index` (clamped); returns where it went, or undefined if unknown. */
  async move(id: string, index: number): Promise<number | undefined> {
    const from = this.list.findIndex((i) => i.id === id);
    if (from < 0) return undefined;
    const [item] = this.list.splice(from, 1);
    const to = Math.max(0, Math.min(index, this.list.length));
    this.list.splice(to, 0, item);
    this.scanFrom = 0;
    await this.record([{ op: 'move', id, to }]);
    return to;
  }

  /**
   * The next item to run: waiting re-exports (`autoStart`) first, then waiting ones in order,
   * those a crash interrupted last. `autoOnly`: re-exports only.
   */
  nextWaiting(autoOnly = false): QueueItem | undefined {
    const auto = this.auto.size > 0 ? this.list.find((i) => this.auto.has(i.id)) : undefined;
    if (auto || autoOnly) return auto;
    for (; this.scanFrom < this.list.length; this.scanFrom++) {
      const i = this.list[this.scanFrom];
      if (i.state === 'waiting' && !i.crashes) return i;
    }
    return this.list.find((i) => i.state === 'waiting');
  }
}
