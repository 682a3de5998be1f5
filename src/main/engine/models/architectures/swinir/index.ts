import type { SwinIrSpec } from '../../../../../shared/architecture';
import type { ArchitectureDefinition } from '../definition';
import { detectSwinIr } from './detect';
import { buildSwinIrGraph } from './graph';
import { swinIrTensors } from './tensors';

/** SwinIR (Swin transformer image restoration): classical, lightweight, real-world and ×1. */
export const swinir: ArchitectureDefinition<SwinIrSpec> = {
  kind: 'swinir',
  name: 'SwinIR',
  detectors: [
    {
      name: 'SwinIR',
      keys: [
        'conv_first.weight',
        'layers.0.residual_group.blocks.0.attn.relative_position_bias_table',
        'norm.weight',
      ],
      detect: detectSwinIr,
    },
  ],
  tensors: swinIrTensors,
  canonical: (spec) => spec,
  buildGraph: buildSwinIrGraph,
  // The graph pads to the window itself (reflect, as upstream) and crops back.
  inputMultiple: () => 1,
  tileAlign: (spec) => spec.windowSize,
  tiling: {
    // With regions on the window grid (tileAlign), 24 px of context already equals untiled on the
    // tiny fixture (∞ dB; 16 px 101 dB, 8 px 69 dB); off the grid the same tiles give 32.5 dB.
    // The released models stack 6 × 6 blocks: 32 px, a multiple of the usual 8 px window.
    overlap: 32,
    feather: 8,
    // Peak RSS growth of one 256² tile of classical SwinIR-M ×4 (180 wide, 6 × 6 blocks, window 8),
    // CPU fp32: 16.3 KB/px (attention is per window, so it grows with the tile's area only).
    bytesPerPixel: 40_000,
    maxTile: 256,
    // (192 + 64)² × 40 KB ≈ 2.6 GB.
    gpuTile: { fp32: 192, fp16: 256 },
  },
};
