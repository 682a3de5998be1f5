import type { ArchitectureSpec } from '../../../shared/architecture';
import { checkStateDict, type StateDict } from './architecture-tensors';
import type { GraphOptions } from './onnx-graph-builder';
import { buildRrdbGraph } from './rrdb-graph';
import { buildSrvggGraph } from './srvgg-graph';

/** Serialised ONNX model for any supported architecture. */
export function buildGraph(
  spec: ArchitectureSpec,
  weights: StateDict,
  options: GraphOptions = {},
): Uint8Array {
  checkStateDict(spec, weights);
  return spec.kind === 'rrdbnet'
    ? buildRrdbGraph(spec, weights, options)
    : buildSrvggGraph(spec, weights, options);
}
