import type { SrResNetSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { shuffleStages } from '../layout-helpers';
import { OnnxGraphBuilder, type GraphOptions } from '../../onnx-graph-builder';

/**
 * SRResNet, the SRGAN generator, in both variants (see SrResNetSpec): BasicSR's MSRResNet and the
 * SRGAN paper's network with batch norm folded into its convolutions.
 */
export function buildSrResNetGraph(
  spec: SrResNetSpec,
  weights: StateDict,
  options: GraphOptions = {},
): Uint8Array {
  const g = new OnnxGraphBuilder(weights, options);
  const f = spec.features;
  const srgan = spec.variant === 'srgan';
  const k = srgan ? 9 : 3;
  const p = spec.preluChannels ?? 1;
  const act = (x: string, prelu: string): string =>
    srgan ? g.prelu(x, prelu, p) : g.leakyRelu(x, 0.1);
  return g.build('srresnet', (input) => {
    const first = act(g.conv(input, 'conv_first', f, spec.inChannels, k), 'act_first.weight');
    let x = first;
    for (let b = 0; b < spec.blocks; b++) {
      const c1 = g.conv(x, `body.${b}.conv1`, f, f);
      const a = srgan ? g.prelu(c1, `body.${b}.act.weight`, p) : g.node('Relu', [c1]);
      x = g.node('Add', [x, g.conv(a, `body.${b}.conv2`, f, f)]);
    }
    if (srgan) x = g.node('Add', [first, g.conv(x, 'conv_body', f, f)]);
    shuffleStages(spec.scale).forEach((s, i) => {
      const up = g.pixelShuffle(g.conv(x, `upconv${i + 1}`, f * s * s, f), s);
      x = act(up, `up_act${i + 1}.weight`);
    });
    if (srgan) return g.conv(x, 'conv_last', spec.outChannels, f, k);
    const out = g.conv(
      g.leakyRelu(g.conv(x, 'conv_hr', f, f), 0.1),
      'conv_last',
      spec.outChannels,
      f,
    );
    return g.node('Add', [out, g.upsampleBilinear(input, spec.scale)]);
  });
}
