import type { ArchitectureSpec } from '../../../shared/architecture';
import { checkStateDict, type StateDict } from './architecture-tensors';
import { buildEdsrGraph } from './edsr-graph';
import type { GraphOptions } from './onnx-graph-builder';
import { buildRrdbGraph } from './rrdb-graph';
import { buildSrResNetGraph } from './srresnet-graph';
import { buildSrvggGraph } from './srvgg-graph';

/** Serialised ONNX model for any supported architecture. */
export function buildGraph(
  spec: ArchitectureSpec,
  weights: StateDict,
  options: GraphOptions = {},
): Uint8Array {
  checkStateDict(spec, weights);
  switch (spec.kind) {
    case 'rrdbnet':
      return buildRrdbGraph(spec, weights, options);
    case 'srvgg':
      return buildSrvggGraph(spec, weights, options);
    case 'srresnet':
      return buildSrResNetGraph(spec, weights, options);
    case 'edsr':
      return buildEdsrGraph(spec, weights, options);
    case 'onnx':
      throw new Error(
        'an imported ONNX model is run from its own file; there is no graph to build',
      );
  }
}
