import type { EngineEvent } from '../../shared/api';
import type { ItemState, QueueItem } from '../../shared/queue';
import type { BatchProgress, BatchSummary, OsEvents } from './os-events';

const FINISHED: ReadonlySet<ItemState> = new Set(['done', 'failed', 'skipped', 'cancelled']);

/** What a batch needs to know of a photo (a queue item as listed or as sent in an event). */
export type TrackedItem = Pick<QueueItem, 'id' | 'state' | 'width' | 'height' | 'autoStart'> & {
  settings: { tta?: boolean };
};

/**
 * Work of a photo as the queue's overall progress weighs it (the renderer's QueueStore.overall):
 * input pixels, ×8 with TTA, 1 when the size is unknown.
 */
export function workOf(item: TrackedItem): number {
  const px = (item.width ?? 0) * (item.height ?? 0);
  return (px > 0 ? px : 1) * (item.settings.tta ? 8 : 1);
}

/**
 * Follows the engine's events and tells the OS about batches. A batch starts when the queue starts
 * (every waiting photo is in it, and photos added or retried while it lasts) or, without Start,
 * when a re-export runs on its own (only the re-exports are in it). It ends when the queue stops
 * unpaused: `finished` with nothing of it left, `stopped` (a fault ended the run loop) with photos
 * still waiting. A paused batch stays a batch; one emptied while paused (cancelled, removed) ends
 * without a word. Only a batch the user started with Start is announced at its end.
 */
export class BatchTracker {
  readonly #items = new Map<string, TrackedItem>();
  readonly #fractions = new Map<string, number>();
  #paused = false;
  #running = false;
  /** Ids of the batch's photos; undefined between batches. */
  #batch: Set<string> | undefined;
  /** The batch was started with Start (all waiting photos), not by re-exports alone. */
  #all = false;
  /** What the bar shows now, to send only changes. */
  #shown: BatchProgress = { state: 'idle' };

  constructor(private readonly sink: Pick<OsEvents, 'progress' | 'batchEnded'>) {}

  /** The queue as listed (queueList) and its state (Engine.queueState) before any event. */
  seed(items: readonly TrackedItem[], state?: EngineEvent): void {
    for (const item of items) this.#items.set(item.id, item);
    if (state) this.handle(state);
    else this.#settle();
  }

  /** Feeds one engine event; events of other kinds are ignored. */
  handle(e: EngineEvent): void {
    switch (e.kind) {
      case 'item':
        this.#items.set(e.item.id, e.item);
        if (e.item.state !== 'running') this.#fractions.delete(e.item.id);
        if (e.item.state === 'running') this.#begin(false);
        else this.#join(e.item);
        break;
      case 'progress':
        this.#fractions.set(e.id, e.fraction);
        break;
      case 'removed':
        for (const id of e.ids) {
          this.#items.delete(id);
          this.#fractions.delete(id);
          this.#batch?.delete(id);
        }
        break;
      case 'queue':
        this.#paused = e.paused;
        this.#running = e.running;
        if (e.running && !e.paused) this.#begin(true);
        else if (!e.running && !e.paused && this.#batch) return this.#end();
        break;
      default:
        return;
    }
    this.#settle();
  }

  /** The user has seen a stopped batch's bar (the window got focus): it is cleared. */
  acknowledge(): void {
    if (this.#shown.state === 'stopped') this.#show({ state: 'idle' });
  }

  #begin(all: boolean): void {
    if (!this.#batch) {
      this.#batch = new Set();
      this.#all = false;
    }
    if (all) this.#all = true;
    for (const item of this.#items.values()) this.#join(item);
  }

  #join(item: TrackedItem): void {
    if (!this.#batch) return;
    const runs = item.state === 'running';
    const willRun = item.state === 'waiting' && (this.#all || item.autoStart === true);
    if (runs || willRun) this.#batch.add(item.id);
  }

  #members(): TrackedItem[] {
    return [...(this.#batch ?? [])].flatMap((id) => this.#items.get(id) ?? []);
  }

  #settle(): void {
    if (!this.#batch) return this.#show({ state: 'idle' });
    const members = this.#members();
    const active = this.#running || members.some((i) => i.state === 'running');
    if (!active && !members.some((i) => i.state === 'waiting')) {
      // Emptied while paused, or re-exports that ran on their own: over, nothing to announce.
      this.#batch = undefined;
      return this.#show({ state: 'idle' });
    }
    const fraction = this.#fraction(members);
    if (this.#paused) return this.#show({ state: 'paused', fraction });
    const started = members.some((i) => FINISHED.has(i.state) && i.state !== 'cancelled');
    this.#show(fraction > 0 || started ? { state: 'running', fraction } : { state: 'starting' });
  }

  #end(): void {
    const members = this.#members();
    const count = (s: ItemState): number => members.filter((i) => i.state === s).length;
    const left = count('waiting') + count('running');
    const summary: BatchSummary = {
      outcome: left > 0 ? 'stopped' : 'finished',
      done: count('done'),
      failed: count('failed'),
      skipped: count('skipped'),
      cancelled: count('cancelled'),
      left,
    };
    const announce = this.#all && members.length > 0;
    this.#batch = undefined;
    this.#show(
      left > 0 ? { state: 'stopped', fraction: this.#fraction(members) } : { state: 'idle' },
    );
    if (announce) this.sink.batchEnded(summary);
  }

  /** The queue's overall progress over the batch: finished photos whole, the running one by its fraction. */
  #fraction(members: readonly TrackedItem[]): number {
    let total = 0;
    let done = 0;
    for (const item of members) {
      if (item.state === 'cancelled') continue;
      const w = workOf(item);
      total += w;
      if (FINISHED.has(item.state)) done += w;
      else if (item.state === 'running') done += w * (this.#fractions.get(item.id) ?? 0);
    }
    return total > 0 ? Math.min(1, done / total) : 0;
  }

  #show(p: BatchProgress): void {
    const next: BatchProgress =
      'fraction' in p ? { ...p, fraction: Math.round(p.fraction * 1000) / 1000 } : p;
    if (JSON.stringify(next) === JSON.stringify(this.#shown)) return;
    this.#shown = next;
    this.sink.progress(next);
  }
}
