import type { RcanSpec } from '../../../../../shared/architecture';
import type { ArchitectureDefinition } from '../definition';
import { detectRcanBasicSr, detectRcanOfficial } from './detect';
import { buildRcanGraph } from './graph';
import { rcanTensors } from './tensors';

/** RCAN (residual channel attention network), ×2 / ×3 / ×4 / ×8. */
export const rcan: ArchitectureDefinition<RcanSpec> = {
  kind: 'rcan',
  name: 'RCAN',
  detectors: [
    {
      name: 'RCAN (official / traiNNer-redux)',
      keys: [
        'head.0.weight',
        'body.0.body.0.body.0.weight',
        'body.0.body.0.body.3.conv_du.0.weight',
      ],
      detect: detectRcanOfficial,
    },
    {
      name: 'RCAN (BasicSR)',
      keys: [
        'conv_first.weight',
        'body.0.residual_group.0.rcab.0.weight',
        'conv_after_body.weight',
      ],
      detect: detectRcanBasicSr,
    },
  ],
  tensors: rcanTensors,
  canonical: (spec) => spec,
  buildGraph: buildRcanGraph,
  inputMultiple: () => 1,
  tiling: {
    // Channel attention pools the whole tile, so no context makes tiles exactly untiled; on the
    // tiny fixture 4 px gives 53.8 dB, 24 57.2, 48 59.2 (128² crop, 32 px tiles), 48.8 dB with
    // 24 px cores on 136². The released models have 10 × 20 blocks (a far wider field): 48 px.
    overlap: 48,
    feather: 8,
    // Peak RSS growth of one 256² tile of RCAN_BIX4's size (10 × 20 × 64), CPU fp32: 16.3 KB/px.
    bytesPerPixel: 33_000,
    maxTile: 512,
    // (192 + 96)² × 33 KB ≈ 2.7 GB.
    gpuTile: { fp32: 192, fp16: 320 },
  },
};
