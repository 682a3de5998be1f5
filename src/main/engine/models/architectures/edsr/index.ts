import type { EdsrSpec } from '../../../../../shared/architecture';
import type { ArchitectureDefinition } from '../definition';
import { detectEdsrBasicSr, detectEdsrOfficial } from './detect';
import { buildEdsrGraph } from './graph';
import { edsrTensors } from './tensors';

/** EDSR, baseline and large, ×2 / ×3 / ×4. */
export const edsr: ArchitectureDefinition<EdsrSpec> = {
  kind: 'edsr',
  name: 'EDSR',
  detectors: [
    {
      name: 'EDSR (EDSR-PyTorch)',
      keys: ['head.0.weight', 'body.0.body.0.weight', 'tail.1.weight'],
      detect: detectEdsrOfficial,
    },
    {
      name: 'EDSR (BasicSR)',
      // conv_after_body tells it apart from MSRResNet, which shares conv_first and body.N.conv1.
      keys: ['conv_first.weight', 'body.0.conv1.weight', 'conv_after_body.weight'],
      detect: detectEdsrBasicSr,
    },
  ],
  tensors: edsrTensors,
  canonical: (spec) => spec,
  buildGraph: buildEdsrGraph,
  inputMultiple: () => 1,
  tiling: {
    // 16–32 residual blocks of two 3×3 convolutions at input resolution: RRDBNet's setting.
    overlap: 48,
    feather: 8,
    // Estimated from the largest activations, sized for the 256-feature "large" model so it
    // never runs out.
    bytesPerPixel: 40_000,
    maxTile: 512,
    // ≈40 KB/px fp32 (wide body): a 192² core is ≈2.5 GB.
    gpuTile: { fp32: 192, fp16: 256 },
  },
};
