import type { RcanSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { shuffleStages } from '../layout-helpers';
import { OnnxGraphBuilder, type GraphOptions } from '../../onnx-graph-builder';
import { rcab } from './tensors';

/**
 * RCAN. The engine feeds [0, 1]; RCAN works on [0, rgbRange] between its MeanShifts, so the
 * input is scaled up first and the output scaled back. Channel attention pools the whole input
 * (GlobalAveragePool), which is why tiles need a wide context (see the tiling facts).
 */
export function buildRcanGraph(
  spec: RcanSpec,
  weights: StateDict,
  options: GraphOptions = {},
): Uint8Array {
  const g = new OnnxGraphBuilder(weights, options);
  const f = spec.features;
  const c = spec.inChannels;
  const block = (x: string, p: string): string => {
    const y = g.conv(g.node('Relu', [g.conv(x, `${p}.0`, f, f)]), `${p}.2`, f, f);
    const pooled = g.node('GlobalAveragePool', [y]);
    const down = g.node('Relu', [g.conv(pooled, `${p}.3.attention.1`, spec.squeeze, f, 1)]);
    const gate = g.node('Sigmoid', [g.conv(down, `${p}.3.attention.3`, f, spec.squeeze, 1)]);
    return g.node('Add', [g.node('Mul', [y, gate]), x]);
  };
  return g.build('rcan', (input) => {
    const x = g.conv(g.scale(input, spec.rgbRange), 'sub_mean', c, c, 1);
    const head = g.conv(x, 'conv_first', f, c);
    let res = head;
    for (let k = 0; k < spec.groups; k++) {
      let y = res;
      for (let b = 0; b < spec.blocks; b++) y = block(y, rcab(k, b));
      res = g.node('Add', [g.conv(y, `body.${k}.conv`, f, f), res]);
    }
    let up = g.node('Add', [g.conv(res, 'conv_after_body', f, f), head]);
    shuffleStages(spec.scale).forEach((s, i) => {
      up = g.pixelShuffle(g.conv(up, `upsample.${2 * i}`, f * s * s, f), s);
    });
    const o = spec.outChannels;
    const out = g.conv(g.conv(up, 'conv_last', o, f), 'add_mean', o, o, 1);
    return g.scale(out, 1 / spec.rgbRange);
  });
}
