import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileModule } from 'svelte/compiler';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, UpresApi } from '../../../src/shared/api';
import { UpresError } from '../../../src/shared/errors';
import type { QueueItem } from '../../../src/shared/queue';

const rendererLib = (name: string): string =>
  fileURLToPath(new URL(`../../../src/renderer/lib/${name}`, import.meta.url));

/**
 * Loads a `*.svelte.ts` module as the app's build does (TypeScript stripped, then Svelte's
 * compiler turns the runes into signals), so the classes run with real runes. This vitest has no
 * Svelte plugin: the compiled module goes to a temp folder with its imports made absolute.
 */
async function loadSvelteModule(path: string): Promise<unknown> {
  const source = readFileSync(path, 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const compiled = compileModule(js, {
    filename: path.replace(/\.ts$/, '.js'),
    generate: 'client',
  }).js.code;
  const client = import.meta.resolve('svelte/internal/client');
  const code = compiled.replace(/from\s+'([^']+)'/g, (whole, spec: string) => {
    if (spec === 'svelte/internal/client') return `from '${client}'`;
    if (spec.startsWith('.'))
      return `from '${pathToFileURL(resolve(dirname(path), `${spec}.ts`)).href}'`;
    return whole;
  });
  const dir = mkdtempSync(join(tmpdir(), 'upres-svelte-'));
  try {
    const out = join(dir, 'module.mjs');
    writeFileSync(out, code);
    return await import(/* @vite-ignore */ pathToFileURL(out).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the surface used, restated (tsconfig.node.json does not list the renderer) ----

interface ItemProgress {
  tile: number;
  tiles: number;
  fraction: number;
  itemEta?: number;
}
type QueueApi = Pick<
  UpresApi,
  'queueList' | 'queueAdd' | 'queueUpdate' | 'queueControl' | 'onEvent'
>;
interface QueueStore {
  items: QueueItem[];
  paused: boolean;
  running: boolean;
  progress: Record<string, ItemProgress>;
  stopping: Record<string, true>;
  queueEta: number | undefined;
  warnings: string[];
  problems: { path: string; error: string }[];
  actionError: string | undefined;
  actionErrorCode: string | undefined;
  loaded: boolean;
  selected: string[];
  readonly current: QueueItem | undefined;
  readonly selectedItems: QueueItem[];
  readonly overall: number;
  readonly busy: boolean;
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
  moveBy(id: string, delta: -1 | 1): Promise<void>;
  canMove(id: string, delta: -1 | 1): boolean;
  update(ids: string[], settings: Record<string, unknown>): Promise<number>;
}
interface Size {
  width: number;
  height: number;
}
interface ViewTransform {
  zoom: number;
  x: number;
  y: number;
}
interface CompareState {
  readonly mode: 'split' | 'side';
  readonly pane: Size;
  readonly image: Size;
  readonly view: ViewTransform;
  readonly fitted: boolean;
  readonly divider: number;
  readonly settledAt: number;
  readonly fit: number;
  readonly visible: { x: number; y: number; width: number; height: number };
  setImage(size: Size): void;
  showPhoto(size: Size): void;
  setDivider(divider: number): void;
  setPane(size: Size): void;
  setMode(mode: 'split' | 'side'): void;
  fitView(): void;
  zoomTo(zoom: number): void;
  zoomStep(direction: 1 | -1): void;
  wheel(deltaY: number, deltaMode: number, at: { x: number; y: number }): void;
  pan(dx: number, dy: number): void;
  settle(): void;
}
interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface PreviewTarget {
  id: string;
  done: boolean;
  pair: boolean;
  exportAlpha: number;
}
interface PreviewState {
  alpha: number;
  moving: boolean;
  readonly wanted: boolean;
  readonly shown: 'none' | 'blend' | 'exact' | 'stale';
  readonly label: string;
  readonly exactNow: { url: string; alpha: number | undefined } | undefined;
  readonly endsNow: { fidelity: unknown; perceptual: unknown } | undefined;
  setTarget(t: PreviewTarget | undefined): void;
  setRegion(r: Region | undefined, zoomedOut?: boolean): void;
  grab(): void;
  setAlpha(alpha: number): void;
  release(): void;
  dispose(): void;
}

const { QueueStore } = (await loadSvelteModule(rendererLib('queue-store.svelte.ts'))) as {
  QueueStore: new (api: QueueApi) => QueueStore;
};
const { CompareState } = (await loadSvelteModule(rendererLib('compare-state.svelte.ts'))) as {
  CompareState: new () => CompareState;
};
const { PreviewState, SETTLE_MS } = (await loadSvelteModule(
  rendererLib('preview-state.svelte.ts'),
)) as {
  SETTLE_MS: number;
  PreviewState: new (opts: {
    api: Pick<UpresApi, 'preview' | 'imageUrl'>;
    loadBitmap: (url: string) => Promise<unknown>;
    decode: (url: string) => Promise<void>;
    onSettle: (alpha: number, id: string) => void;
  }) => PreviewState;
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
      return { ok: true };
    },
  };
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
    // A queue event is also the cue to refetch the list (items removed or moved elsewhere).
    engine.list.items = [engine.list.items[2], engine.list.items[0]];
    await new Promise((r) => setTimeout(r, 80));
    expect(store.items.map((i) => i.id)).toEqual(['c', 'a']);
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

  it('removes an item and reloads the list; a failed action shows its message', async () => {
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
});

describe('CompareState: one view for both panes', () => {
  it('fits a new image, zooms by steps and keeps the wheel point', () => {
    const c = new CompareState();
    c.setPane({ width: 800, height: 600 });
    c.setImage({ width: 4000, height: 3000 });
    expect(c.view).toEqual({ zoom: 0.2, x: 0, y: 0 });
    expect(c.fitted).toBe(true);
    c.zoomTo(4);
    expect(c.view.zoom).toBe(4);
    expect(c.fitted).toBe(false);
    expect(c.visible).toEqual({ x: 1900, y: 1425, width: 200, height: 150 });
    const at = { x: 100, y: 50 };
    const before = { x: (at.x - c.view.x) / c.view.zoom, y: (at.y - c.view.y) / c.view.zoom };
    c.wheel(-100, 0, at);
    const after = { x: (at.x - c.view.x) / c.view.zoom, y: (at.y - c.view.y) / c.view.zoom };
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
    c.zoomStep(1);
    c.zoomStep(1);
    c.zoomStep(1);
    c.zoomStep(1);
    c.zoomStep(1);
    expect(c.view.zoom).toBe(16);
  });

  it('keeps zoom and centre when the layout changes; stays fitted while fitted', () => {
    const c = new CompareState();
    c.setPane({ width: 1600, height: 600 });
    c.setImage({ width: 4000, height: 3000 });
    c.setPane({ width: 799, height: 600 });
    expect(c.fitted).toBe(true);
    expect(c.view.zoom).toBeCloseTo(c.fit);
    c.setPane({ width: 1600, height: 600 });
    c.zoomTo(4);
    c.pan(-500, -100);
    const centre = {
      x: (800 - c.view.x) / c.view.zoom,
      y: (300 - c.view.y) / c.view.zoom,
    };
    c.setMode('side');
    c.setPane({ width: 799, height: 600 });
    expect(c.view.zoom).toBe(4);
    expect((399.5 - c.view.x) / 4).toBeCloseTo(centre.x, 9);
    expect((300 - c.view.y) / 4).toBeCloseTo(centre.y, 9);
  });

  it('fits each new photo, even one of the same size, and ends the gesture', () => {
    const c = new CompareState();
    c.setPane({ width: 800, height: 600 });
    c.showPhoto({ width: 4000, height: 3000 });
    c.zoomTo(4);
    const n = c.settledAt;
    c.showPhoto({ width: 4000, height: 3000 });
    expect(c.view).toEqual({ zoom: 0.2, x: 0, y: 0 });
    expect(c.fitted).toBe(true);
    expect(c.settledAt).toBe(n + 1);
  });

  it('keeps the split inside the viewport', () => {
    const c = new CompareState();
    expect(c.divider).toBe(0.5);
    c.setDivider(0.25);
    expect(c.divider).toBe(0.25);
    c.setDivider(-3);
    expect(c.divider).toBe(0);
    c.setDivider(1.2);
    expect(c.divider).toBe(1);
  });

  it('counts settled gestures, for the preview of the visible region', () => {
    const c = new CompareState();
    const n = c.settledAt;
    c.settle();
    expect(c.settledAt).toBe(n + 1);
  });
});

describe('PreviewState: the dial blends while moving and swaps in the exact render', () => {
  const region = { x: 10, y: 20, w: 64, h: 48 };
  let calls: Record<string, unknown>[];
  let settled: [number, string][];
  let preview: PreviewState;
  /** When set, exact renders wait for it (a slow engine). */
  let hold: Deferred<void> | undefined;

  beforeEach(() => {
    hold = undefined;
    vi.useFakeTimers();
    calls = [];
    settled = [];
    preview = new PreviewState({
      api: {
        preview: async (r) => {
          calls.push(r);
          if (!r.ends && hold) await hold.promise;
          return r.ends
            ? { region: r.region, scale: 4, fidelity: 'f', perceptual: 'p', seconds: 0.1 }
            : {
                region: r.region,
                scale: 4,
                exact: `e${r.alpha ?? ''}`,
                alpha: r.alpha,
                seconds: 0.1,
              };
        },
        imageUrl: (t) => `/img/${t}`,
      },
      loadBitmap: async (url) => ({ url }),
      decode: async () => {},
      onSettle: (alpha, id) => settled.push([alpha, id]),
    });
  });

  afterEach(() => {
    preview.dispose();
    vi.useRealTimers();
  });

  const flush = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(0);
  };

  it('a waiting pair item shows the exact render of the visible region at its α', async () => {
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(region);
    expect(preview.label).toBe('Rendering α 0.50…');
    await flush();
    expect(calls).toEqual([{ id: 'a', region, alpha: 0.5 }]);
    expect(preview.shown).toBe('exact');
    expect(preview.label).toBe('Exact render at α 0.50');
  });

  it('dragging blends the α = 0 / 1 renders, then the exact render replaces the blend', async () => {
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(region);
    await flush();
    preview.grab();
    await flush();
    expect(calls[1]).toEqual({ id: 'a', region, ends: true });
    expect(preview.endsNow).toMatchObject({
      fidelity: { url: '/img/f' },
      perceptual: { url: '/img/p' },
    });
    hold = deferred<void>();
    preview.setAlpha(0.6);
    preview.setAlpha(0.63);
    expect(preview.shown).toBe('blend');
    expect(preview.label).toBe('Blend preview at α 0.63');
    await vi.advanceTimersByTimeAsync(SETTLE_MS - 10);
    expect(settled).toEqual([]);
    expect(calls).toHaveLength(2); // nothing exact is asked while α moves
    await vi.advanceTimersByTimeAsync(20);
    expect(settled).toEqual([[0.63, 'a']]);
    expect(calls[2]).toEqual({ id: 'a', region, alpha: 0.63 });
    // Until the exact render arrives the blend stays on screen.
    await flush();
    expect(preview.shown).toBe('blend');
    expect(preview.label).toBe('Blend preview at α 0.63');
    hold.resolve();
    await flush();
    expect(preview.shown).toBe('exact');
    expect(preview.exactNow?.url).toBe('/img/e0.63');
    expect(preview.label).toBe('Exact render at α 0.63');
  });

  it('fetches the ends once per region, again after the view moves', async () => {
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(region);
    preview.grab();
    await flush();
    preview.setAlpha(0.7);
    preview.release();
    await flush();
    preview.grab();
    preview.setAlpha(0.8);
    preview.release();
    await flush();
    expect(calls.filter((c) => c.ends)).toHaveLength(1);
    preview.setRegion({ ...region, x: 11 });
    preview.grab();
    await flush();
    expect(calls.filter((c) => c.ends)).toHaveLength(2);
  });

  it('a finished item shows its output until α leaves the exported value', async () => {
    preview.setTarget({ id: 'a', done: true, pair: true, exportAlpha: 0.4 });
    preview.setRegion(region);
    await flush();
    expect(calls).toEqual([]);
    expect(preview.shown).toBe('none');
    expect(preview.label).toBe('Exported output at α 0.40');
    preview.setAlpha(0.9);
    preview.release();
    await flush();
    expect(preview.label).toBe('Exact render at α 0.90');
  });

  it('single models: a preview render before the item is done, the output after', async () => {
    preview.setTarget({ id: 's', done: false, pair: false, exportAlpha: 0.5 });
    preview.setRegion(region);
    await flush();
    expect(calls).toEqual([{ id: 's', region }]);
    expect(preview.label).toBe('Exact render of the visible region');
    preview.setTarget({ id: 's', done: true, pair: false, exportAlpha: 0.5 });
    expect(preview.shown).toBe('none');
    expect(preview.label).toBe('Exported output');
  });

  it('asks to zoom in, and renders nothing, when the view shows too much of the photo', async () => {
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(undefined, true);
    preview.grab();
    preview.setAlpha(0.7);
    preview.release();
    await flush();
    expect(calls).toEqual([]);
    expect(settled).toEqual([[0.7, 'a']]);
    expect(preview.label).toBe('Zoom in to preview α 0.70');
    preview.setRegion(region);
    await flush();
    expect(preview.label).toBe('Exact render at α 0.70');
  });

  it('says when a preview fails, and does not ask again for the same view', async () => {
    const failing = new PreviewState({
      api: {
        preview: async () => {
          calls.push({});
          throw new Error('model missing');
        },
        imageUrl: (t) => t,
      },
      loadBitmap: async () => ({}),
      decode: async () => {},
      onSettle: () => {},
    });
    failing.setTarget({ id: 'a', done: false, pair: false, exportAlpha: 0.5 });
    failing.setRegion(region);
    await flush();
    expect(failing.label).toBe('Preview failed');
    failing.setTarget({ id: 'a', done: false, pair: false, exportAlpha: 0.5 });
    await flush();
    expect(calls).toHaveLength(1);
    failing.dispose();
  });
});
