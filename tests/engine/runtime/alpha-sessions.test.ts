import { describe, expect, it } from 'vitest';
import { loadTinyPair, TINY_SRVGG } from '../../helpers/random-models';

describe('constant-weight sessions of a pair', () => {
  it('a terminate while one is being created stops it: the job fails `cancelled`, nothing kept', async () => {
    const { pair: m } = await loadTinyPair(TINY_SRVGG, 1, 2);
    try {
      // A small job runs on the blend session (and measures its speed).
      const small = await m.jobRunner(0.5, 16 * 16);
      await small({ data: new Float32Array(3 * 16 * 16).fill(0.5), dims: [1, 3, 16, 16] });
      expect(m.specialisedAlpha).toBeUndefined();
      // A huge job asks for a constant-weight session at its α; a cancel arrives meanwhile.
      const big = m.jobRunner(0.3, 1e12).then(
        () => 'created',
        (e: unknown) => e,
      );
      await m.terminate();
      expect(await big).toMatchObject({ code: 'cancelled' });
      expect(m.specialisedAlpha).toBeUndefined();
    } finally {
      await m.dispose().catch(() => undefined);
    }
  });

  it('left alone, the huge job gets its constant-weight session', async () => {
    const { pair: m } = await loadTinyPair(TINY_SRVGG, 1, 2);
    try {
      const run = await m.jobRunner(0.3, 1e12);
      expect(m.specialisedAlpha).toBe(0.3);
      const out = await run({ data: new Float32Array(3 * 8 * 8).fill(0.5), dims: [1, 3, 8, 8] });
      expect(out.dims).toEqual([1, 3, 32, 32]);
    } finally {
      await m.dispose();
    }
  });
});
