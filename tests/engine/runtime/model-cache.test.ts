// The one model cache: shared loads, reference counts, failed loads forgotten, cancellation.
import { describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { ModelCache, type ModelKey } from '../../../src/main/engine/runtime/model-cache';

function fakeLoader() {
  const loads: string[] = [];
  const disposed: string[] = [];
  let fail = false;
  const load = async (k: ModelKey): Promise<LoadedModel> => {
    loads.push(k.id);
    await new Promise((r) => setTimeout(r, 5));
    if (fail) throw new Error(`cannot load ${k.id}`);
    return { id: k.id, dispose: async () => void disposed.push(k.id) } as LoadedModel;
  };
  return { loads, disposed, load, failNext: (f: boolean) => (fail = f) };
}

const key = (id: string): ModelKey => ({ id, device: 'cpu', precision: 'auto' });

describe('ModelCache', () => {
  it('loads a key once for everyone and disposes it with its last lease', async () => {
    const f = fakeLoader();
    const cache = new ModelCache(f.load);
    const [a, b] = await Promise.all([cache.acquire(key('m')), cache.acquire(key('m'))]);
    expect(a.model).toBe(b.model);
    expect(f.loads).toEqual(['m']);
    await a.dispose();
    await a.dispose(); // a second dispose of one lease changes nothing
    expect(f.disposed).toEqual([]);
    await b.dispose();
    expect(f.disposed).toEqual(['m']);
    expect(cache.size).toBe(0);
    await (await cache.acquire(key('m'))).dispose();
    expect(f.loads).toEqual(['m', 'm']);
  });

  it('forgets a failed load, and refuses with `cancelled` once the signal fired', async () => {
    const f = fakeLoader();
    const cache = new ModelCache(f.load);
    f.failNext(true);
    await expect(cache.acquire(key('m'))).rejects.toThrow('cannot load m');
    expect(cache.size).toBe(0);
    f.failNext(false);
    const abort = new AbortController();
    const pending = cache.acquire(key('m'), abort.signal);
    abort.abort();
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    // The load that finished after the cancel was let go again.
    await expect.poll(() => f.disposed).toEqual(['m']);
    expect(cache.size).toBe(0);
  });

  it('a cancel answers at once while the load is in flight; a later waiter keeps that load', async () => {
    let land!: () => void;
    const disposed: string[] = [];
    let loads = 0;
    const cache = new ModelCache(
      (k) =>
        new Promise<LoadedModel>((resolve) => {
          loads++;
          land = () =>
            resolve({ id: k.id, dispose: async () => void disposed.push(k.id) } as LoadedModel);
        }),
    );
    const abort = new AbortController();
    const first = cache.acquire(key('m'), abort.signal);
    abort.abort();
    // Rejected although the load has not landed (it cannot: only `land()` ends it).
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
    expect(cache.size).toBe(1);
    const second = cache.acquire(key('m'));
    land();
    const lease = await second;
    expect(loads).toBe(1);
    expect(disposed).toEqual([]);
    await lease.dispose();
    expect(disposed).toEqual(['m']);

    // Nobody waiting when it lands: disposed then, and forgotten.
    const again = new AbortController();
    const third = cache.acquire(key('n'), again.signal);
    again.abort();
    await expect(third).rejects.toMatchObject({ code: 'cancelled' });
    land();
    await expect.poll(() => disposed).toEqual(['m', 'n']);
    expect(cache.size).toBe(0);
  });
});
