import type { EngineEvent, UpresApi } from '../../shared/api';
import { errorCode, type ErrorCode } from '../../shared/errors';
import type { ItemState, QueueItem } from '../../shared/queue';

/** The calls the queue uses. */
export type QueueApi = Pick<
  UpresApi,
  'queueList' | 'queueAdd' | 'queueUpdate' | 'queueControl' | 'onEvent'
>;

/** Per-tile progress of a running item. */
export interface ItemProgress {
  tile: number;
  tiles: number;
  /** 0–1. */
  fraction: number;
  /** Seconds left for the item, once measurable. */
  itemEta?: number;
}

export interface AddProblem {
  path: string;
  error: string;
}

type AddRequest = Parameters<UpresApi['queueAdd']>[0];
/** A settings change: absent keys stay, `null` resets a key to its default. */
export type SettingsPatch = Parameters<UpresApi['queueUpdate']>[0]['settings'];
export type AddSettings = AddRequest['settings'];
/** Where added items go, when not the saved defaults. */
export type AddPlacement = Pick<AddRequest, 'outDir' | 'nameTemplate' | 'onExists'>;

const FINISHED_STATES: ReadonlySet<ItemState> = new Set(['done', 'failed', 'cancelled', 'skipped']);

/** Work of an item the way the engine counts it for estimates: input pixels (×8 with TTA). */
function workOf(item: QueueItem): number {
  const px = (item.width ?? 0) * (item.height ?? 0);
  return (px > 0 ? px : 1) * (item.settings.tta ? 8 : 1);
}

/**
 * The queue as the renderer shows it: the list from `queueList` kept live by engine events, the
 * selection, and the actions. Events that arrive while the list is being (re)loaded are applied
 * again on top of the loaded list, so a slow answer never rolls back a newer change.
 */
export class QueueStore {
  items = $state<QueueItem[]>([]);
  paused = $state(false);
  /** The engine is working through the queue (from `queue` events, or an item running). */
  running = $state(false);
  progress = $state<Record<string, ItemProgress>>({});
  /**
   * Running items asked to stop: the engine stops them after the tile in flight, which on a CPU
   * can take a minute, so the row says so instead of looking as if the click did nothing.
   */
  stopping = $state<Record<string, true>>({});
  /** Seconds left for the whole queue, while it runs and once measurable. */
  queueEta = $state<number | undefined>(undefined);
  warnings = $state<string[]>([]);
  /** Inputs the last add could not queue, each with its message. */
  problems = $state<AddProblem[]>([]);
  /** Message of the last action that failed, shown until the next one. */
  actionError = $state<string | undefined>(undefined);
  /** The code of that failure (`internal` for faults that carry none), for the display to use. */
  actionErrorCode = $state<ErrorCode | undefined>(undefined);
  loaded = $state(false);
  loadError = $state<string | undefined>(undefined);
  /** Selected item ids, in the order they were selected; the last is the one compared. */
  selected = $state<string[]>([]);

  readonly #api: QueueApi;
  #replay: EngineEvent[] | undefined;
  #loads = 0;

  constructor(api: QueueApi) {
    this.#api = api;
  }

  /** Subscribes to engine events; returns the unsubscribe function. */
  attach(): () => void {
    return this.#api.onEvent((e) => this.applyEvent(e));
  }

  /** Loads (or reloads) the list; events that arrive meanwhile are replayed on top of it. */
  async load(): Promise<void> {
    const generation = ++this.#loads;
    this.#replay = [];
    try {
      const list = await this.#api.queueList({});
      if (generation !== this.#loads) return;
      const replay = this.#replay ?? [];
      this.#replay = undefined;
      this.items = list.items;
      this.paused = list.paused;
      const known = (id: string): boolean => list.items.some((i) => i.id === id);
      this.selected = this.selected.filter(known);
      this.progress = Object.fromEntries(Object.entries(this.progress).filter(([id]) => known(id)));
      const running = (id: string): boolean =>
        list.items.some((i) => i.id === id && i.state === 'running');
      this.stopping = Object.fromEntries(
        Object.entries(this.stopping).filter(([id]) => running(id)),
      );
      for (const e of replay) this.#apply(e);
      if (!this.items.some((i) => i.state === 'running') && !this.running)
        this.queueEta = undefined;
      this.loaded = true;
      this.loadError = undefined;
    } catch (err) {
      if (generation !== this.#loads) return;
      this.#replay = undefined;
      this.loadError = messageOf(err);
    }
  }

  /** Applies one pushed engine event to the list. */
  applyEvent(e: EngineEvent): void {
    this.#replay?.push(e);
    this.#apply(e);
  }

  #apply(e: EngineEvent): void {
    switch (e.kind) {
      case 'item': {
        const item = e.item;
        const i = this.items.findIndex((x) => x.id === item.id);
        if (i >= 0) this.items[i] = item;
        else this.items.push(item);
        if (item.state === 'running') this.running = true;
        else {
          if (item.id in this.progress) delete this.progress[item.id];
          if (item.id in this.stopping) delete this.stopping[item.id];
        }
        break;
      }
      case 'progress': {
        const { id, tile, tiles, fraction, itemEta, queueEta } = e;
        this.progress[id] = { tile, tiles, fraction: clamp01(fraction), itemEta };
        this.queueEta = queueEta;
        this.running = true;
        break;
      }
      case 'queue':
        this.paused = e.paused;
        this.running = e.running;
        if (!e.running) {
          this.queueEta = undefined;
          this.progress = {};
        }
        // Also the engine's cue that items were removed or moved (no item event says so).
        if (!this.#replay) this.#scheduleReload();
        break;
      case 'warning':
        // The engine repeats some (one per session it opens): each is shown once.
        if (!this.warnings.includes(e.message)) this.warnings.push(e.message);
        break;
    }
  }

  #reloadTimer: ReturnType<typeof setTimeout> | undefined;

  #scheduleReload(): void {
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => void this.load(), 50);
  }

  byId(id: string): QueueItem | undefined {
    return this.items.find((i) => i.id === id);
  }

  /** The item the compare view and the settings panel show: the last one selected. */
  get current(): QueueItem | undefined {
    const id = this.selected[this.selected.length - 1];
    return id === undefined ? undefined : this.byId(id);
  }

  get selectedItems(): QueueItem[] {
    return this.items.filter((i) => this.selected.includes(i.id));
  }

  count(state: ItemState): number {
    return this.items.reduce((n, i) => n + (i.state === state ? 1 : 0), 0);
  }

  get hasWaiting(): boolean {
    return this.items.some((i) => i.state === 'waiting');
  }

  get hasFinished(): boolean {
    return this.items.some((i) => FINISHED_STATES.has(i.state));
  }

  /** Whether items are being worked on now (not paused, something running). */
  get busy(): boolean {
    if (this.paused) return false;
    return this.items.some((i) => i.state === 'running') || (this.running && this.hasWaiting);
  }

  /**
   * Overall progress 0–1, weighted by each item's pixels: finished items count whole, the
   * running one by its tile fraction; cancelled items are left out.
   */
  get overall(): number {
    let total = 0;
    let done = 0;
    for (const item of this.items) {
      if (item.state === 'cancelled') continue;
      const w = workOf(item);
      total += w;
      if (FINISHED_STATES.has(item.state)) done += w;
      else if (item.state === 'running') done += w * (this.progress[item.id]?.fraction ?? 0);
    }
    return total > 0 ? done / total : 0;
  }

  // ---- selection ----

  /** Selects one item; `toggle` adds or removes it, `range` extends from the last selected. */
  select(id: string, how: 'only' | 'toggle' | 'range' = 'only'): void {
    if (how === 'toggle') {
      this.selected = this.selected.includes(id)
        ? this.selected.filter((x) => x !== id)
        : [...this.selected, id];
      return;
    }
    if (how === 'range') {
      const anchor = this.selected[this.selected.length - 1];
      const a = this.items.findIndex((i) => i.id === anchor);
      const b = this.items.findIndex((i) => i.id === id);
      if (a >= 0 && b >= 0) {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const range = this.items.slice(lo, hi + 1).map((i) => i.id);
        // Keep the anchor's selection and end on the clicked item so it is the one compared.
        const rest = this.selected.filter((x) => !range.includes(x));
        this.selected = [...rest, ...range.filter((x) => x !== id), id];
        return;
      }
    }
    this.selected = [id];
  }

  selectAll(): void {
    const current = this.current?.id;
    const ids = this.items.map((i) => i.id).filter((id) => id !== current);
    this.selected = current ? [...ids, current] : ids;
  }

  /** Moves the selection to the item `delta` rows away from the current one. */
  selectNeighbour(delta: number, extend = false): string | undefined {
    if (this.items.length === 0) return undefined;
    const current = this.current;
    const i = current ? this.items.indexOf(current) : -1;
    const j = Math.max(0, Math.min(this.items.length - 1, i < 0 ? 0 : i + delta));
    const id = this.items[j].id;
    this.select(id, extend ? 'range' : 'only');
    return id;
  }

  // ---- actions ----

  /** Adds files and folders (paths on the engine's machine) with the given settings. */
  async add(paths: string[], settings: AddSettings, placement: AddPlacement = {}): Promise<number> {
    if (paths.length === 0) return 0;
    return (
      (await this.#act(async () => {
        const r = await this.#api.queueAdd({ paths, settings, ...placement, recursive: true });
        this.problems = r.problems;
        for (const item of r.added) this.#apply({ kind: 'item', item });
        if (r.added.length > 0 && this.selected.length === 0) this.selected = [r.added[0].id];
        return r.added.length;
      })) ?? 0
    );
  }

  start(): Promise<void> {
    return this.#control({ action: 'start' }, () => {
      this.paused = false;
    });
  }

  pause(): Promise<void> {
    return this.#control({ action: 'pause' }, () => {
      this.paused = true;
    });
  }

  cancelAll(): Promise<void> {
    return this.#control({ action: 'cancelAll' }, () => {
      for (const item of this.items) if (item.state === 'running') this.stopping[item.id] = true;
    });
  }

  cancel(id: string): Promise<void> {
    return this.#control({ action: 'cancel', id }, () => {
      if (this.byId(id)?.state === 'running') this.stopping[id] = true;
    });
  }

  retry(id: string): Promise<void> {
    return this.#control({ action: 'retry', id });
  }

  async retryFailed(): Promise<void> {
    for (const item of this.items.filter((i) => i.state === 'failed'))
      await this.#control({ action: 'retry', id: item.id });
  }

  /** Removes an item that is not running (the engine sends no event for it: reload). */
  async remove(id: string): Promise<void> {
    await this.#control({ action: 'remove', id }, () => {
      this.items = this.items.filter((i) => i.id !== id);
      this.selected = this.selected.filter((x) => x !== id);
    });
    await this.load();
  }

  async clearFinished(): Promise<void> {
    await this.#control({ action: 'clearFinished' }, () => {
      this.items = this.items.filter((i) => !FINISHED_STATES.has(i.state));
    });
    await this.load();
  }

  /** Moves a waiting item past the previous (`delta` −1) or next (+1) waiting item. */
  async moveBy(id: string, delta: -1 | 1): Promise<void> {
    const from = this.items.findIndex((i) => i.id === id);
    if (from < 0 || this.items[from].state !== 'waiting') return;
    let to = from + delta;
    while (to >= 0 && to < this.items.length && this.items[to].state !== 'waiting') to += delta;
    if (to < 0 || to >= this.items.length) return;
    await this.moveTo(id, to);
  }

  /** Moves a waiting item to `index` in the list. */
  async moveTo(id: string, index: number): Promise<void> {
    const from = this.items.findIndex((i) => i.id === id);
    if (from < 0 || this.items[from].state !== 'waiting' || from === index) return;
    await this.#control({ action: 'move', id, index }, () => {
      const next = [...this.items];
      const [item] = next.splice(from, 1);
      next.splice(Math.max(0, Math.min(index, next.length)), 0, item);
      this.items = next;
    });
    await this.load();
  }

  /** Whether an item can still be moved up (-1) or down (+1) among the waiting items. */
  canMove(id: string, delta: -1 | 1): boolean {
    const from = this.items.findIndex((i) => i.id === id);
    if (from < 0 || this.items[from].state !== 'waiting') return false;
    for (let j = from + delta; j >= 0 && j < this.items.length; j += delta)
      if (this.items[j].state === 'waiting') return true;
    return false;
  }

  /**
   * Changes settings of waiting items (others keep theirs, as the engine does); returns how many
   * changed. The new settings show at once, before the engine's item events confirm them.
   */
  async update(ids: string[], settings: SettingsPatch): Promise<number> {
    const waiting = ids.filter((id) => this.byId(id)?.state === 'waiting');
    if (waiting.length === 0) return 0;
    return (
      (await this.#act(async () => {
        const r = await this.#api.queueUpdate({ ids: waiting, settings });
        for (const id of waiting) {
          const i = this.items.findIndex((x) => x.id === id);
          if (i >= 0 && this.items[i].state === 'waiting')
            this.items[i] = {
              ...this.items[i],
              settings: patched(this.items[i].settings, settings),
            };
        }
        return r.updated;
      })) ?? 0
    );
  }

  dismissProblems(): void {
    this.problems = [];
  }

  dismissWarnings(): void {
    this.warnings = [];
  }

  async #control(
    request: Parameters<QueueApi['queueControl']>[0],
    then?: () => void,
  ): Promise<void> {
    await this.#act(async () => {
      await this.#api.queueControl(request);
      then?.();
    });
  }

  async #act<T>(run: () => Promise<T>): Promise<T | undefined> {
    this.actionError = undefined;
    this.actionErrorCode = undefined;
    try {
      return await run();
    } catch (err) {
      this.actionError = messageOf(err);
      this.actionErrorCode = errorCode(err);
      return undefined;
    }
  }
}

/** Settings after a patch, as the engine applies it (reset keys fall back to their defaults). */
function patched(base: QueueItem['settings'], patch: SettingsPatch): QueueItem['settings'] {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = value;
  }
  return out as QueueItem['settings'];
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
