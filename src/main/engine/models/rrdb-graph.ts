import type { RrdbNetSpec } from '../../../shared/architecture';
import type { StateDict } from './architecture-tensors';
import { rrdbUnshuffle, rrdbUpStages } from './architecture-tensors';
import { OnnxGraphBuilder, type GraphOptions } from './onnx-graph-builder';

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
  if (rrdbUnshuffle(spec) !== 1)
    throw new Error(`RRDBNet ×${spec.scale} (pixel-unshuffle input) is not supported yet`);
  const g = new OnnxGraphBuilder(weights, options);
  const f = spec.features;
  return g.build('rrdbnet', (input) => {
    const first = g.conv(input, 'conv_first', f, spec.inChannels);
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
