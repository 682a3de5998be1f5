import { afterAll, describe, expect, it } from 'vitest';
import type { ArchitectureSpec } from '../../../src/shared/architecture';
import { buildGraph } from '../../../src/main/engine/models/build-graph';
import { InferenceSession } from '../../../src/main/engine/runtime/inference-session';
import { referenceRrdb, referenceSrvgg } from '../../helpers/reference-forward';
import { TINY_RRDB, TINY_SRVGG, randomImage, randomWeights } from '../../helpers/random-models';

const sessions: InferenceSession[] = [];
afterAll(async () => Promise.all(sessions.map((s) => s.dispose())));

async function runGraph(spec: ArchitectureSpec, seed: number, h: number, w: number, fp16 = false) {
  const weights = randomWeights(spec, seed);
  const session = await InferenceSession.create(buildGraph(spec, weights, { fp16 }), 'cpu');
  sessions.push(session);
  const input = randomImage(3, h, w, seed + 100);
  const out = await session.run({ data: input.slice(), dims: [1, 3, h, w] });
  return { weights, input, out };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('ONNX graph builder against a naive TypeScript forward pass', () => {
  it.each([
    ['RRDBNet ×4, 1 block, 8 features', TINY_RRDB],
    ['RRDBNet ×8, 2 blocks', { ...TINY_RRDB, blocks: 2, scale: 8 } as const],
    [
      'RRDBNet, 2 output channels, growth 3',
      { ...TINY_RRDB, inChannels: 3, outChannels: 2, growth: 3 } as const,
    ],
  ])('%s matches the reference', async (_name, spec) => {
    const { weights, input, out } = await runGraph(spec, 3, 6, 5);
    const ref = referenceRrdb(spec, weights, { c: 3, h: 6, w: 5, d: Float64Array.from(input) });
    expect(out.dims).toEqual([1, spec.outChannels, 6 * spec.scale, 5 * spec.scale]);
    expect(maxAbsDiff(out.data, ref.d)).toBeLessThan(1e-4);
  });

  it.each([
    ['SRVGGNetCompact ×4, 2 convs', TINY_SRVGG],
    ['SRVGGNetCompact ×2, 0 convs', { ...TINY_SRVGG, convs: 0, scale: 2 } as const],
  ])('%s matches the reference', async (_name, spec) => {
    const { weights, input, out } = await runGraph(spec, 5, 7, 4);
    const ref = referenceSrvgg(spec, weights, { c: 3, h: 7, w: 4, d: Float64Array.from(input) });
    expect(out.dims).toEqual([1, 3, 7 * spec.scale, 4 * spec.scale]);
    expect(maxAbsDiff(out.data, ref.d)).toBeLessThan(1e-4);
  });

  it('refuses weights that do not fit the architecture, naming the tensor', () => {
    const weights = randomWeights(TINY_RRDB);
    weights.set('body.0.rdb2.conv3.weight', new Float32Array(5));
    expect(() => buildGraph(TINY_RRDB, weights)).toThrow(/body\.0\.rdb2\.conv3\.weight/);
    weights.delete('conv_hr.bias');
    expect(() => buildGraph(TINY_RRDB, weights)).toThrow(/conv_hr\.bias|conv3/);
  });
});
