import type { ArchitectureSpec } from '../../../shared/architecture';
import { UpresError } from '../../../shared/errors';
import { checkStateDict } from './architecture-tensors';
import { architectureOf } from './architectures';
import type { GraphOptions } from './onnx-graph-builder';
import type { StateDict } from './state-dict';

export interface BuildGraphOptions extends GraphOptions {
  /** The model id or file the weights came from, named in errors. */
  label?: string;
  /** The same for `blendTowards`'s weights. */
  partnerLabel?: string;
}

/**
 * Serialised ONNX model for any architecture with a graph builder. The weights (and a pair's
 * other end) are checked against the architecture's layout here, the one check on every path to a
 * session.
 */
export function buildGraph(
  spec: ArchitectureSpec,
  weights: StateDict,
  options: BuildGraphOptions = {},
): Uint8Array {
  const { label, partnerLabel, ...graph } = options;
  const arch = architectureOf(spec);
  if (!arch.buildGraph)
    throw new UpresError(
      'internal',
      `${label ? `${label}: ` : ''}an imported ${arch.name} model is run from its own file; there is no graph to build`,
    );
  checkStateDict(spec, weights, label);
  if (graph.blendTowards) checkStateDict(spec, graph.blendTowards, partnerLabel);
  return arch.buildGraph(spec, weights, graph);
}
