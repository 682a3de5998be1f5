import type { SpanSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { OnnxGraphBuilder, type GraphOptions } from '../../onnx-graph-builder';
import { GAIN, spanConvs } from './tensors';

const DIV2K_MEAN = [0.4488, 0.4371, 0.404];

/**
 * One Conv3XC as the 3×3 convolution upstream's eval path runs: the 1×1 → 3×3 → 1×1 chain and
 * the 1×1 skip composed inside the graph (a few small MatMuls on weights, folded to constants by
 * onnxruntime for a single model). Merging in the graph rather than on import keeps the stored
 * weights upstream's, so a pair blends them as PyTorch would before merging.
 */
function conv3xc(g: OnnxGraphBuilder, x: string, name: string, i: number, o: number): string {
  const m = i * GAIN;
  const n = o * GAIN;
  const w1 = g.weight(`${name}.conv.0.weight`, [m, i]);
  const b1 = g.weight(`${name}.conv.0.bias`, [m, 1]);
  const w2 = g.weight(`${name}.conv.1.weight`, [n, m, 9]);
  const b2 = g.weight(`${name}.conv.1.bias`, [n, 1]);
  const w3 = g.weight(`${name}.conv.2.weight`, [o, n]);
  const b3 = g.weight(`${name}.conv.2.bias`, [o, 1]);
  const skw = g.weight(`${name}.sk.weight`, [o, i, 1, 1]);
  const skb = g.weight(`${name}.sk.bias`, [o, 1]);
  // W[o, i, t] = Σ_n Σ_m w3[o, n] · w2[n, m, t] · w1[m, i], for each of the 9 taps t.
  const taps = g.node('Transpose', [w2], { perm: [2, 0, 1] }); // [9, n, m]
  const chain = g.node('MatMul', [w3, g.node('MatMul', [taps, w1])]); // [9, o, i]
  const kernel = g.node('Reshape', [
    g.node('Transpose', [chain], { perm: [1, 2, 0] }),
    g.int64Constant(`${name}.kshape`, [4], [o, i, 3, 3]),
  ]);
  const pads = g.int64Constant(`${name}.skpad`, [8], [0, 0, 1, 1, 0, 0, 1, 1]);
  const w = g.node('Add', [kernel, g.node('Pad', [skw, pads])]);
  // b = w3 · (Σ_t w2[:, :, t] · b1 + b2) + b3 + sk.bias
  const axes = g.int64Constant(`${name}.taxis`, [1], [2]);
  const w2sum = g.node('ReduceSum', [w2, axes], { keepdims: 0 }); // [n, m]
  const inner = g.node('Add', [g.node('MatMul', [w2sum, b1]), b2]);
  const bias = g.node('Add', [g.node('Add', [g.node('MatMul', [w3, inner]), b3]), skb]);
  const b = g.node('Reshape', [bias, g.int64Constant(`${name}.bshape`, [1], [o])]);
  return g.node('Conv', [x, w, b], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
}

/** Builds SPAN's ONNX graph from its (upstream-named) weights. */
export function buildSpanGraph(
  spec: SpanSpec,
  weights: StateDict,
  options: GraphOptions = {},
): Uint8Array {
  const g = new OnnxGraphBuilder(weights, options);
  const f = spec.features;
  const dims = new Map(spanConvs(spec).map(([n, i, o]) => [n, [i, o]]));
  const c = (x: string, name: string): string => {
    const [i, o] = dims.get(name)!;
    return conv3xc(g, x, name, i, o);
  };
  const silu = (x: string): string => g.node('Mul', [x, g.node('Sigmoid', [x])]);
  const half = g.constant('half', [], new Float32Array([0.5]));
  const block = (x: string, b: number): [string, string] => {
    const out1 = c(x, `block_${b}.c1_r`);
    const out3 = c(silu(c(silu(out1), `block_${b}.c2_r`)), `block_${b}.c3_r`);
    const att = g.node('Sub', [g.node('Sigmoid', [out3]), half]);
    return [g.node('Mul', [g.node('Add', [out3, x]), att]), out1];
  };
  return g.build('span', (input) => {
    let x = input;
    if (spec.norm) {
      const mean = g.constant('rgb_mean', [1, 3, 1, 1], new Float32Array(DIV2K_MEAN));
      x = g.scale(g.node('Sub', [input, mean]), 255);
    }
    const feature = c(x, 'conv_1');
    const [b1] = block(feature, 1);
    let b = b1;
    for (let k = 2; k <= 5; k++) [b] = block(b, k);
    const [b6raw, b5x2] = block(b, 6);
    const b6 = c(b6raw, 'conv_2');
    const cat = g.node('Concat', [feature, b6, b1, b5x2], { axis: 1 });
    const fused = g.conv(cat, 'conv_cat', f, 4 * f, 1);
    const s = spec.scale;
    const up = g.conv(fused, 'upsampler.0', spec.outChannels * s * s, f);
    return s === 1 ? up : g.pixelShuffle(up, s);
  });
}
