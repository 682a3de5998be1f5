// GPU providers get the fp16 graph (open-session.ts tries fp16 first there); no GPU here, so the
// fp16 graphs of SPAN, RealPLKSR (GroupNorm, LayerNorm, DySample), RCAN and SwinIR are built and
// run on the CPU provider (onnxruntime casts around the ops it has no fp16 kernel for) and checked
// against their fp32 graphs on a photo crop.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { onnx as OnnxNamespace } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../src/main/engine/models/build-graph';
import { readModelFile } from '../../../src/main/engine/models/read-model-file';
import { rasterRegionToTensor } from '../../../src/main/engine/pipeline/raster';
import { InferenceSession } from '../../../src/main/engine/runtime/inference-session';
import { DATASETS, readRgb } from '../../helpers/images';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNamespace };
const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'arch-modern');
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;

// fp16 keeps 11 significant bits (unit roundoff 2⁻¹¹ ≈ 4.9·10⁻⁴); an 8-bit output step is 1/255 ≈
// 2⁻⁸, eight times coarser. The half-precision graph is acceptable when, clamped to 0…1 as output
// is written, no sample moves by more than one 8-bit step.
const STEP = 1 / 255;

describe('fp16 graphs of the issue-15 architectures', () => {
  it.each([
    'span-x4',
    'realplksr-gn-x2',
    'realplksr-ln-x4',
    'realplksr-dysample-x3',
    'rcan-x2',
    'swinir-classical-x2',
    'swinir-lightweight-x3',
  ])('%s: fp16 weights, output within one 8-bit step of fp32', async (name) => {
    const { spec, weights } = await readModelFile(join(DIR, `${name}.pth`));
    const half = await buildGraph(spec, weights, { fp16: true });
    const stored = onnx.ModelProto.decode(half)
      .graph!.initializer!.filter((t) => /\.(weight|bias)$/.test(t.name!))
      .map((t) => t.dataType);
    expect(stored.length).toBeGreaterThan(0);
    expect(new Set(stored)).toEqual(new Set([FLOAT16]));
    const crop = await readRgb(`${DATASETS}photos/DSCN0012.jpg`, {
      left: 200,
      top: 150,
      width: 20,
      height: 16,
    });
    const outs: Float32Array[] = [];
    for (const graph of [await buildGraph(spec, weights, {}), half]) {
      const s = await InferenceSession.create(graph, 'cpu', undefined, { host: 'thread' });
      try {
        outs.push((await s.run(rasterRegionToTensor(crop, 0, 0, 20, 16))).data);
      } finally {
        await s.dispose();
      }
    }
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    let worst = 0;
    let moved = 0;
    for (let i = 0; i < outs[0].length; i++) {
      const d = Math.abs(clamp(outs[1][i]) - clamp(outs[0][i]));
      worst = Math.max(worst, d);
      if (outs[1][i] !== outs[0][i]) moved++;
    }
    console.log(`${name}: fp16 − fp32 at most ${(worst * 255).toFixed(3)} of an 8-bit step`);
    expect(worst, `${name}: largest fp16 − fp32 difference`).toBeLessThanOrEqual(STEP);
    expect(moved, 'the fp16 graph really rounds').toBeGreaterThan(0);
  });
});
