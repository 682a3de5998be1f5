import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UpresApi } from '../../../src/shared/api';
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
interface PreviewState {
  readonly alpha: number;
  readonly moving: boolean;
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

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

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
