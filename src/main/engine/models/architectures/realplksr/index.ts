import type { RealPlksrSpec } from '../../../../../shared/architecture';
import type { ArchitectureDefinition } from '../definition';
import { detectRealPlksr, refusePlksr } from './detect';
import { realPlksrWholeImage } from './global-norm';
import { buildRealPlksrGraph } from './graph';
import { realPlksrTensors } from './tensors';

/** RealPLKSR (partial large-kernel CNN; neosr / traiNNer-redux), pixel shuffle or DySample. */
export const realplksr: ArchitectureDefinition<RealPlksrSpec> = {
  kind: 'realplksr',
  name: 'RealPLKSR',
  detectors: [
    {
      name: 'RealPLKSR',
      keys: [
        'feats.0.weight',
        'feats.1.lk.conv.weight',
        'feats.1.channel_mixer.0.weight',
        'feats.1.refine.weight',
      ],
      detect: detectRealPlksr,
    },
    {
      name: 'PLKSR (refused)',
      keys: ['feats.0.weight', 'feats.1.channe_mixer.0.weight'],
      detect: refusePlksr,
    },
  ],
  tensors: realPlksrTensors,
  canonical: (spec) => spec,
  buildGraph: buildRealPlksrGraph,
  inputMultiple: () => 1,
  // DySample samples at (centre + offset)·(W − 1)/W of the tile it is given (upstream's
  // align_corners with pixel-centre coordinates), so it is never exactly local: 48 px of context
  // gives 45.7 dB against untiled with 64 px tiles, 64 px 49.3 dB with 128 px tiles (tiny random
  // model, 256² photo crop). GroupNorm normalises over the whole image, which no context fixes
  // (32.3 / 36.9 dB at 32 / 64 px tile-local, 128 px tiles): whole-image statistics (below) do,
  // with the wider context for what is local (the fixture: 88.8 dB at 64 px).
  overlapFor: (spec) => (spec.upsampler === 'dysample' || spec.norm === 'group' ? 64 : 32),
  // GroupNorm: whole-image statistics gathered over the tiles first (global-norm.ts).
  wholeImage: (spec, exact) => realPlksrWholeImage(spec, exact),
  tiling: {
    // Layer-norm + pixel-shuffle: every op is local. 24 px of context already equals untiled on
    // the tiny fixture; the real-size (28 × 17² blocks, random) model gives 97.6 dB at 32 px.
    overlap: 32,
    feather: 8,
    // Peak RSS growth of one 256² tile, real size (64 × 28 blocks), CPU fp32: 2.6 KB/px with pixel
    // shuffle, 9.2 KB/px with DySample (the sampled 48-channel ×4 image); the larger, 100 % margin.
    bytesPerPixel: 18_500,
    maxTile: 512,
    // (320 + 128)² × 18.5 KB ≈ 3.7 GB at worst (DySample); fp16 halves it.
    gpuTile: { fp32: 320, fp16: 448 },
  },
};
