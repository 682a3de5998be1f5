import { afterAll, describe, expect, it } from 'vitest';
import type { ArchitectureSpec } from '../../../src/shared/architecture';
import type { StateDict } from '../../../src/main/engine/models/state-dict';
import { checkPairCompatible } from '../../../src/main/engine/models/pair-compat';
import { loadWeights, type LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import {
  TINY_RRDB,
  TINY_SRVGG,
  loadTinyPair,
  randomImage,
  randomWeights,
} from '../../helpers/random-models';

const loaded: LoadedModel[] = [];
afterAll(() => Promise.all(loaded.map((m) => m.dispose())));

/** Oracle: the blend done on the weights in plain TypeScript before any graph exists. */
function preBlend(f: StateDict, p: StateDict, alpha: number): StateDict {
  return new Map(
    [...f].map(([k, v]) => [k, v.map((x, i) => (1 - alpha) * x + alpha * p.get(k)![i])]),
  );
}

async function runOnce(m: LoadedModel, input: Float32Array, h: number, w: number, alpha?: number) {
  return (await m.run({ data: input.slice(), dims: [1, 3, h, w] }, alpha)).data;
}

const maxDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('network interpolation', () => {
  it.each([
    ['RRDBNet', TINY_RRDB],
    ['SRVGGNetCompact', TINY_SRVGG],
  ] as [string, ArchitectureSpec][])(
    '%s: one session at α equals a network built from pre-blended weights',
    async (_n, spec) => {
      const { pair, f, p } = await loadTinyPair(spec, 1, 2);
      loaded.push(pair);
      expect(pair.interpolates).toBe(true);
      const input = randomImage(3, 6, 7, 9);
      for (const alpha of [0, 0.3, 0.8, 1]) {
        const ref = await loadWeights('ref', spec, preBlend(f, p, alpha), { device: 'cpu' });
        loaded.push(ref);
        const d = maxDiff(await runOnce(pair, input, 6, 7, alpha), await runOnce(ref, input, 6, 7));
        expect(d, `α=${alpha}`).toBeLessThanOrEqual(1 / 255);
        expect(d, `α=${alpha}`).toBeLessThan(1e-4);
      }
      // The default α is the pair's; the ends really differ, so the α input is live.
      expect(maxDiff(await runOnce(pair, input, 6, 7), await runOnce(pair, input, 6, 7, 0.8))).toBe(
        0,
      );
      expect(
        maxDiff(await runOnce(pair, input, 6, 7, 0), await runOnce(pair, input, 6, 7, 1)),
      ).toBeGreaterThan(0.01);
    },
  );

  it('gives long jobs a constant-weight session for their α with the same output, and keeps it for the next', async () => {
    const spec = TINY_RRDB;
    const { pair } = await loadTinyPair(spec, 6, 7);
    loaded.push(pair);
    const input = randomImage(3, 6, 7, 10);
    const small = await pair.jobRunner(0.3, 100);
    expect(pair.specialisedAlpha).toBeUndefined();
    const viaBlend = (await small({ data: input.slice(), dims: [1, 3, 6, 7] })).data;
    const long = await pair.jobRunner(0.3, 1e12);
    expect(pair.specialisedAlpha).toBe(0.3);
    const viaFixed = (await long({ data: input.slice(), dims: [1, 3, 6, 7] })).data;
    expect(maxDiff(viaFixed, viaBlend)).toBeLessThan(1e-4);
    await pair.jobRunner(0.3, 100); // same α: reuses it
    expect(pair.specialisedAlpha).toBe(0.3);
    await pair.jobRunner(0.6, 100); // short job at another α: shared session, the kept one stays
    expect(pair.specialisedAlpha).toBe(0.3);
  });

  it('rejects α outside 0–1 and α on a single model', async () => {
    const pair = loaded[0];
    await expect(pair.run({ data: randomImage(3, 4, 4), dims: [1, 3, 4, 4] }, 1.5)).rejects.toThrow(
      /between 0 and 1/,
    );
    const single = await loadWeights('single', TINY_SRVGG, randomWeights(TINY_SRVGG), {
      device: 'cpu',
    });
    loaded.push(single);
    await expect(
      single.run({ data: randomImage(3, 4, 4), dims: [1, 3, 4, 4] }, 0.5),
    ).rejects.toThrow(/single model/);
  });

  it('refuses to pair models whose tensors differ, naming the tensor', () => {
    const a = { id: 'a', spec: TINY_RRDB };
    expect(() => checkPairCompatible(a, { id: 'b', spec: { ...TINY_RRDB, growth: 8 } })).toThrow(
      'cannot pair a with b: tensor body.0.rdb1.conv1.weight is [4×8×3×3] in a but [8×8×3×3] in b',
    );
    expect(() => checkPairCompatible(a, { id: 'b', spec: { ...TINY_RRDB, blocks: 2 } })).toThrow(
      /tensor body\.1\.rdb1\.conv1\.weight exists only in b/,
    );
    expect(() => checkPairCompatible(a, { id: 'c', spec: TINY_SRVGG })).toThrow(
      /different architectures/,
    );
    expect(() => checkPairCompatible(a, { id: 'd', spec: { ...TINY_RRDB } })).not.toThrow();
  });
});
