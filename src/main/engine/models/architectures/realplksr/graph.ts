import type { RealPlksrSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { OnnxGraphBuilder, type GraphOptions } from '../../onnx-graph-builder';
import { declareGlobalNorm, GlobalNormInputs } from './global-norm-graph';
import { dysampleChannels, dysampleGroups, dysampleInitPos, lastFeat } from './tensors';

const FLOAT = 1;
const FLOAT16 = 10;

/** x · tanh(softplus(x)) (ONNX has Mish only from opset 18). */
function mish(g: OnnxGraphBuilder, x: string): string {
  return g.node('Mul', [x, g.node('Tanh', [g.node('Softplus', [x])])]);
}

/** (x − mean) / √(var + eps) over `axes` (biased variance, as PyTorch's norms). */
function normalise(g: OnnxGraphBuilder, x: string, axes: number[], eps: number): string {
  const u = g.node('ReduceMean', [x], { axes, keepdims: 1 });
  const d = g.node('Sub', [x, u]);
  const v = g.node('ReduceMean', [g.node('Mul', [d, d])], { axes, keepdims: 1 });
  const e = g.constant(fresh('eps'), [], new Float32Array([eps]));
  return g.node('Div', [d, g.node('Sqrt', [g.node('Add', [v, e])])]);
}

function affine(g: OnnxGraphBuilder, x: string, name: string, c: number): string {
  const w = g.weight(`${name}.weight`, [c, 1, 1]);
  return g.node('Add', [g.node('Mul', [x, w]), g.weight(`${name}.bias`, [c, 1, 1])]);
}

/** A 1×1 convolution without bias (DySample's scope). */
function conv1x1NoBias(g: OnnxGraphBuilder, x: string, name: string, o: number, i: number): string {
  return g.node('Conv', [x, g.weight(`${name}.weight`, [o, i, 1, 1])], { kernel_shape: [1, 1] });
}

let uid = 0;
/** A name no other node of any graph built in this process has. */
export const fresh = (hint: string): string => `${hint}_plk${uid++}`;

/** A float32 scalar constant (the sampling grid is computed in float32 whatever the precision). */
const f32 = (g: OnnxGraphBuilder, v: number): string => g.float32Constant(fresh('c'), [], [v]);

/** The first `a` and the remaining channels of x, as two tensors. */
function channelSlice(g: OnnxGraphBuilder, x: string, from: number, to: number): string {
  return g.node('Slice', [
    x,
    g.int64Constant(fresh('start'), [1], [from]),
    g.int64Constant(fresh('end'), [1], [to]),
    g.int64Constant(fresh('axis'), [1], [1]),
  ]);
}

/**
 * DySample: offsets = offset(x) · sigmoid(scope(x)) · 0.5 + init_pos; sample positions
 * 2·(pixel centre + offset)/size − 1, pixel-shuffled to the output grid; then ONNX GridSample
 * with PyTorch's settings here (bilinear, border padding, align_corners) over `groups` channel
 * groups, and the 1×1 end conv. The grid is float32 (Range has no float16).
 */
function dysample(g: OnnxGraphBuilder, x: string, spec: RealPlksrSpec): string {
  const s = spec.scale;
  const c = dysampleChannels(spec);
  const groups = dysampleGroups(spec);
  const k = groups * s * s;
  const offset = g.conv(x, 'to_img.offset', 2 * k, c, 1);
  const scope = g.node('Sigmoid', [conv1x1NoBias(g, x, 'to_img.scope', 2 * k, c)]);
  const pos = g.constant('to_img.init_pos', [1, 2 * k, 1, 1], dysampleInitPos(s, groups));
  let o = g.node('Add', [g.scale(g.node('Mul', [offset, scope]), 0.5), pos]);
  if (g.fp16) o = g.node('Cast', [o], { to: FLOAT });
  const shape = g.node('Shape', [x]);
  const side = (axis: number): [string, string] => {
    const d = g.node('Slice', [
      shape,
      g.int64Constant(fresh('s'), [1], [axis]),
      g.int64Constant(fresh('e'), [1], [axis + 1]),
    ]);
    const size = g.node('Cast', [d], { to: FLOAT });
    const count = g.node('Squeeze', [size]);
    const centres = g.node('Add', [g.node('Range', [f32(g, 0), count, f32(g, 1)]), f32(g, 0.5)]);
    const dims = axis === 2 ? [1, 1, -1, 1] : [1, 1, 1, -1];
    return [g.node('Reshape', [centres, g.int64Constant(fresh('r'), [4], dims)]), size];
  };
  const [cy, h] = side(2);
  const [cx, w] = side(3);
  const coord = (off: string, centre: string, size: string): string => {
    const twice = g.node('Mul', [g.node('Add', [centre, off]), f32(g, 2)]);
    return g.node('Sub', [g.node('Div', [twice, size]), f32(g, 1)]);
  };
  const gx = g.pixelShuffle(coord(channelSlice(g, o, 0, k), cx, w), s);
  const gy = g.pixelShuffle(coord(channelSlice(g, o, k, 2 * k), cy, h), s);
  const last = g.int64Constant(fresh('axis4'), [1], [4]);
  let grid = g.node('Squeeze', [
    g.node('Concat', [g.node('Unsqueeze', [gx, last]), g.node('Unsqueeze', [gy, last])], {
      axis: 4,
    }),
    g.int64Constant(fresh('batch'), [1], [0]),
  ]);
  if (g.fp16) grid = g.node('Cast', [grid], { to: FLOAT16 });
  const xshape = g.int64Constant(fresh('xshape'), [4], [groups, c / groups, 0, 0]);
  const sampled = g.node('GridSample', [g.node('Reshape', [x, xshape]), grid], {
    mode: 'bilinear',
    padding_mode: 'border',
    align_corners: 1,
  });
  const y = g.node('Reshape', [sampled, g.int64Constant(fresh('yshape'), [4], [1, c, 0, 0])]);
  return s === 1 ? y : g.conv(y, 'to_img.end_conv', spec.outChannels, c, 1);
}

/**
 * PLK block `b` up to its GroupNorm (the whole block for the layer-norm variant, less the
 * residual): what the whole-image statistics sweep (global-norm-sweep.ts) stops at.
 */
export function plkBody(g: OnnxGraphBuilder, spec: RealPlksrSpec, x: string, b: number): string {
  const d = spec.features;
  const p = `feats.${b}`;
  let y = x;
  if (spec.norm === 'layer') y = affine(g, normalise(g, y, [1], 1e-6), `${p}.layer_norm`, d);
  y = g.conv(
    mish(g, g.conv(y, `${p}.channel_mixer.0`, 2 * d, d)),
    `${p}.channel_mixer.2`,
    d,
    2 * d,
  );
  const part = channelSlice(g, y, 0, spec.split);
  const rest = channelSlice(g, y, spec.split, d);
  const lk = g.conv(part, `${p}.lk.conv`, spec.split, spec.split, spec.kernelSize);
  y = g.node('Concat', [lk, rest], { axis: 1 });
  if (spec.attention) y = g.node('Mul', [y, g.node('Sigmoid', [g.conv(y, `${p}.attn.f.0`, d, d)])]);
  return g.conv(y, `${p}.refine`, d, d, 1);
}

/** Block `b`'s GroupNorm (statistics row `row` of `gn`), affine and residual: its output. */
export function plkFinish(
  g: OnnxGraphBuilder,
  spec: RealPlksrSpec,
  gn: GlobalNormInputs,
  y: string,
  x: string,
  b: number,
  row: number,
): string {
  const n = affine(g, gn.normalise(y, row, 1e-5), `feats.${b}.norm`, spec.features);
  return g.node('Add', [n, x]);
}

/** The pixels a PLK block body reads beyond the one it writes (its convolutions' radii). */
export const plkBodyRadius = (spec: RealPlksrSpec): number =>
  2 + (spec.kernelSize - 1) / 2 + (spec.attention ? 1 : 0);

/** Builds RealPLKSR's ONNX graph (eval mode: dropout off) from its upstream-named weights. */
export function buildRealPlksrGraph(
  spec: RealPlksrSpec,
  weights: StateDict,
  options: GraphOptions = {},
): Uint8Array {
  const g = new OnnxGraphBuilder(weights, options);
  // GroupNorm (eps 1e-5) over the whole image: statistics as inputs, see global-norm-graph.ts.
  const gn =
    spec.norm === 'group'
      ? new GlobalNormInputs(g, spec.blocks, spec.normGroups, fresh)
      : undefined;
  const d = spec.features;
  const s2 = spec.scale * spec.scale;
  const block = (x: string, b: number): string => {
    const y = plkBody(g, spec, x, b);
    return gn ? plkFinish(g, spec, gn, y, x, b, b - 1) : g.node('Add', [y, x]);
  };
  const bytes = g.build('realplksr', (input) => {
    let x = g.conv(input, 'feats.0', d, spec.inChannels);
    for (let b = 1; b <= spec.blocks; b++) x = block(x, b);
    gn?.finish();
    const tail = g.conv(x, `feats.${lastFeat(spec)}`, spec.outChannels * s2, d);
    if (spec.upsampler === 'pixelshuffle') {
      // PixelShuffle(tail + input repeated s² times) = PixelShuffle(tail) + nearest(input).
      if (spec.scale === 1) return g.node('Add', [tail, input]);
      return g.node('Add', [
        g.pixelShuffle(tail, spec.scale),
        g.upsampleNearest(input, spec.scale),
      ]);
    }
    const idx = Array.from({ length: spec.inChannels * s2 }, (_, i) => Math.floor(i / s2));
    const repeated = g.node(
      'Gather',
      [input, g.int64Constant(fresh('repeat'), [idx.length], idx)],
      { axis: 1 },
    );
    return dysample(g, g.node('Add', [tail, repeated]), spec);
  });
  return gn ? declareGlobalNorm(bytes, spec.blocks, spec.normGroups) : bytes;
}
