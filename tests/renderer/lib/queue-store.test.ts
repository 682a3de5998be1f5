// The renderer's queue: the engine's list kept by its events (checked against a naive copy of the
// engine's list that the same operations are applied to by hand), the selection and the actions.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, UpresApi } from '../../../src/shared/api';
import { UpresError } from '../../../src/shared/errors';
import type { ItemState, QueueItem } from '../../../src/shared/queue';
import { loadSvelteModule, rendererLib } from '../helpers/svelte-module';

// ---- the surface used, restated (tsconfig.node.json does not list the renderer) ----

interface ItemProgress {
  tile: number;
  tiles: number;
  fraction: number;
  itemEta?: number;
}
type QueueApi = Pick<
  UpresApi,
  | 'queueList'
  | 'queueAdd'
  | 'queueUpdate'
  | 'queueControl'
  | 'queueRestore'
  | 'queueReexport'
  | 'onEvent'
> & { onEventsLost?(listener: () => void): () => void };
interface QueueStore {
  readonly items: QueueItem[];
  readonly paused: boolean;
  readonly running: boolean;
  readonly progress: Record<string, ItemProgress>;
  readonly stopping: Record<string, true>;
  readonly queueEta: number | undefined;
  readonly warnings: string[];
  dismissWarnings(): void;
  readonly problems: { path: string; error: string }[];
  readonly actionError: string | undefined;
  readonly actionErrorCode: string | undefined;
  readonly loaded: boolean;
  readonly selected: string[];
  readonly current: QueueItem | undefined;
  readonly selectedItems: QueueItem[];
  readonly overall: number;
  readonly busy: boolean;
  byId(id: string): QueueItem | undefined;
  attach(): () => void;
  load(): Promise<void>;
  applyEvent(e: EngineEvent): void;
  select(id: string, how?: 'only' | 'toggle' | 'range'): void;
  selectAll(): void;
  selectNeighbour(delta: number, extend?: boolean): string | undefined;
  add(paths: string[], settings: { model: string }): Promise<number>;
  start(): Promise<void>;
  pause(): Promise<void>;
  cancel(id: string): Promise<void>;
  cancelAll(): Promise<void>;
  remove(id: string): Promise<void>;
  clearFinished(): Promise<void>;
  readonly cleared: { items: readonly QueueItem[] } | undefined;
  readonly retryable: number;
  undoClear(): Promise<void>;
  retryAll(): Promise<void>;
  reexport(id: string, alpha: number): Promise<void>;
  moveTo(id: string, index: number): Promise<void>;
  fail(message: string): void;
  moveBy(id: string, delta: -1 | 1): Promise<void>;
  canMove(id: string, delta: -1 | 1): boolean;
  update(ids: string[], settings: Record<string, unknown>): Promise<number>;
}

const { QueueStore, UNDO_MS } = (await loadSvelteModule(rendererLib('queue-store.svelte.ts'))) as {
  QueueStore: new (api: QueueApi) => QueueStore;
  UNDO_MS: number;
};

// ---- a fake engine: an event source and the queue calls ----

function makeItem(id: string, patch: Partial<QueueItem> = {}): QueueItem {
  return {
    id,
    input: `/photos/${id}.jpg`,
    relDir: '',
    placement: { outDir: '/photos/upscaled', nameTemplate: '{name}_x{scale}', onExists: 'suffix' },
    settings: {
      model: 'photo-x4',
      keepMetadata: 'all',
      transparency: 'resize',
      tta: false,
      device: 'auto',
      precision: 'auto',
    },
    state: 'waiting',
    width: 100,
    height: 100,
    notes: [],
    ...patch,
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const FINISHED = new Set<ItemState>(['done', 'failed', 'cancelled', 'skipped']);

class FakeEngine {
  listeners = new Set<(e: EngineEvent) => void>();
  list: { items: QueueItem[]; paused: boolean } = { items: [], paused: false };
  /** When set, the next queueList waits for it. */
  gate: Deferred<void> | undefined;
  calls: { method: string; request: unknown }[] = [];

  emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  api: QueueApi = {
    onEvent: (listener) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
    queueList: async () => {
      const snapshot = structuredClone(this.list);
      this.calls.push({ method: 'queueList', request: {} });
      const gate = this.gate;
      this.gate = undefined;
      if (gate) await gate.promise;
      return snapshot;
    },
    queueAdd: async (request) => {
      this.calls.push({ method: 'queueAdd', request });
      const added = request.paths.map((p, i) => makeItem(`new${i}`, { input: p }));
      return { added, problems: [{ path: '/missing', error: 'no such file' }] };
    },
    queueUpdate: async (request) => {
      this.calls.push({ method: 'queueUpdate', request });
      return { updated: request.ids.length };
    },
    queueControl: async (request) => {
      this.calls.push({ method: 'queueControl', request });
      if (request.action === 'remove')
        this.list.items = this.list.items.filter((i) => i.id !== request.id);
      if (request.action === 'clearFinished') {
        const removed = this.list.items.filter((i) => FINISHED.has(i.state));
        this.cleared.push(
          ...removed.map((item) => ({ item, index: this.list.items.indexOf(item) })),
        );
        this.list.items = this.list.items.filter((i) => !FINISHED.has(i.state));
        return { ok: true, removed };
      }
      return { ok: true };
    },
    queueRestore: async (request) => {
      this.calls.push({ method: 'queueRestore', request });
      const back = this.cleared.filter((c) => request.ids.includes(c.item.id));
      this.cleared = this.cleared.filter((c) => !back.includes(c));
      for (const c of back.sort((a, b) => a.index - b.index))
        this.list.items.splice(c.index, 0, c.item);
      return { restored: back.map((c) => c.item) };
    },
    queueReexport: async (request) => {
      this.calls.push({ method: 'queueReexport', request });
      const source = this.list.items.find((i) => i.id === request.id)!;
      const item = makeItem(`${request.id}-again`, {
        input: source.input,
        settings: { ...source.settings, alpha: request.alpha },
        reexportOf: request.id,
        autoStart: true,
        estimatedSeconds: 12,
      });
      this.list.items.splice(this.list.items.indexOf(source) + 1, 0, item);
      return { item };
    },
  };
  /** Items clearFinished took out, with their places. */
  cleared: { item: QueueItem; index: number }[] = [];
}

describe('QueueStore: the queue list kept live by engine events', () => {
  let engine: FakeEngine;
  let store: QueueStore;

  beforeEach(async () => {
    engine = new FakeEngine();
    engine.list = { items: [makeItem('a'), makeItem('b'), makeItem('c')], paused: false };
    store = new QueueStore(engine.api);
    store.attach();
    await store.load();
  });

  it('starts from queueList (the queue as the engine kept it)', () => {
    expect(store.loaded).toBe(true);
    expect(store.items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(store.paused).toBe(false);
  });

  it('upserts items from item events', () => {
    engine.emit({ kind: 'item', item: makeItem('b', { state: 'running' }) });
    expect(store.items.map((i) => [i.id, i.state])).toEqual([
      ['a', 'waiting'],
      ['b', 'running'],
      ['c', 'waiting'],
    ]);
    expect(store.running).toBe(true);
    engine.emit({ kind: 'item', item: makeItem('d') });
    expect(store.items.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('tracks per-tile progress and the ETAs, and drops them when the item ends', () => {
    engine.emit({ kind: 'item', item: makeItem('a', { state: 'running' }) });
    engine.emit({
      kind: 'progress',
      id: 'a',
      tile: 3,
      tiles: 12,
      fraction: 0.25,
      itemEta: 9,
      queueEta: 40,
    });
    expect(store.progress.a).toEqual({ tile: 3, tiles: 12, fraction: 0.25, itemEta: 9 });
    expect(store.queueEta).toBe(40);
    expect(store.busy).toBe(true);
    // Three equal items: a quarter of one of them.
    expect(store.overall).toBeCloseTo(0.25 / 3);
    engine.emit({
      kind: 'item',
      item: makeItem('a', { state: 'done', output: '/o/a.jpg', outWidth: 400, outHeight: 400 }),
    });
    expect(store.progress.a).toBeUndefined();
    expect(store.overall).toBeCloseTo(1 / 3);
  });

  it('shows a failed item with its message', () => {
    engine.emit({ kind: 'item', item: makeItem('c', { state: 'failed', error: 'not an image' }) });
    expect(store.items[2]).toMatchObject({ state: 'failed', error: 'not an image' });
  });

  it('marks a cancelled running item as stopping until the engine says it stopped', async () => {
    engine.emit({ kind: 'item', item: makeItem('a', { state: 'running' }) });
    await store.cancel('b'); // waiting: cancelled at once by the engine, nothing to wait for
    expect(store.stopping).toEqual({});
    await store.cancel('a');
    expect(store.stopping).toEqual({ a: true });
    engine.emit({ kind: 'item', item: makeItem('a', { state: 'cancelled' }) });
    expect(store.stopping).toEqual({});
    engine.emit({ kind: 'item', item: makeItem('c', { state: 'running' }) });
    await store.cancelAll();
    expect(store.stopping).toEqual({ c: true });
    engine.emit({ kind: 'item', item: makeItem('c', { state: 'done' }) });
    expect(store.stopping).toEqual({});
  });

  it('follows the queue state: paused, and no estimate once it stops', async () => {
    engine.emit({ kind: 'progress', id: 'a', tile: 1, tiles: 2, fraction: 0.5, queueEta: 5 });
    engine.emit({ kind: 'queue', paused: true, running: false });
    expect(store.paused).toBe(true);
    expect(store.running).toBe(false);
    expect(store.queueEta).toBeUndefined();
    expect(store.progress).toEqual({});
    expect(store.busy).toBe(false);
    // Not a cue to refetch: removals and moves come as their own events.
    const lists = engine.calls.filter((c) => c.method === 'queueList').length;
    engine.emit({ kind: 'queue', paused: false, running: false });
    await new Promise((r) => setTimeout(r, 80));
    expect(engine.calls.filter((c) => c.method === 'queueList')).toHaveLength(lists);
  });

  it('collects warnings', () => {
    engine.emit({ kind: 'warning', message: 'journal was damaged' });
    expect(store.warnings).toEqual(['journal was damaged']);
  });

  it('replays events that arrive while the list loads, so a slow answer rolls nothing back', async () => {
    engine.gate = deferred<void>();
    const gate = engine.gate;
    const loading = store.load(); // the snapshot is taken now: b is waiting in it
    engine.emit({ kind: 'item', item: makeItem('b', { state: 'running' }) });
    engine.emit({ kind: 'progress', id: 'b', tile: 1, tiles: 4, fraction: 0.25 });
    gate.resolve();
    await loading;
    expect(store.items.find((i) => i.id === 'b')?.state).toBe('running');
    expect(store.progress.b?.fraction).toBe(0.25);
  });

  it('shows the problems the engine found while opening, from the first list only', async () => {
    const journal = { text: 'queue journal /q.json was unreadable; kept as /q.json.corrupt-1' };
    engine.list = { ...engine.list, warnings: [journal] } as typeof engine.list;
    const other = new QueueStore(engine.api);
    other.attach();
    await other.load();
    expect(other.warnings).toEqual([journal.text]);
    // The same sentence pushed as an event is not shown twice.
    engine.emit({ kind: 'warning', message: journal.text });
    expect(other.warnings).toEqual([journal.text]);
    // Dismissed, it does not come back with the next list (a reconnect refetches).
    other.dismissWarnings();
    await other.load();
    expect(other.warnings).toEqual([]);
  });

  it('stops listening when detached', () => {
    const other = new QueueStore(engine.api);
    const detach = other.attach();
    detach();
    engine.emit({ kind: 'warning', message: 'x' });
    expect(other.warnings).toEqual([]);
  });

  it('selects one, toggles, extends a range; the last selected is the one compared', () => {
    store.select('a');
    expect(store.current?.id).toBe('a');
    store.select('c', 'range');
    expect(store.selected).toEqual(['a', 'b', 'c']);
    expect(store.current?.id).toBe('c');
    store.select('b', 'toggle');
    expect(store.selectedItems.map((i) => i.id)).toEqual(['a', 'c']);
    store.select('b');
    expect(store.selectNeighbour(1)).toBe('c');
    expect(store.selectNeighbour(1)).toBe('c');
    store.selectAll();
    expect(store.selected).toHaveLength(3);
    expect(store.current?.id).toBe('c');
  });

  it('reorders waiting items past their waiting neighbours', async () => {
    engine.emit({ kind: 'item', item: makeItem('b', { state: 'done' }) });
    expect(store.canMove('a', -1)).toBe(false);
    expect(store.canMove('c', -1)).toBe(true);
    expect(store.canMove('b', 1)).toBe(false);
    await store.moveBy('c', -1);
    expect(engine.calls).toContainEqual({
      method: 'queueControl',
      request: { action: 'move', id: 'c', index: 0 },
    });
  });

  it('changes settings of waiting items only, and resets keys sent as null', async () => {
    engine.emit({
      kind: 'item',
      item: makeItem('a', { settings: { ...makeItem('a').settings, scale: 2 } }),
    });
    engine.emit({ kind: 'item', item: makeItem('b', { state: 'done' }) });
    const n = await store.update(['a', 'b'], { width: 1920, scale: null });
    expect(n).toBe(1);
    expect(engine.calls).toContainEqual({
      method: 'queueUpdate',
      request: { ids: ['a'], settings: { width: 1920, scale: null } },
    });
    expect(store.items[0].settings.width).toBe(1920);
    expect('scale' in store.items[0].settings).toBe(false);
  });

  it('adds paths, shows the problems, and selects the first new item', async () => {
    const fresh = new QueueStore(engine.api);
    expect(await fresh.add(['/photos/trip'], { model: 'photo-x4' })).toBe(1);
    expect(fresh.problems).toEqual([{ path: '/missing', error: 'no such file' }]);
    expect(fresh.current?.input).toBe('/photos/trip');
    expect(engine.calls).toContainEqual({
      method: 'queueAdd',
      request: { paths: ['/photos/trip'], settings: { model: 'photo-x4' }, recursive: true },
    });
  });

  it('removes an item without a refetch; a failed action shows its message', async () => {
    store.select('b');
    await store.remove('b');
    expect(store.items.map((i) => i.id)).toEqual(['a', 'c']);
    expect(store.selected).toEqual([]);
    engine.api.queueControl = async () => {
      throw new Error('a running item cannot be removed; cancel it first');
    };
    await store.pause();
    expect(store.actionError).toMatch(/cannot be removed/);
    expect(store.actionErrorCode).toBe('internal');
    engine.api.queueControl = async () => {
      throw new UpresError('not-found', 'queueControl: no item "b"');
    };
    await store.pause();
    expect(store.actionError).toBe('queueControl: no item "b"');
    expect(store.actionErrorCode).toBe('not-found');
  });

  it('clears finished items with an undo for a while; the undo puts them back where they were', async () => {
    vi.useFakeTimers();
    try {
      engine.list.items[0].state = 'done';
      engine.list.items[2].state = 'cancelled';
      await store.load();
      await store.clearFinished();
      expect(store.items.map((i) => i.id)).toEqual(['b']);
      expect(store.cleared?.items.map((i) => i.id)).toEqual(['a', 'c']);
      await store.undoClear();
      expect(engine.calls.at(-2)).toEqual({
        method: 'queueRestore',
        request: { ids: ['a', 'c'] },
      });
      expect(store.items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
      expect(store.cleared).toBeUndefined();

      await store.clearFinished();
      expect(store.cleared).toBeDefined();
      await vi.advanceTimersByTimeAsync(UNDO_MS - 100);
      expect(store.cleared).toBeDefined();
      await vi.advanceTimersByTimeAsync(200);
      expect(store.cleared).toBeUndefined();
      // Nothing finished: nothing to undo.
      await store.clearFinished();
      expect(store.cleared).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('retries failed and cancelled items in one call', async () => {
    engine.list.items[0].state = 'failed';
    engine.list.items[1].state = 'cancelled';
    engine.list.items[2].state = 'done';
    await store.load();
    expect(store.retryable).toBe(2);
    await store.retryAll();
    expect(engine.calls.at(-1)).toEqual({
      method: 'queueControl',
      request: { action: 'retryAll' },
    });
  });

  it('exports again at another α as its own row beside the first, keeping the selection', async () => {
    engine.list.items[1].state = 'done';
    await store.load();
    store.select('b');
    await store.reexport('b', 0.3);
    expect(engine.calls.at(-1)).toEqual({
      method: 'queueReexport',
      request: { id: 'b', alpha: 0.3 },
    });
    expect(store.items.map((i) => i.id)).toEqual(['a', 'b', 'b-again', 'c']);
    expect(store.byId('b-again')?.reexportOf).toBe('b');
    expect(store.selected).toEqual(['b']);
  });

  it('a re-export that finishes before its answer arrives stays done (the answer is older)', async () => {
    engine.list.items[1].state = 'done';
    await store.load();
    const answer = engine.api.queueReexport;
    // The engine runs the tiny re-export to the end, its events pushed, before the answer.
    engine.api.queueReexport = async (request) => {
      const r = await answer(request);
      const id = r.item.id;
      engine.emit({ kind: 'item', item: r.item });
      engine.emit({ kind: 'moved', id, index: 2 });
      engine.emit({ kind: 'queue', paused: false, running: true });
      engine.emit({ kind: 'item', item: { ...r.item, state: 'running' } });
      engine.emit({ kind: 'item', item: { ...r.item, state: 'done', output: '/o.png' } });
      engine.emit({ kind: 'queue', paused: false, running: false });
      return r;
    };
    await store.reexport('b', 0.3);
    expect(store.items.map((i) => [i.id, i.state])).toEqual([
      ['a', 'waiting'],
      ['b', 'done'],
      ['b-again', 'done'],
      ['c', 'waiting'],
    ]);
    expect(store.busy).toBe(false);
    // …and one removed before its answer came is not brought back by it.
    engine.api.queueReexport = async (request) => {
      const r = await answer(request);
      engine.emit({ kind: 'removed', ids: [r.item.id] });
      return r;
    };
    await store.reexport('a', 0.4);
    expect(store.byId('a-again')).toBeUndefined();
  });
});

// ---- against a naive copy of the engine's list ----

/** mulberry32: a small seeded generator, so a failing sequence can be run again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An engine whose list is the oracle: each operation is done to it by hand (filters and slices,
 * not the store's code), then the event the engine sends for it is pushed, unless the stream is
 * down. The answer to `queueList` is taken when the call is made, or (with `lateSnapshot`) when
 * the held answer is let go, after the events sent meanwhile.
 */
class OracleEngine {
  list: { id: string; state: ItemState }[] = [];
  listeners = new Set<(e: EngineEvent) => void>();
  lost = new Set<() => void>();
  down = false;
  lists = 0;
  hold: Deferred<void> | undefined;
  lateSnapshot = false;
  #next = 0;

  send(e: EngineEvent): void {
    if (!this.down) for (const l of [...this.listeners]) l(e);
  }

  item(id: string): QueueItem {
    const state = this.list.find((x) => x.id === id)!.state;
    return makeItem(id, { state });
  }

  add(): void {
    const id = `i${this.#next++}`;
    this.list = [...this.list, { id, state: 'waiting' }];
    this.send({ kind: 'item', item: this.item(id) });
  }

  change(k: number, state: ItemState): void {
    const id = this.list[k].id;
    this.list = this.list.map((x) => (x.id === id ? { id, state } : x));
    this.send({ kind: 'item', item: this.item(id) });
  }

  remove(k: number): void {
    const id = this.list[k].id;
    this.list = this.list.filter((x) => x.id !== id);
    this.send({ kind: 'removed', ids: [id] });
  }

  clearFinished(): void {
    const gone = this.list.filter((x) => x.state !== 'waiting' && x.state !== 'running');
    if (gone.length === 0) return;
    this.list = this.list.filter((x) => !gone.includes(x));
    this.send({ kind: 'removed', ids: gone.map((x) => x.id) });
  }

  /** Takes item `k` out and puts it back so that it ends at `index` (or last, if beyond). */
  move(k: number, index: number): void {
    const moving = this.list[k];
    const rest = this.list.filter((x) => x !== moving);
    const at = Math.min(index, rest.length);
    this.list = [...rest.slice(0, at), moving, ...rest.slice(at)];
    this.send({ kind: 'moved', id: moving.id, index: at });
  }

  /** The stream drops (what is sent now is lost) and comes back with a `queue` event. */
  drop(): void {
    this.down = true;
    for (const l of [...this.lost]) l();
  }

  reconnect(): void {
    this.down = false;
    this.send({ kind: 'queue', paused: false, running: false });
  }

  api: QueueApi = {
    onEvent: (listener) => {
      this.listeners.add(listener);
      return () => void this.listeners.delete(listener);
    },
    onEventsLost: (listener) => {
      this.lost.add(listener);
      return () => void this.lost.delete(listener);
    },
    queueList: async () => {
      this.lists++;
      const snapshot = () => ({ items: this.list.map((x) => this.item(x.id)), paused: false });
      const early = snapshot();
      const hold = this.hold;
      this.hold = undefined;
      if (hold) await hold.promise;
      return this.lateSnapshot ? snapshot() : early;
    },
    queueAdd: async () => ({ added: [], problems: [] }),
    queueUpdate: async () => ({ updated: 0 }),
    queueControl: async () => ({ ok: true }),
    queueRestore: async () => ({ restored: [] }),
    queueReexport: async () => {
      throw new Error('not used here');
    },
  };
}

describe('QueueStore against a naive copy of the engine list', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const shown = (store: QueueStore) => store.items.map((i) => `${i.id}:${i.state}`);
  const truth = (engine: OracleEngine) => engine.list.map((x) => `${x.id}:${x.state}`);
  const STATES: ItemState[] = ['waiting', 'running', 'done', 'failed', 'cancelled', 'skipped'];

  /** One random operation on the engine (and so, by its event, on the store). */
  function step(engine: OracleEngine, rnd: () => number): void {
    const n = engine.list.length;
    const pick = (): number => Math.floor(rnd() * n);
    const r = rnd();
    if (n === 0 || r < 0.3) engine.add();
    else if (r < 0.5) engine.change(pick(), STATES[Math.floor(rnd() * STATES.length)]);
    else if (r < 0.65) engine.remove(pick());
    else if (r < 0.7) engine.clearFinished();
    else engine.move(pick(), Math.floor(rnd() * (n + 2)));
  }

  it('follows 300 random adds, changes, removals and moves with one fetch', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rnd = random(seed);
      const engine = new OracleEngine();
      for (let i = 0; i < 5; i++) engine.add();
      const store = new QueueStore(engine.api);
      store.attach();
      await store.load();
      engine.reconnect(); // the stream's first event: the fetch above may predate it
      await vi.advanceTimersByTimeAsync(100);
      const fetched = engine.lists;
      for (let i = 0; i < 300; i++) {
        step(engine, rnd);
        // The engine's state after a control action is no cue to refetch.
        if (i % 10 === 0) engine.send({ kind: 'queue', paused: false, running: false });
        expect(shown(store), `seed ${seed}, step ${i}`).toEqual(truth(engine));
      }
      await vi.advanceTimersByTimeAsync(100);
      expect(engine.lists, `seed ${seed}: no refetch`).toBe(fetched);
    }
  });

  it('refetches after the stream drops, and only then', async () => {
    const rnd = random(7);
    const engine = new OracleEngine();
    const store = new QueueStore(engine.api);
    store.attach();
    await store.load();
    engine.reconnect();
    await vi.advanceTimersByTimeAsync(100);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 10; i++) step(engine, rnd);
      expect(shown(store)).toEqual(truth(engine));
      engine.drop();
      for (let i = 0; i < 5; i++) step(engine, rnd); // lost
      const before = engine.lists;
      engine.reconnect();
      for (let i = 0; i < 3; i++) step(engine, rnd); // before the refetch's answer
      await vi.advanceTimersByTimeAsync(100);
      expect(engine.lists, `round ${round}`).toBeGreaterThan(before);
      expect(shown(store), `round ${round}`).toEqual(truth(engine));
    }
  });

  it('a fetch answered late ends where the engine is, whenever its snapshot was taken', async () => {
    for (const lateSnapshot of [false, true])
      for (const seed of [11, 12, 13, 14, 15, 16]) {
        const rnd = random(seed);
        const engine = new OracleEngine();
        for (let i = 0; i < 6; i++) engine.add();
        const store = new QueueStore(engine.api);
        store.attach();
        await store.load();
        engine.reconnect();
        await vi.advanceTimersByTimeAsync(100);
        for (let round = 0; round < 10; round++) {
          engine.lateSnapshot = lateSnapshot;
          engine.hold = deferred<void>();
          const hold = engine.hold;
          const loading = store.load();
          for (let i = 0; i < 8; i++) step(engine, rnd);
          hold.resolve();
          await loading;
          await vi.advanceTimersByTimeAsync(100); // a follow-up fetch, if one was asked for
          const at = `seed ${seed}, round ${round}, late snapshot ${lateSnapshot}`;
          expect(shown(store), at).toEqual(truth(engine));
        }
      }
  });

  it('refetches when a move names an item it does not hold', async () => {
    const engine = new OracleEngine();
    engine.add();
    const store = new QueueStore(engine.api);
    store.attach();
    await store.load();
    engine.down = true;
    engine.add(); // lost, and no word of it
    engine.down = false;
    engine.move(1, 0);
    const before = engine.lists;
    await vi.advanceTimersByTimeAsync(100);
    expect(engine.lists).toBe(before + 1);
    expect(shown(store)).toEqual(truth(engine));
  });

  it('forgets the selection, progress and stop requests of removed items', async () => {
    const engine = new OracleEngine();
    for (let i = 0; i < 3; i++) engine.add();
    const store = new QueueStore(engine.api);
    store.attach();
    await store.load();
    engine.change(1, 'running');
    engine.send({ kind: 'progress', id: 'i1', tile: 1, tiles: 4, fraction: 0.25 });
    await store.cancel('i1');
    store.select('i0');
    store.select('i1', 'toggle');
    engine.change(1, 'cancelled');
    engine.remove(1);
    expect(store.selected).toEqual(['i0']);
    expect(store.progress).toEqual({});
    expect(store.stopping).toEqual({});
    engine.remove(0);
    expect(store.selected).toEqual([]);
    expect(store.current).toBeUndefined();
  });
});
