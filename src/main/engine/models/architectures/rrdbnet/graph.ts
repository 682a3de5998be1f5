import type { RrdbNetSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { rrdbUnshuffle, rrdbUpStages } from './tensors';
import { OnnxGraphBuilder, type GraphOptions } from '../../onnx-graph-builder';

const RESIDUAL_SCALE = 0.2;

function residualDenseBlock(
  g: OnnxGraphBuilder,
  x: string,
  prefix: string,
  f: number,
  gr: number,
): string {
  const feats = [x];
  for (let c = 1; c <= 4; c++) {
    const inp = feats.length === 1 ? x : g.node('Concat', [...feats], { axis: 1 });
    feats.push(g.leakyRelu(g.conv(inp, `${prefix}.conv${c}`, gr, f + (c - 1) * gr)));
  }
  const x5 = g.conv(g.node('Concat', feats, { axis: 1 }), `${prefix}.conv5`, f, f + 4 * gr);
  return g.scaledAdd(x5, RESIDUAL_SCALE, x);
}

/** Builds the ONNX graph of an RRDBNet (BasicSR layout names) from its weights. */
export function buildRrdbGraph(
  spec: RrdbNetSpec,
  weights: StateDict,
  options: GraphOptions = {},
): Uint8Array {
  const g = new OnnxGraphBuilder(weights, options);
  const f = spec.features;
  const u = rrdbUnshuffle(spec);
  return g.build('rrdbnet', (input) => {
    const x = u === 1 ? input : g.pixelUnshuffle(input, u, spec.inChannels);
    const first = g.conv(x, 'conv_first', f, spec.inChannels * u * u);
    let trunk = first;
    for (let b = 0; b < spec.blocks; b++) {
      let y = trunk;
      for (let r = 1; r <= 3; r++)
        y = residualDenseBlock(g, y, `body.${b}.rdb${r}`, f, spec.growth);
      trunk = g.scaledAdd(y, RESIDUAL_SCALE, trunk);
    }
    let feat = g.node('Add', [first, g.conv(trunk, 'conv_body', f, f)]);
    for (let s = 1; s <= rrdbUpStages(spec); s++) {
      feat = g.leakyRelu(g.conv(g.upsampleNearest(feat, 2), `conv_up${s}`, f, f));
    }
    return g.conv(g.leakyRelu(g.conv(feat, 'conv_hr', f, f)), 'conv_last', spec.outChannels, f);
  });
}
