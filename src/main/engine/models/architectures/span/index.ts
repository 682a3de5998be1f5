import type { SpanSpec } from '../../../../../shared/architecture';
import type { ArchitectureDefinition } from '../definition';
import { detectSpan } from './detect';
import { buildSpanGraph } from './graph';
import { spanTensors } from './tensors';

/** SPAN (Swift Parameter-free Attention Network, NTIRE 2024 efficient SR winner). */
export const span: ArchitectureDefinition<SpanSpec> = {
  kind: 'span',
  name: 'SPAN',
  detectors: [
    {
      name: 'SPAN',
      keys: ['conv_1.sk.weight', 'block_1.c1_r.sk.weight', 'conv_cat.weight', 'upsampler.0.weight'],
      detect: detectSpan,
    },
  ],
  tensors: spanTensors,
  canonical: (spec) => spec,
  buildGraph: buildSpanGraph,
  inputMultiple: () => 1,
  tiling: {
    // 21 3×3 convolutions and nothing global: a ±21 px receptive field, so 24 px of context gives
    // exactly the untiled output (measured: tiny fixture and real-size 48-feature model, ∞ dB).
    overlap: 24,
    feather: 4,
    // Peak RSS growth of one 256² tile of the real-size ×4 model, CPU fp32: 2.7 KB/px; 100 % margin.
    bytesPerPixel: 5_500,
    maxTile: 512,
    // (512 + 48)² × 5.5 KB ≈ 1.7 GB.
    gpuTile: { fp32: 512, fp16: 512 },
  },
};
