import type { RrdbNetSpec } from '../../../../../shared/architecture';
import type { ArchitectureDefinition } from '../definition';
import { detectRrdbNew, detectRrdbOld } from './detect';
import { buildRrdbGraph } from './graph';
import { rrdbTensors, rrdbUnshuffle, rrdbUpStages } from './tensors';

/** RRDBNet (ESRGAN, Real-ESRGAN x4plus / x2plus / x1, any block count, width and scale). */
export const rrdbnet: ArchitectureDefinition<RrdbNetSpec> = {
  kind: 'rrdbnet',
  name: 'RRDBNet',
  detectors: [
    {
      name: 'RRDBNet (BasicSR)',
      keys: ['conv_first.weight', 'body.0.rdb1.conv1.weight'],
      detect: detectRrdbNew,
    },
    {
      name: 'RRDBNet (ESRGAN 2018)',
      keys: ['model.0.weight', 'model.1.sub.0.RDB1.conv1.0.weight'],
      detect: detectRrdbOld,
    },
  ],
  tensors: rrdbTensors,
  canonical: (spec) => ({ ...spec, unshuffle: rrdbUnshuffle(spec), upStages: rrdbUpStages(spec) }),
  buildGraph: buildRrdbGraph,
  inputMultiple: rrdbUnshuffle,
  tiling: {
    // A wide receptive field: 32 px of context gives 38 dB against untiled, 48 px 50 dB
    // (`npm run bench -- overlap`, docs/tiling.md).
    overlap: 48,
    feather: 8,
    // Peak RSS growth running one tile (x4plus: +124 MB at 96², +382 MB at 192², ≈10 KB/px)
    // with 20 % margin.
    bytesPerPixel: 12_000,
    maxTile: 512,
    // ≈12 KB/px fp32: a 256² core + 2×48 overlap is ≈1.5 GB, half that in fp16.
    gpuTile: { fp32: 256, fp16: 384 },
  },
};
