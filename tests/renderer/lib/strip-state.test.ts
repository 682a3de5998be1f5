import { describe, expect, it } from 'vitest';
import type { UpresApi } from '../../../src/shared/api';
import { loadSvelteModule, rendererLib } from '../helpers/svelte-module';

// ---- the surface used, restated (tsconfig.node.json does not list the renderer) ----

interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Wish {
  active: boolean;
  target: { id: string; model?: string; pair: boolean } | undefined;
  region: Region | undefined;
  alphas: readonly number[];
  current: number | undefined;
}
interface StripState {
  readonly alphas: readonly number[];
  readonly done: number;
  readonly total: number;
  readonly seconds: number | undefined;
  readonly label: string;
  update(w: Wish): void;
  exact(a: number): { region: Region; url: string } | undefined;
  shown(a: number): { region: Region; url: string } | undefined;
  kind(a: number): string;
  error(a: number): string | undefined;
  dispose(): void;
}
interface StripAlphas {
  readonly alphas: readonly number[];
  readonly refusal: { kind: string } | undefined;
  readonly canAdd: boolean;
  add(value?: number): boolean;
  remove(i: number): boolean;
  edit(i: number, text: string): boolean;
  reset(): void;
}
type Api = Pick<UpresApi, 'preview' | 'imageUrl'>;
type PreviewReq = Parameters<UpresApi['preview']>[0];

const { StripState } = (await loadSvelteModule(rendererLib('strip-state.svelte.ts'))) as {
  StripState: new (opts: {
    api: Api;
    decode: (url: string) => Promise<void>;
    now?: () => number;
  }) => StripState;
};
const { StripAlphas, STRIP_ALPHAS_KEY } = (await loadSvelteModule(
  rendererLib('strip-alphas.svelte.ts'),
)) as {
  STRIP_ALPHAS_KEY: string;
  StripAlphas: new (storage: Pick<Storage, 'getItem' | 'setItem'> | undefined) => StripAlphas;
};

/** A fake engine whose renders answer when the test says, one by one, as asked. */
function fakeEngine() {
  const asked: { req: PreviewReq; answer: (fail?: string) => void }[] = [];
  const api: Api = {
    preview: (req) =>
      new Promise((resolve, reject) => {
        asked.push({
          req,
          answer: (fail) =>
            fail
              ? reject(new Error(fail))
              : resolve({
                  region: req.region,
                  scale: 4,
                  exact: `t-${req.region.x}-${req.alpha}`,
                  alpha: req.alpha,
                  seconds: 0.1,
                }),
        });
      }),
    imageUrl: (token) => `img:${token}`,
  };
  return { api, asked };
}

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
const A = [0, 0.25, 0.5, 0.75, 1];
const target = { id: 'p1', model: 'pair', pair: true };
const r1 = { x: 0, y: 0, w: 20, h: 10 };
const r2 = { x: 8, y: 0, w: 20, h: 10 };

describe('the α strip’s renders', () => {
  it('asks for one render at a time, the dial’s α first, then from the middle out', async () => {
    const { api, asked } = fakeEngine();
    let clock = 1000;
    const strip = new StripState({ api, decode: async () => undefined, now: () => clock });
    strip.update({ active: true, target, region: r1, alphas: A, current: 0.75 });
    const order: number[] = [];
    for (let i = 0; i < A.length; i++) {
      await flush();
      expect(asked, `in flight before answer ${i + 1}`).toHaveLength(i + 1);
      const { req, answer } = asked[i];
      expect(req.id).toBe('p1');
      expect(req.region).toEqual(r1);
      order.push(req.alpha!);
      expect(strip.label).toBe(`α strip: ${i} of 5 exact renders`);
      clock += 250;
      answer();
    }
    await flush();
    expect(order).toEqual([0.75, 0.5, 0.25, 0, 1]);
    expect(asked).toHaveLength(5);
    expect(strip.done).toBe(5);
    for (const a of A) {
      expect(strip.kind(a)).toBe('exact');
      expect(strip.exact(a)?.url).toBe(`img:t-0-${a}`);
    }
    expect(strip.seconds).toBeCloseTo(1.25, 9);
    expect(strip.label).toBe('α strip: 5 exact renders in 1.3 s');
  });

  it('a view moved on supersedes what was not asked yet; the old renders stay until the new come', async () => {
    const { api, asked } = fakeEngine();
    const strip = new StripState({ api, decode: async () => undefined });
    strip.update({ active: true, target, region: r1, alphas: A, current: undefined });
    await flush();
    asked[0].answer(); // α 0.5 of r1
    await flush();
    expect(asked[1].req.alpha).toBe(0.25);
    // The view moves while α 0.25 of r1 is in flight: it finishes, nothing more of r1 is asked.
    strip.update({ active: true, target, region: r2, alphas: A, current: undefined });
    expect(strip.kind(0.5)).toBe('stale');
    expect(strip.shown(0.5)?.region).toEqual(r1);
    expect(strip.exact(0.5)).toBeUndefined();
    asked[1].answer();
    await flush();
    expect(asked).toHaveLength(3);
    expect(asked[2].req.region).toEqual(r2);
    expect(asked[2].req.alpha).toBe(0.5);
    for (let i = 2; i < asked.length; i++) {
      asked[i].answer();
      await flush();
    }
    expect(asked.slice(2).map((a) => [a.req.region.x, a.req.alpha])).toEqual([
      [8, 0.5],
      [8, 0.25],
      [8, 0.75],
      [8, 0],
      [8, 1],
    ]);
    expect(strip.done).toBe(5);
    // Back to the first view: what was rendered of it is not asked again.
    strip.update({ active: true, target, region: r1, alphas: A, current: undefined });
    expect(strip.kind(0.25)).toBe('exact');
    await flush();
    expect(asked[7].req.region).toEqual(r1);
    expect(asked[7].req.alpha).toBe(0.75);
  });

  it('asks nothing while off, for a single model, or without a region; a failure is told, not retried', async () => {
    const { api, asked } = fakeEngine();
    const strip = new StripState({ api, decode: async () => undefined });
    strip.update({ active: false, target, region: r1, alphas: A, current: 0 });
    strip.update({
      active: true,
      target: { ...target, pair: false },
      region: r1,
      alphas: A,
      current: 0,
    });
    strip.update({ active: true, target, region: undefined, alphas: A, current: 0 });
    await flush();
    expect(asked).toHaveLength(0);
    expect(strip.label).toBe('Zoom in to render the α strip');
    strip.update({ active: true, target, region: r1, alphas: [0, 1], current: 0 });
    await flush();
    asked[0].answer('the model broke');
    await flush();
    expect(strip.kind(0)).toBe('failed');
    expect(strip.error(0)).toBe('the model broke');
    asked[1].answer();
    await flush();
    expect(asked).toHaveLength(2);
    expect(strip.label).toBe('α strip: a render failed');
  });

  it('another photo or model makes the renders so far stale', async () => {
    const { api, asked } = fakeEngine();
    const strip = new StripState({ api, decode: async () => undefined });
    strip.update({ active: true, target, region: r1, alphas: [0.5], current: 0.5 });
    await flush();
    asked[0].answer();
    await flush();
    expect(strip.kind(0.5)).toBe('exact');
    strip.update({
      active: true,
      target: { ...target, model: 'other' },
      region: r1,
      alphas: [0.5],
      current: 0.5,
    });
    expect(strip.kind(0.5)).toBe('rendering');
    expect(strip.shown(0.5)).toBeUndefined();
    await flush();
    expect(asked).toHaveLength(2);
  });
});

describe('the strip’s α set, kept in the window’s storage', () => {
  function memory(initial?: string) {
    const store = new Map<string, string>();
    if (initial !== undefined) store.set(STRIP_ALPHAS_KEY, initial);
    return {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      store,
    };
  }

  it('starts with the default five, keeps each edit, and a new one reads them back', () => {
    const storage = memory();
    const set = new StripAlphas(storage);
    expect(set.alphas).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(set.edit(1, '0.3')).toBe(true);
    expect(set.add()).toBe(true);
    expect(set.alphas).toEqual([0, 0.15, 0.3, 0.5, 0.75, 1]);
    expect(set.remove(0)).toBe(true);
    expect(JSON.parse(storage.store.get(STRIP_ALPHAS_KEY)!)).toEqual([0.15, 0.3, 0.5, 0.75, 1]);
    expect(new StripAlphas(storage).alphas).toEqual([0.15, 0.3, 0.5, 0.75, 1]);
    set.reset();
    expect(new StripAlphas(storage).alphas).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('a refused edit says why and changes nothing; the next good one clears it', () => {
    const storage = memory();
    const set = new StripAlphas(storage);
    expect(set.edit(0, '1.5')).toBe(false);
    expect(set.refusal?.kind).toBe('out-of-range');
    expect(set.alphas).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(storage.store.has(STRIP_ALPHAS_KEY)).toBe(false);
    expect(set.edit(0, '0.1')).toBe(true);
    expect(set.refusal).toBeUndefined();
  });

  it('a damaged entry is forgotten (the default), storage that refuses keeps the session’s set', () => {
    expect(new StripAlphas(memory('{not json')).alphas).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(new StripAlphas(memory('[0.9, 0.1, "x"]')).alphas).toEqual([0.1, 0.9]);
    const refusing = {
      getItem: () => null,
      setItem: () => {
        throw new Error('quota');
      },
    };
    const set = new StripAlphas(refusing);
    expect(set.edit(0, '0.05')).toBe(true);
    expect(set.alphas[0]).toBe(0.05);
    expect(new StripAlphas(undefined).alphas).toHaveLength(5);
  });
});
