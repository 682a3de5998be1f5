import { createRequire } from 'node:module';
import type { onnx as OnnxNamespace } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../src/main/engine/models/build-graph';
import { psnr } from '../../../src/main/engine/metrics/psnr';
import { InferenceSession } from '../../../src/main/engine/runtime/inference-session';
import { TINY_RRDB, TINY_SRVGG, randomImage, randomWeights } from '../../helpers/random-models';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNamespace };
const clamp01 = (a: Float32Array) => a.map((v) => Math.min(1, Math.max(0, v)));

// GPU providers get the fp16 graph; no GPU here, so it is checked on the CPU provider.
describe('fp16 graph variant', () => {
  it.each([
    ['RRDBNet', { ...TINY_RRDB, blocks: 2, features: 16, growth: 8 }],
    ['SRVGGNetCompact', { ...TINY_SRVGG, features: 16, convs: 4 }],
  ] as const)(
    '%s: stores fp16 weights and stays within 40 dB of the fp32 graph',
    async (_n, spec) => {
      const weights = randomWeights(spec, 21);
      const fp16 = buildGraph(spec, weights, { fp16: true });
      const model = onnx.ModelProto.decode(fp16);
      const types = new Set(
        model
          .graph!.initializer!.filter((t) => /\.(weight|bias)$/.test(t.name!))
          .map((t) => t.dataType),
      );
      expect([...types]).toEqual([onnx.TensorProto.DataType.FLOAT16]);
      expect(model.graph!.input![0].type!.tensorType!.elemType).toBe(
        onnx.TensorProto.DataType.FLOAT,
      );

      const input = randomImage(3, 12, 10, 5);
      const outputs: Float32Array[] = [];
      for (const graph of [buildGraph(spec, weights), fp16]) {
        const s = await InferenceSession.create(graph, 'cpu');
        outputs.push((await s.run({ data: input.slice(), dims: [1, 3, 12, 10] })).data);
        await s.dispose();
      }
      const p = psnr(clamp01(outputs[1]), clamp01(outputs[0]), 1);
      expect(p).toBeGreaterThanOrEqual(40);
      expect(p).toBeLessThan(Infinity); // weights really were rounded
    },
  );
});
