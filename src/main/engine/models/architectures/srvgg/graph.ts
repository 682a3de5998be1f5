import type { SrvggSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { OnnxGraphBuilder, type GraphOptions } from '../../onnx-graph-builder';

/** Builds the ONNX graph of SRVGGNetCompact (PReLU variant) from its weights. */
export function buildSrvggGraph(
  spec: SrvggSpec,
  weights: StateDict,
  options: GraphOptions = {},
): Uint8Array {
  const g = new OnnxGraphBuilder(weights, options);
  const f = spec.features;
  const s = spec.scale;
  const prelu = (x: string, idx: number): string =>
    g.node('PRelu', [x, g.weight(`body.${idx}.weight`, [f, 1, 1])]);
  return g.build('srvgg', (input) => {
    let x = prelu(g.conv(input, 'body.0', f, spec.inChannels), 1);
    for (let i = 0; i < spec.convs; i++) x = prelu(g.conv(x, `body.${2 + 2 * i}`, f, f), 3 + 2 * i);
    const last = g.conv(x, `body.${2 + 2 * spec.convs}`, spec.outChannels * s * s, f);
    const shuffled = s === 1 ? last : g.node('DepthToSpace', [last], { blocksize: s, mode: 'CRD' });
    const base = s === 1 ? input : g.upsampleNearest(input, s);
    return g.node('Add', [shuffled, base]);
  });
}
