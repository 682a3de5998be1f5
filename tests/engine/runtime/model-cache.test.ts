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
    expect(f.disposed).toEqual(['m']);
    expect(cache.size).toBe(0);
  });
});
