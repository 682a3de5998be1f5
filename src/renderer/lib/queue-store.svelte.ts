import type { UpresApi } from '../../shared/api';
import { errorCode, type ErrorCode } from '../../shared/errors';
import { FINISHED, type ItemState, type QueueItem } from '../../shared/queue';
import type { AddProblem } from './add-problems';
import type { EventStream } from './connection';
import { QueueSelection } from './queue-selection.svelte';
import { QueueSync, type ItemProgress } from './queue-sync.svelte';
import { errorMessage } from '../i18n/errors';

export type { ItemProgress } from './queue-sync.svelte';

/** The calls the queue uses. */
export type QueueApi = Pick<
  UpresApi,
  | 'queueList'
  | 'queueAdd'
  | 'queueUpdate'
  | 'queueControl'
  | 'queueRestore'
  | 'queueReexport'
  | 'onEvent'
  | 'showInFolder'
> &
  EventStream;

/** How long *Clear finished* can be undone. */
export const UNDO_MS = 10_000;

/** What the last *Clear finished* took out, while it can be undone. */
export interface Cleared {
  items: readonly QueueItem[];
}

export type { AddProblem } from './add-problems';

type AddRequest = Parameters<UpresApi['queueAdd']>[0];
/** A settings change: absent keys stay, `null` resets a key to its default. */
export type SettingsPatch = Parameters<UpresApi['queueUpdate']>[0]['settings'];
export type AddSettings = AddRequest['settings'];
/** Where added items go, when not the saved defaults. */
export type AddPlacement = Pick<AddRequest, 'outDir' | 'nameTemplate' | 'onExists'>;

const FINISHED_STATES: ReadonlySet<ItemState> = new Set(FINISHED);

/** Work of an item the way the engine counts it for estimates: input pixels (×8 with TTA). */
function workOf(item: QueueItem): number {
  const px = (item.width ?? 0) * (item.height ?? 0);
  return (px > 0 ? px : 1) * (item.settings.tta ? 8 : 1);
}

/**
 * The queue as the renderer shows it: the engine's list kept live (`QueueSync`), the selection
 * (`QueueSelection`), the actions, and what the last action or add reported.
 */
export class QueueStore {
  readonly #api: QueueApi;
  readonly #sync: QueueSync;
  readonly #selection: QueueSelection;
  /** Inputs the last add could not queue, each with its message. */
  #problems = $state<AddProblem[]>([]);
  #actionError = $state<string | undefined>(undefined);
  #actionErrorCode = $state<ErrorCode | undefined>(undefined);
  #cleared = $state.raw<Cleared | undefined>(undefined);
  #undoTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(api: QueueApi) {
    this.#api = api;
    this.#sync = new QueueSync(api, () => this.#selection.prune());
    this.#selection = new QueueSelection(() => this.#sync.items);
  }

  // ---- the engine's list ----

  get items(): readonly QueueItem[] {
    return this.#sync.items;
  }
  get paused(): boolean {
    return this.#sync.paused;
  }
  get running(): boolean {
    return this.#sync.running;
  }
  get progress(): Readonly<Record<string, ItemProgress>> {
    return this.#sync.progress;
  }
  get stopping(): Readonly<Record<string, true>> {
    return this.#sync.stopping;
  }
  get queueEta(): number | undefined {
    return this.#sync.queueEta;
  }
  get warnings(): readonly string[] {
    return this.#sync.warnings;
  }
  get loaded(): boolean {
    return this.#sync.loaded;
  }
  get loadError(): string | undefined {
    return this.#sync.loadError;
  }
  get problems(): readonly AddProblem[] {
    return this.#problems;
  }
  /** The last *Clear finished*, for `UNDO_MS` after it (its undo is offered meanwhile). */
  get cleared(): Cleared | undefined {
    return this.#cleared;
  }
  /** Message of the last action that failed, shown until the next one. */
  get actionError(): string | undefined {
    return this.#actionError;
  }
  /** The code of that failure (`internal` for faults that carry none), for the display to use. */
  get actionErrorCode(): ErrorCode | undefined {
    return this.#actionErrorCode;
  }

  /** Subscribes to engine events; returns the unsubscribe function. */
  attach(): () => void {
    return this.#sync.attach();
  }

  /** Fetches the whole list (at start, and when the user retries a failed fetch). */
  load(): Promise<void> {
    return this.#sync.load();
  }

  /** Applies one pushed engine event to the list. */
  applyEvent(e: Parameters<QueueSync['applyEvent']>[0]): void {
    this.#sync.applyEvent(e);
  }

  byId(id: string): QueueItem | undefined {
    return this.items.find((i) => i.id === id);
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

  /** Items *Retry* puts back in the queue: failed and cancelled ones. */
  get retryable(): number {
    return this.items.reduce(
      (n, i) => n + (i.state === 'failed' || i.state === 'cancelled' ? 1 : 0),
      0,
    );
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

  /** Selected item ids, in the order they were selected; the last is the one compared. */
  get selected(): readonly string[] {
    return this.#selection.ids;
  }

  /** The item the compare view and the settings panel show: the last one selected. */
  get current(): QueueItem | undefined {
    const id = this.#selection.currentId;
    return id === undefined ? undefined : this.byId(id);
  }

  get selectedItems(): QueueItem[] {
    return this.items.filter((i) => this.#selection.has(i.id));
  }

  /** Selects one item; `toggle` adds or removes it, `range` extends from the last selected. */
  select(id: string, how: 'only' | 'toggle' | 'range' = 'only'): void {
    this.#selection.select(id, how);
  }

  selectAll(): void {
    this.#selection.selectAll();
  }

  /** Moves the selection to the item `delta` rows away from the current one. */
  selectNeighbour(delta: number, extend = false): string | undefined {
    return this.#selection.selectNeighbour(delta, extend);
  }

  // ---- actions ----

  /** Adds files and folders (paths on the engine's machine) with the given settings. */
  async add(paths: string[], settings: AddSettings, placement: AddPlacement = {}): Promise<number> {
    if (paths.length === 0) return 0;
    return (
      (await this.#act(async () => {
        const r = await this.#api.queueAdd({ paths, settings, ...placement, recursive: true });
        this.#problems = r.problems;
        for (const item of r.added) this.#sync.applyAnswer(item);
        if (r.added.length > 0) this.#selection.selectIfNone(r.added[0].id);
        return r.added.length;
      })) ?? 0
    );
  }

  start(): Promise<void> {
    return this.#control({ action: 'start' }, () => this.#sync.setPaused(false));
  }

  pause(): Promise<void> {
    return this.#control({ action: 'pause' }, () => this.#sync.setPaused(true));
  }

  cancelAll(): Promise<void> {
    return this.#control({ action: 'cancelAll' }, () => {
      for (const item of this.items) this.#sync.markStopping(item.id);
    });
  }

  cancel(id: string): Promise<void> {
    return this.#control({ action: 'cancel', id }, () => this.#sync.markStopping(id));
  }

  retry(id: string): Promise<void> {
    return this.#control({ action: 'retry', id });
  }

  /** Puts every failed and cancelled item back in the queue (one call). */
  retryAll(): Promise<void> {
    return this.#control({ action: 'retryAll' });
  }

  /**
   * Exports a finished photo of a pair again at another α: a new row, labelled as a re-export,
   * that the engine starts at once (or after the current item). The selection stays on the photo
   * compared.
   */
  async reexport(id: string, alpha: number): Promise<void> {
    await this.#act(async () => {
      const { item } = await this.#api.queueReexport({ id, alpha });
      this.#sync.applyAnswer(item);
      // Placed beside its first export: the engine says where with a `moved` event, and a refetch
      // follows if that came before the item did.
      const at = this.items.findIndex((i) => i.id === id);
      if (at >= 0) this.#sync.applyEvent({ kind: 'moved', id: item.id, index: at + 1 });
    });
  }

  // The engine answers remove, clear and move with `removed` / `moved` events; the same change is
  // applied when its answer comes (a no-op when the event came first), so a transport that is slow
  // with its events still shows the list as the engine has it.

  /** Removes an item that is not running. */
  remove(id: string): Promise<void> {
    return this.#control({ action: 'remove', id }, () =>
      this.#sync.applyEvent({ kind: 'removed', ids: [id] }),
    );
  }

  /** Removes finished items; the undo (`undoClear`) is offered for `UNDO_MS`. */
  async clearFinished(): Promise<void> {
    const finished = this.items.filter((i) => FINISHED_STATES.has(i.state));
    await this.#act(async () => {
      const r = await this.#api.queueControl({ action: 'clearFinished' });
      this.#sync.applyEvent({ kind: 'removed', ids: finished.map((i) => i.id) });
      const removed = r.removed ?? [];
      this.#offerUndo(removed.length > 0 ? { items: removed } : undefined);
    });
  }

  /** Puts back what the last *Clear finished* removed, where it was. */
  async undoClear(): Promise<void> {
    const cleared = this.#cleared;
    if (!cleared) return;
    this.#offerUndo(undefined);
    await this.#act(async () => {
      const { restored } = await this.#api.queueRestore({ ids: cleared.items.map((i) => i.id) });
      for (const item of restored) this.#sync.applyEvent({ kind: 'item', item });
      // The engine puts them back at their places: the list is fetched to show its order.
      if (restored.length > 0) await this.#sync.load();
    });
  }

  /** Stops offering the undo. */
  dismissUndo(): void {
    this.#offerUndo(undefined);
  }

  #offerUndo(cleared: Cleared | undefined): void {
    clearTimeout(this.#undoTimer);
    this.#cleared = cleared;
    this.#undoTimer = cleared ? setTimeout(() => (this.#cleared = undefined), UNDO_MS) : undefined;
  }

  /** Moves a waiting item past the previous (`delta` −1) or next (+1) waiting item. */
  async moveBy(id: string, delta: -1 | 1): Promise<void> {
    const items = this.items;
    const from = items.findIndex((i) => i.id === id);
    if (from < 0 || items[from].state !== 'waiting') return;
    let to = from + delta;
    while (to >= 0 && to < items.length && items[to].state !== 'waiting') to += delta;
    if (to < 0 || to >= items.length) return;
    await this.moveTo(id, to);
  }

  /** Moves a waiting item to `index` in the list. */
  async moveTo(id: string, index: number): Promise<void> {
    const from = this.items.findIndex((i) => i.id === id);
    if (from < 0 || this.items[from].state !== 'waiting' || from === index) return;
    await this.#control({ action: 'move', id, index }, () =>
      this.#sync.applyEvent({ kind: 'moved', id, index }),
    );
  }

  /** Whether an item can still be moved up (-1) or down (+1) among the waiting items. */
  canMove(id: string, delta: -1 | 1): boolean {
    const items = this.items;
    const from = items.findIndex((i) => i.id === id);
    if (from < 0 || items[from].state !== 'waiting') return false;
    for (let j = from + delta; j >= 0 && j < items.length; j += delta)
      if (items[j].state === 'waiting') return true;
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
          const item = this.byId(id);
          if (item?.state === 'waiting')
            this.#sync.showSettings(id, patched(item.settings, settings));
        }
        return r.updated;
      })) ?? 0
    );
  }

  /** Whether the app can open the file manager on an output (Electron; not in a browser). */
  get canShowInFolder(): boolean {
    return !!this.#api.showInFolder;
  }

  /** Opens the file manager on a finished photo's output; a refusal shows as an action error. */
  async showInFolder(id: string): Promise<void> {
    const show = this.#api.showInFolder;
    if (show) await this.#act(() => show(id));
  }

  /** Shows a failure found before any call was made (e.g. no model to add with). */
  fail(message: string): void {
    this.#actionError = message;
    this.#actionErrorCode = undefined;
  }

  dismissProblems(): void {
    this.#problems = [];
  }

  dismissWarnings(): void {
    this.#sync.dismissWarnings();
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
    this.#actionError = undefined;
    this.#actionErrorCode = undefined;
    try {
      return await run();
    } catch (err) {
      this.#actionError = errorMessage(err);
      this.#actionErrorCode = errorCode(err);
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
