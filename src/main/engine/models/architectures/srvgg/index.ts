import type { SrvggSpec } from '../../../../../shared/architecture';
import type { ArchitectureDefinition } from '../definition';
import { detectSrvgg } from './detect';
import { buildSrvggGraph } from './graph';
import { srvggTensors } from './tensors';

/** SRVGGNetCompact (Real-ESRGAN's compact generator, e.g. realesr-general-x4v3). */
export const srvgg: ArchitectureDefinition<SrvggSpec> = {
  kind: 'srvgg',
  name: 'SRVGGNetCompact',
  detectors: [
    {
      name: 'SRVGGNetCompact',
      keys: ['body.0.weight', 'body.1.weight', 'body.2.weight'],
      detect: detectSrvgg,
    },
  ],
  tensors: srvggTensors,
  canonical: (spec) => spec,
  buildGraph: buildSrvggGraph,
  inputMultiple: () => 1,
  tiling: {
    // A receptive field of ±34 px: 24 px of context already gives 65 dB against untiled.
    overlap: 24,
    feather: 4,
    // Peak RSS growth running one tile (≈1 KB/px) with 100 % margin.
    bytesPerPixel: 2_000,
    maxTile: 512,
    // ≈1 KB/px: the largest tile fits any GPU.
    gpuTile: { fp32: 512, fp16: 512 },
  },
};
