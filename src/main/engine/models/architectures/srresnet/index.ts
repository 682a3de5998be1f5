import type { SrResNetSpec } from '../../../../../shared/architecture';
import type { ArchitectureDefinition } from '../definition';
import { detectMsrResNet, detectSrganSrResNet } from './detect';
import { buildSrResNetGraph } from './graph';
import { srresnetTensors } from './tensors';

/** SRGAN's generator: BasicSR's MSRResNet and the SRGAN paper's SRResNet (batch norm folded). */
export const srresnet: ArchitectureDefinition<SrResNetSpec> = {
  kind: 'srresnet',
  name: 'SRResNet',
  detectors: [
    {
      name: 'MSRResNet',
      // conv_hr tells it apart from BasicSR's EDSR, which shares conv_first and body.N.conv1.
      keys: ['conv_first.weight', 'body.0.conv1.weight', 'conv_hr.weight'],
      detect: detectMsrResNet,
    },
    {
      name: 'SRResNet (SRGAN)',
      keys: ['conv1.0.weight', 'trunk.0.rcb.0.weight'],
      detect: detectSrganSrResNet,
    },
  ],
  tensors: srresnetTensors,
  canonical: (spec) =>
    spec.variant === 'srgan' ? { ...spec, preluChannels: spec.preluChannels ?? 1 } : spec,
  buildGraph: buildSrResNetGraph,
  inputMultiple: () => 1,
  tiling: {
    // 16 residual blocks of two 3×3 convolutions at input resolution: a receptive field as wide
    // as RRDBNet's, so its setting.
    overlap: 48,
    feather: 8,
    // Estimated from the largest activations (the ×4 upsampler holds 16 feature maps per input
    // pixel at 64 features), like RRDBNet.
    bytesPerPixel: 12_000,
    maxTile: 512,
    // Sized like RRDBNet (≈12 KB/px fp32).
    gpuTile: { fp32: 256, fp16: 384 },
  },
};
