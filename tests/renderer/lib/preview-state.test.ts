import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent, UpresApi } from '../../../src/shared/api';
import { loadSvelteModule, rendererLib } from '../helpers/svelte-module';

// ---- the surface used, restated (tsconfig.node.json does not list the renderer) ----

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
interface EndsJob {
  readonly state: string;
  readonly both: number;
  readonly total: number;
  readonly complete: boolean;
  readonly request: string | undefined;
  readonly pieces: readonly { index: number; fidelity?: unknown; perceptual?: unknown }[];
}
interface PreviewState {
  readonly alpha: number;
  readonly moving: boolean;
  readonly wanted: boolean;
  readonly shown: 'none' | 'blend' | 'exact' | 'stale';
  readonly label: string;
  readonly error: string | undefined;
  readonly exactNow: { url: string; alpha: number | undefined } | undefined;
  readonly endsNow: EndsJob | undefined;
  setTarget(t: PreviewTarget | undefined): void;
  setRegion(r: Region | undefined, zoomedOut?: boolean): void;
  viewMoved(): void;
  grab(): void;
  setAlpha(alpha: number): void;
  release(): void;
  dispose(): void;
}

type Api = Pick<UpresApi, 'preview' | 'previewEnds' | 'previewCancel' | 'imageUrl' | 'onEvent'>;

const { PreviewState, SETTLE_MS } = (await loadSvelteModule(
  rendererLib('preview-state.svelte.ts'),
)) as {
  SETTLE_MS: number;
  PreviewState: new (opts: {
    api: Api;
    loadBitmap: (url: string) => Promise<unknown>;
    decode: (url: string) => Promise<void>;
    onSettle: (alpha: number, id: string) => void;
  }) => PreviewState;
};

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const region = { x: 10, y: 20, w: 64, h: 48 };
/** The cores the fake engine plans for any region: four, centre first. */
const CORES = [
  { x: 10, y: 20, w: 32, h: 24 },
  { x: 42, y: 20, w: 32, h: 24 },
  { x: 10, y: 44, w: 32, h: 24 },
  { x: 42, y: 44, w: 32, h: 24 },
];

/**
 * A fake engine: `preview` answers at once (or when `hold` resolves), `previewEnds` answers with
 * a plan of four pieces and a request id; the test sends the pieces as events with `piece`.
 */
function fakeEngine() {
  const calls: Record<string, unknown>[] = [];
  const listeners = new Set<(e: EngineEvent) => void>();
  const requests: { request: string; id: string; region: Region }[] = [];
  const closed: string[] = [];
  const engine = {
    calls,
    requests,
    closed,
    /** When set, exact renders wait for it (a slow engine). */
    hold: undefined as Deferred<void> | undefined,
    /** When set, `previewEnds` answers only once it resolves. */
    holdPlan: undefined as Deferred<void> | undefined,
    emit(e: EngineEvent): void {
      for (const l of listeners) l(e);
    },
    /** Sends one end of one piece of a request (the latest when not named). */
    piece(index: number, end: 'fidelity' | 'perceptual', request = requests.at(-1)!): void {
      engine.emit({
        kind: 'previewPiece',
        request: request.request,
        id: request.id,
        end,
        index,
        core: CORES[index],
        token: `${request.request}-${index}-${end}`,
        ready: { fidelity: 0, perceptual: 0 },
        pieces: CORES.length,
      });
    },
    /** Sends both ends of every piece, then the job's end. */
    all(request = requests.at(-1)!): void {
      for (let i = 0; i < CORES.length; i++) {
        engine.piece(i, 'fidelity', request);
        engine.piece(i, 'perceptual', request);
      }
      engine.emit({ kind: 'previewEnds', request: request.request, id: request.id, state: 'done' });
    },
    api: {
      preview: async (r) => {
        calls.push(r);
        if (engine.hold) await engine.hold.promise;
        return {
          region: r.region,
          scale: 4,
          exact: `e${r.alpha ?? ''}`,
          alpha: r.alpha,
          seconds: 0,
        };
      },
      previewEnds: async (r) => {
        calls.push({ ends: r });
        const request = { request: `q${requests.length + 1}`, id: r.id, region: r.region };
        requests.push(request);
        if (engine.holdPlan) await engine.holdPlan.promise;
        return { request: request.request, region: r.region, scale: 4, pieces: CORES };
      },
      previewCancel: async (r) => {
        calls.push({ cancel: r });
        return { ok: true as const };
      },
      imageUrl: (t) => `/img/${t}`,
      onEvent: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    } satisfies Api,
    loadBitmap: async (url: string) => ({ url, close: () => closed.push(url) }),
  };
  return engine;
}

describe('PreviewState: both ends piece by piece, the blend of what is ready, the exact render', () => {
  let engine: ReturnType<typeof fakeEngine>;
  let settled: [number, string][];
  let preview: PreviewState;

  beforeEach(() => {
    vi.useFakeTimers();
    engine = fakeEngine();
    settled = [];
    preview = new PreviewState({
      api: engine.api,
      loadBitmap: engine.loadBitmap,
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
  const exactCalls = (): Record<string, unknown>[] =>
    engine.calls.filter((c) => !('ends' in c) && !('cancel' in c));

  it('a pair’s settled view: pieces arrive with progress, blend as they do, then the exact render', async () => {
    engine.holdPlan = deferred<void>();
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(region);
    await flush();
    expect(engine.calls).toEqual([{ ends: { id: 'a', region } }]);
    expect(preview.label).toBe('Both ends: preparing');
    engine.holdPlan.resolve();
    await flush();
    expect(preview.label).toBe('Both ends: 0 of 4 pieces');
    expect(preview.shown).toBe('none');

    engine.piece(0, 'fidelity');
    await flush();
    expect(preview.shown).toBe('none'); // one end is not a blend
    engine.piece(0, 'perceptual');
    await flush();
    expect(preview.shown).toBe('blend');
    expect(preview.label).toBe('Blend preview at α 0.50 · both ends: 1 of 4 pieces');
    // The exact render of the first view waits for the ends (their blend is on screen meanwhile).
    expect(exactCalls()).toEqual([]);

    engine.hold = deferred<void>();
    engine.all();
    await flush();
    expect(preview.endsNow?.complete).toBe(true);
    expect(exactCalls()).toEqual([{ id: 'a', region, alpha: 0.5 }]);
    expect(preview.label).toBe('Blend preview at α 0.50');
    engine.hold.resolve();
    await flush();
    expect(preview.shown).toBe('exact');
    expect(preview.label).toBe('Exact render at α 0.50');
  });

  it('drops the pieces of another request, and keeps those sent before the engine answered', async () => {
    engine.holdPlan = deferred<void>();
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(region);
    await flush();
    // Pieces of this job before its answer, and of an old job of the same item.
    engine.piece(0, 'fidelity');
    engine.piece(0, 'perceptual');
    engine.piece(1, 'fidelity', { request: 'old', id: 'a', region });
    engine.piece(1, 'perceptual', { request: 'old', id: 'a', region });
    engine.piece(2, 'perceptual', { request: 'q1', id: 'b', region });
    engine.holdPlan.resolve();
    await flush();
    const ends = preview.endsNow!;
    expect(ends.request).toBe('q1');
    expect(ends.both).toBe(1);
    expect(ends.pieces.map((p) => [!!p.fidelity, !!p.perceptual])).toEqual([
      [true, true],
      [false, false],
      [false, false],
      [false, false],
    ]);
  });

  it('dragging blends the ends, then the exact render at the let-go α replaces the blend', async () => {
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(region);
    await flush();
    engine.all();
    await flush();
    expect(preview.shown).toBe('exact');
    preview.grab();
    engine.hold = deferred<void>();
    preview.setAlpha(0.6);
    preview.setAlpha(0.63);
    expect(preview.shown).toBe('blend');
    expect(preview.label).toBe('Blend preview at α 0.63');
    await vi.advanceTimersByTimeAsync(SETTLE_MS - 10);
    expect(settled).toEqual([]);
    expect(exactCalls()).toHaveLength(1); // nothing exact is asked while α moves
    await vi.advanceTimersByTimeAsync(20);
    expect(settled).toEqual([[0.63, 'a']]);
    expect(exactCalls()[1]).toEqual({ id: 'a', region, alpha: 0.63 });
    // Until the exact render arrives the blend stays on screen.
    await flush();
    expect(preview.shown).toBe('blend');
    engine.hold.resolve();
    await flush();
    expect(preview.shown).toBe('exact');
    expect(preview.exactNow?.url).toBe('/img/e0.63');
    expect(preview.label).toBe('Exact render at α 0.63');
  });

  it('let go before the ends are in: the exact render is asked at once', async () => {
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(region);
    await flush();
    preview.grab();
    preview.setAlpha(0.7);
    expect(preview.label).toBe('Both ends: 0 of 4 pieces');
    preview.release();
    await flush();
    expect(exactCalls()).toEqual([{ id: 'a', region, alpha: 0.7 }]);
    expect(preview.label).toBe('Exact render at α 0.70');
  });

  it('asks for the ends once per view; the view moving stops them; a new view asks again', async () => {
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(region);
    await flush();
    engine.piece(0, 'fidelity');
    preview.grab();
    preview.setAlpha(0.7);
    preview.release();
    preview.setRegion(region); // the same view settled again
    await flush();
    expect(engine.calls.filter((c) => 'ends' in c)).toHaveLength(1);

    preview.viewMoved();
    await flush();
    expect(engine.calls.at(-1)).toEqual({ cancel: { id: 'a' } });
    expect(preview.endsNow?.state).toBe('cancelled');
    const moved = { ...region, x: 11 };
    preview.setRegion(moved);
    await flush();
    expect(engine.calls.filter((c) => 'ends' in c).at(-1)).toEqual({
      ends: { id: 'a', region: moved },
    });
    // The old job's pieces are let go of; the new job's are the only ones that count.
    expect(engine.closed).toEqual(['/img/q1-0-fidelity']);
    engine.piece(0, 'fidelity', { request: 'q1', id: 'a', region });
    engine.piece(0, 'perceptual', { request: 'q1', id: 'a', region });
    await flush();
    expect(preview.endsNow?.both).toBe(0);

    // Moved and back to the same view: the stopped job is asked again.
    preview.viewMoved();
    preview.setRegion(moved);
    await flush();
    expect(engine.calls.filter((c) => 'ends' in c)).toHaveLength(3);
  });

  it('a cancel waits for the answer to its start, and the next start for the cancel', async () => {
    engine.holdPlan = deferred<void>();
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(region);
    await flush();
    preview.viewMoved();
    preview.setRegion({ ...region, y: 21 });
    await flush();
    // Nothing is sent while the first start is unanswered (a cancel now would fail it).
    expect(engine.calls).toEqual([{ ends: { id: 'a', region } }]);
    const hold = engine.holdPlan;
    engine.holdPlan = undefined;
    hold.resolve();
    await flush();
    expect(engine.calls).toEqual([
      { ends: { id: 'a', region } },
      { cancel: { id: 'a' } },
      { ends: { id: 'a', region: { ...region, y: 21 } } },
    ]);
  });

  it('another photo stops the ends of the last one; a single model asks for none', async () => {
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(region);
    await flush();
    preview.setTarget({ id: 's', done: false, pair: false, exportAlpha: 0.5 });
    await flush();
    expect(engine.calls.filter((c) => 'cancel' in c)).toEqual([{ cancel: { id: 'a' } }]);
    expect(engine.calls.filter((c) => 'ends' in c)).toHaveLength(1);
    expect(exactCalls()).toEqual([{ id: 's', region }]);
    expect(preview.label).toBe('Exact render of the visible region');
    preview.setTarget({ id: 's', done: true, pair: false, exportAlpha: 0.5 });
    expect(preview.shown).toBe('none');
    expect(preview.label).toBe('Exported output');
  });

  it('a finished item shows its output (the ends coming beside it) until α leaves the exported value', async () => {
    preview.setTarget({ id: 'a', done: true, pair: true, exportAlpha: 0.4 });
    preview.setRegion(region);
    await flush();
    expect(exactCalls()).toEqual([]);
    expect(preview.shown).toBe('none');
    expect(preview.label).toBe('Exported output at α 0.40 · both ends: 0 of 4 pieces');
    engine.all();
    await flush();
    expect(preview.label).toBe('Exported output at α 0.40');
    preview.setAlpha(0.9);
    expect(preview.label).toBe('Blend preview at α 0.90');
    preview.release();
    await flush();
    expect(preview.label).toBe('Exact render at α 0.90');
  });

  it('asks to zoom in, and renders nothing, when the view shows too much of the photo', async () => {
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    preview.setRegion(undefined, true);
    preview.grab();
    preview.setAlpha(0.7);
    preview.release();
    await flush();
    expect(engine.calls).toEqual([]);
    expect(settled).toEqual([[0.7, 'a']]);
    expect(preview.label).toBe('Zoom in to preview α 0.70');
    preview.setRegion(region);
    await flush();
    engine.all();
    await flush();
    expect(preview.label).toBe('Exact render at α 0.70');
  });

  it('ends that fail say why, and the exact render is asked all the same', async () => {
    preview.setTarget({ id: 'a', done: false, pair: true, exportAlpha: 0.5 });
    engine.hold = deferred<void>();
    preview.setRegion(region);
    await flush();
    const { request, id } = engine.requests[0];
    engine.emit({ kind: 'previewEnds', request, id, state: 'failed', message: 'out of memory' });
    await flush();
    expect(preview.error).toBe('out of memory');
    expect(preview.label).toBe('Preview failed');
    expect(exactCalls()).toEqual([{ id: 'a', region, alpha: 0.5 }]);
    engine.hold.resolve();
    await flush();
    expect(preview.label).toBe('Exact render at α 0.50');
  });

  it('says when a preview fails, and does not ask again for the same view', async () => {
    const calls: unknown[] = [];
    const failing = new PreviewState({
      api: {
        ...engine.api,
        preview: async () => {
          calls.push({});
          throw new Error('model missing');
        },
      },
      loadBitmap: engine.loadBitmap,
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
