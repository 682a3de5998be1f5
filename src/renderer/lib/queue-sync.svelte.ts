import type { EngineEvent, UpresApi } from '../../shared/api';
import type { EngineMessage } from '../../shared/engine-message';
import type { QueueItem } from '../../shared/queue';
import type { EventStream } from './connection';
import { moveItem, removeItems, upsertItem } from './queue-list';
import { engineText } from '../i18n/engine-text';
import { errorMessage } from '../i18n/errors';

/** The calls the queue's mirror uses. */
export type SyncApi = Pick<UpresApi, 'queueList' | 'onEvent'> & EventStream;

/** Per-tile progress of a running item. */
export interface ItemProgress {
  tile: number;
  tiles: number;
  /** 0–1. */
  fraction: number;
  /** Seconds left for the item, once measurable. */
  itemEta?: number;
}

/** Two warnings say the same: the same key and values, or (without a key) the same text. */
function sameWarning(a: EngineMessage, b: EngineMessage): boolean {
  if (!a.key || !b.key) return !a.key && !b.key && a.text === b.text;
  return a.key === b.key && JSON.stringify(a.params ?? {}) === JSON.stringify(b.params ?? {});
}

/** How long a wanted refetch waits, so a burst of cues costs one `queueList`. */
const RELOAD_DELAY_MS = 50;

/**
 * The renderer's copy of the engine's queue: fetched whole once, then kept by applying each pushed
 * event in place (`item`, `removed`, `moved`). It is fetched again only when events may have been
 * lost: the event stream dropped (the next `queue` event, the first on the new connection, is the
 * cue), or an event named an item the copy does not hold. Events that arrive while a fetch is in
 * flight are applied again on top of its answer, so a slow answer never rolls back a newer change.
 */
export class QueueSync {
  #items = $state<QueueItem[]>([]);
  #paused = $state(false);
  #running = $state(false);
  #progress = $state<Record<string, ItemProgress>>({});
  #stopping = $state<Record<string, true>>({});
  #queueEta = $state<number | undefined>(undefined);
  #warnings = $state<EngineMessage[]>([]);
  #loaded = $state(false);
  #loadError = $state<string | undefined>(undefined);

  readonly #api: SyncApi;
  readonly #onRemoved: () => void;
  #replay: EngineEvent[] | undefined;
  #loads = 0;
  /** Events may have been lost since the copy was fetched: refetch at the next `queue` event. */
  #missed = false;
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;
  /** Ids an `item` or `removed` event has named: their events are newer than any action's answer. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  readonly #evented = new Set<string>();

  /** `onRemoved` runs after items left the copy (the selection forgets them). */
  constructor(api: SyncApi, onRemoved: () => void) {
    this.#api = api;
    this.#onRemoved = onRemoved;
  }

  get items(): readonly QueueItem[] {
    return this.#items;
  }
  get paused(): boolean {
    return this.#paused;
  }
  /** The engine is working through the queue (from `queue` events, or an item running). */
  get running(): boolean {
    return this.#running;
  }
  get progress(): Readonly<Record<string, ItemProgress>> {
    return this.#progress;
  }
  /**
   * Running items asked to stop: the engine stops them after the tile in flight, which on a CPU
   * can take a minute, so the row says so instead of looking as if the click did nothing.
   */
  get stopping(): Readonly<Record<string, true>> {
    return this.#stopping;
  }
  /** Seconds left for the whole queue, while it runs and once measurable. */
  get queueEta(): number | undefined {
    return this.#queueEta;
  }
  /** The engine's warnings, each once, in the UI language (keyed ones; others as sent). */
  get warnings(): readonly string[] {
    return this.#warnings.map(engineText);
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get loadError(): string | undefined {
    return this.#loadError;
  }

  /** Subscribes to engine events (and to word of lost ones); returns the unsubscribe function. */
  attach(): () => void {
    // Until its first `queue` event, a stream that connects on its own may have missed changes
    // made after the first fetch was answered.
    this.#missed = this.#api.onEventsLost !== undefined;
    const off = this.#api.onEvent((e) => this.applyEvent(e));
    const offLost = this.#api.onEventsLost?.(() => (this.#missed = true));
    return () => {
      off();
      offLost?.();
      clearTimeout(this.#reloadTimer);
    };
  }

  /** Fetches the whole list; events that arrive meanwhile are applied again on top of it. */
  async load(): Promise<void> {
    const generation = ++this.#loads;
    clearTimeout(this.#reloadTimer);
    this.#replay = [];
    try {
      const list = await this.#api.queueList({});
      if (generation !== this.#loads) return;
      const replay = this.#replay ?? [];
      this.#replay = undefined;
      this.#items = list.items;
      this.#paused = list.paused;
      // The engine's problems from before this window listened: once, not again after a dismiss.
      if (!this.#loaded) for (const w of list.warnings ?? []) this.#addWarning(w);
      const stateOf = (id: string) => list.items.find((i) => i.id === id)?.state;
      this.#progress = keep(this.#progress, (id) => stateOf(id) !== undefined);
      this.#stopping = keep(this.#stopping, (id) => stateOf(id) === 'running');
      for (const e of replay) this.#apply(e);
      // The answer may already hold a move replayed on top of it, and a move applied twice can
      // shift its neighbours: ask once more (item and removed events are safe to apply twice).
      if (replay.some((e) => e.kind === 'moved')) this.#scheduleReload();
      if (!this.#items.some((i) => i.state === 'running') && !this.#running)
        this.#queueEta = undefined;
      this.#loaded = true;
      this.#loadError = undefined;
      this.#onRemoved();
    } catch (err) {
      if (generation !== this.#loads) return;
      this.#replay = undefined;
      this.#loadError = errorMessage(err);
    }
  }

  /** Applies one engine event (pushed, or the effect of an action the engine confirmed). */
  applyEvent(e: EngineEvent): void {
    this.#replay?.push(e);
    this.#apply(e);
  }

  /**
   * An item as an action's answer gave it (added, exported again, put back). The answer was
   * written when the action was done, so events about the item that came first are newer: a
   * re-export of a tiny photo can run to `done` before its answer arrives, and applying the
   * answer then would show it waiting for ever. It is applied only when no event named it.
   */
  applyAnswer(item: QueueItem): void {
    if (this.#evented.has(item.id)) return;
    this.#replay?.push({ kind: 'item', item });
    this.#apply({ kind: 'item', item });
  }

  /** The user paused or resumed: shown before the engine's `queue` event confirms it. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
  }

  /** A running item was asked to stop (see `stopping`). */
  markStopping(id: string): void {
    if (this.#items.some((i) => i.id === id && i.state === 'running')) this.#stopping[id] = true;
  }

  /** Shows new settings on an item at once, before the engine's `item` event confirms them. */
  showSettings(id: string, settings: QueueItem['settings']): void {
    const i = this.#items.findIndex((x) => x.id === id);
    if (i >= 0) this.#items[i] = { ...this.#items[i], settings };
  }

  dismissWarnings(): void {
    this.#warnings = [];
  }

  #apply(e: EngineEvent, pushed = true): void {
    if (pushed && e.kind === 'item') this.#evented.add(e.item.id);
    if (pushed && e.kind === 'removed') for (const id of e.ids) this.#evented.add(id);
    switch (e.kind) {
      case 'item': {
        const item = e.item;
        upsertItem(this.#items, item);
        if (item.state === 'running') this.#running = true;
        else this.#forget([item.id]);
        break;
      }
      case 'removed':
        if (removeItems(this.#items, e.ids)) {
          this.#forget(e.ids);
          this.#onRemoved();
        }
        break;
      case 'moved':
        // A move of an item this copy never saw: something was lost on the way.
        if (!moveItem(this.#items, e.id, e.index)) this.#refetch();
        break;
      case 'progress': {
        const { id, tile, tiles, fraction, itemEta, queueEta } = e;
        this.#progress[id] = { tile, tiles, fraction: clamp01(fraction), itemEta };
        this.#queueEta = queueEta;
        this.#running = true;
        break;
      }
      case 'queue':
        this.#paused = e.paused;
        this.#running = e.running;
        if (!e.running) {
          this.#queueEta = undefined;
          this.#progress = {};
        }
        if (this.#missed) this.#refetch();
        break;
      case 'warning': {
        // The engine repeats some (one per session it opens): each is shown once.
        this.#addWarning(e.detail ? { ...e.detail, text: e.message } : { text: e.message });
        break;
      }
    }
  }

  #addWarning(w: EngineMessage): void {
    if (!this.#warnings.some((x) => sameWarning(x, w))) this.#warnings.push(w);
  }

  /** Drops the progress and the stop request of items no longer running. */
  #forget(ids: readonly string[]): void {
    for (const id of ids) {
      if (id in this.#progress) delete this.#progress[id];
      if (id in this.#stopping) delete this.#stopping[id];
    }
  }

  #refetch(): void {
    this.#missed = false;
    this.#scheduleReload();
  }

  #scheduleReload(): void {
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => void this.load(), RELOAD_DELAY_MS);
  }
}

function keep<T>(record: Record<string, T>, wanted: (id: string) => boolean): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([id]) => wanted(id)));
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}
