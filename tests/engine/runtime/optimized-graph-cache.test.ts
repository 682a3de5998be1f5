import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../../src/main/engine/models/build-graph';
import { decodeOnnx } from '../../../src/main/engine/models/onnx/onnx-proto';
import { openSession } from '../../../src/main/engine/runtime/open-session';
import { OptimizedGraphCache } from '../../../src/main/engine/runtime/optimized-graph-cache';
import { randomImage, randomWeights, TINY_SRVGG } from '../../helpers/random-models';
import { referenceSrvgg } from '../../helpers/reference-forward';

const weights = randomWeights(TINY_SRVGG, 11);
const input = randomImage(3, 6, 5, 3);
// The naive forward pass written from the paper: the oracle every session must match.
const expected = referenceSrvgg(TINY_SRVGG, weights, {
  c: 3,
  h: 6,
  w: 5,
  d: Float64Array.from(input),
}).d;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-graph-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Opens a CPU session through `cache`, counting graph builds, and runs the test input. */
async function openAndRun(cache: OptimizedGraphCache, identity: unknown) {
  let builds = 0;
  const graph = (fp16: boolean) => {
    builds++;
    return buildGraph(TINY_SRVGG, weights, { fp16 });
  };
  const { session, choice } = await openSession(graph, {
    device: 'cpu',
    graphCache: { cache, identity },
  });
  try {
    const out = await session.run({ data: input.slice(), dims: [1, 3, 6, 5] });
    const maxDiff = out.data.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
    return { builds, graph: choice.graph, maxDiff };
  } finally {
    await session.dispose();
  }
}

const onnxFiles = async (d: string) => (await readdir(d)).filter((n) => n.endsWith('.onnx'));

describe('optimised graph cache', () => {
  it('saves the optimised graph on the first start and loads it, unbuilt, on the next', async () => {
    const cache = new OptimizedGraphCache(join(dir, 'a'), 'build-1');
    const first = await openAndRun(cache, { model: 'tiny', v: 1 });
    expect(first).toMatchObject({ builds: 1, graph: 'built' });
    expect(first.maxDiff).toBeLessThan(1e-4);
    expect(await onnxFiles(join(dir, 'a'))).toHaveLength(1);
    expect((await readdir(join(dir, 'a'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // Saved without its input's shape, which loads faster (saved-graph-shapes.ts).
    const [entry] = await onnxFiles(join(dir, 'a'));
    const saved = decodeOnnx(await readFile(join(dir, 'a', entry)));
    const input = saved.graph!.input!.find((v) => v.name === 'input')!;
    expect(input.type!.tensorType!.shape ?? null).toBeNull();

    const second = await openAndRun(cache, { model: 'tiny', v: 1 });
    expect(second).toMatchObject({ builds: 0, graph: 'saved' });
    expect(second.maxDiff).toBeLessThan(1e-4);
  });

  it('another model identity, another build of the code: each its own entry', async () => {
    const d = join(dir, 'b');
    await openAndRun(new OptimizedGraphCache(d, 'build-1'), { model: 'tiny', v: 1 });
    const otherModel = await openAndRun(new OptimizedGraphCache(d, 'build-1'), {
      model: 'tiny',
      v: 2,
    });
    expect(otherModel).toMatchObject({ builds: 1, graph: 'built' });
    const otherCode = await openAndRun(new OptimizedGraphCache(d, 'build-2'), {
      model: 'tiny',
      v: 1,
    });
    expect(otherCode).toMatchObject({ builds: 1, graph: 'built' });
    expect(await onnxFiles(d)).toHaveLength(3);
  });

  it('an entry that no longer loads is rebuilt and replaced, the result still right', async () => {
    const d = join(dir, 'c');
    const cache = new OptimizedGraphCache(d, 'build-1');
    await openAndRun(cache, { model: 'tiny' });
    const [name] = await onnxFiles(d);
    await writeFile(join(d, name), 'not a graph');
    const again = await openAndRun(cache, { model: 'tiny' });
    expect(again).toMatchObject({ builds: 1, graph: 'built' });
    expect(again.maxDiff).toBeLessThan(1e-4);
    expect((await stat(join(d, name))).size).toBeGreaterThan(1000);
    expect(await openAndRun(cache, { model: 'tiny' })).toMatchObject({ graph: 'saved' });
  });

  it('keeps within its size, dropping the least recently used entries', async () => {
    const d = join(dir, 'd');
    const probe = new OptimizedGraphCache(d, 'x');
    await openAndRun(probe, { n: 0 });
    const [one] = await onnxFiles(d);
    const size = (await stat(join(d, one))).size;
    // Room for two entries: the third start evicts the oldest.
    const cache = new OptimizedGraphCache(d, 'x', Math.floor(size * 2.5));
    await new Promise((r) => setTimeout(r, 20));
    await openAndRun(cache, { n: 1 });
    await new Promise((r) => setTimeout(r, 20));
    await openAndRun(cache, { n: 2 });
    expect(await onnxFiles(d)).toHaveLength(2);
    expect(await onnxFiles(d)).not.toContain(one);
    expect(await openAndRun(cache, { n: 2 })).toMatchObject({ graph: 'saved' });
  });

  it('a cache folder that cannot be made still opens the session, without caching', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, 'x');
    const r = await openAndRun(new OptimizedGraphCache(join(blocker, 'sub'), 'b'), { m: 1 });
    expect(r).toMatchObject({ builds: 1, graph: 'built' });
    expect(r.maxDiff).toBeLessThan(1e-4);
  });
});
