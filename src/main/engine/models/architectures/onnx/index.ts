import type { OnnxSpec } from '../../../../../shared/architecture';
import type { ArchitectureDefinition } from '../definition';

/**
 * A plain `.onnx` model run as-is: the file is the graph, so there is no detector, weight layout
 * or graph builder here. Reading, checking and measuring the file is `models/onnx/`.
 */
export const onnx: ArchitectureDefinition<OnnxSpec> = {
  kind: 'onnx',
  name: 'ONNX graph',
  detectors: [],
  // Its initializers are not named by an architecture.
  tensors: () => [],
  canonical: (spec) => ({ ...spec, inputMultiple: spec.inputMultiple ?? 1 }),
  inputMultiple: (spec) => spec.inputMultiple ?? 1,
  tiling: {
    // An unknown network: 32 px of context (RRDBNet's 38 dB point), a middle ground between
    // SRVGG's and the deep residual networks' settings.
    overlap: 32,
    feather: 8,
    // Unknown activations: sized like RRDBNet (a 64-feature ×4 network).
    bytesPerPixel: 12_000,
    maxTile: 512,
    // Sized like RRDBNet, as above.
    gpuTile: { fp32: 256, fp16: 384 },
  },
};
