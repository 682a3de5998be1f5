import type { EdsrSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { shuffleStages } from '../layout-helpers';
import { OnnxGraphBuilder, type GraphOptions } from '../../onnx-graph-builder';

/**
 * EDSR. The engine feeds pixels in [0, 1]; EDSR works in [0, rgbRange], so the input is scaled up
 * before `sub_mean` and the output scaled back after `add_mean`.
 */
export function buildEdsrGraph(
  spec: EdsrSpec,
  weights: StateDict,
  options: GraphOptions = {},
): Uint8Array {
  const g = new OnnxGraphBuilder(weights, options);
  const f = spec.features;
  return g.build('edsr', (input) => {
    const x = g.conv(
      g.scale(input, spec.rgbRange),
      'sub_mean',
      spec.inChannels,
      spec.inChannels,
      1,
    );
    const head = g.conv(x, 'conv_first', f, spec.inChannels);
    let res = head;
    for (let b = 0; b < spec.blocks; b++) {
      const y = g.conv(
        g.node('Relu', [g.conv(res, `body.${b}.conv1`, f, f)]),
        `body.${b}.conv2`,
        f,
        f,
      );
      res = spec.resScale === 1 ? g.node('Add', [y, res]) : g.scaledAdd(y, spec.resScale, res);
    }
    let up = g.node('Add', [g.conv(res, 'conv_after_body', f, f), head]);
    shuffleStages(spec.scale).forEach((s, i) => {
      up = g.pixelShuffle(g.conv(up, `upsample.${2 * i}`, f * s * s, f), s);
    });
    const out = g.conv(
      g.conv(up, 'conv_last', spec.outChannels, f),
      'add_mean',
      spec.outChannels,
      spec.outChannels,
      1,
    );
    return g.scale(out, 1 / spec.rgbRange);
  });
}
