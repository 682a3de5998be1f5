import type { SwinIrSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { shuffleStages } from '../layout-helpers';
import { OnnxGraphBuilder, type GraphOptions } from '../../onnx-graph-builder';
import { blockName, relativePositionIndex, windowMask } from './tensors';

const DIV2K_MEAN = [0.4488, 0.4371, 0.404];
const BIG = 2 ** 62;

let uid = 0;
const fresh = (hint: string): string => `${hint}_swin${uid++}`;

/** Shapes every stage needs, computed once from the input: all int64 [1] except where noted. */
interface Sizes {
  h: string;
  w: string;
  /** Padded height / width, and windows per column / row. */
  hp: string;
  wp: string;
  rows: string;
  cols: string;
}

class SwinGraph {
  private readonly ws: number;
  private readonly d: number;
  private sizes!: Sizes;
  private mask?: string;

  constructor(
    private readonly g: OnnxGraphBuilder,
    private readonly spec: SwinIrSpec,
  ) {
    this.ws = spec.windowSize;
    this.d = spec.embedDim;
  }

  private i64(values: number[]): string {
    return this.g.int64Constant(fresh('i'), [values.length], values);
  }

  private cat(parts: string[]): string {
    return this.g.node('Concat', parts, { axis: 0 });
  }

  private slice(x: string, start: number, end: number, axis: number): string {
    return this.g.node('Slice', [x, this.i64([start]), this.i64([end]), this.i64([axis])]);
  }

  /** Reflect-pads the input to window multiples (upstream's check_image_size) and notes sizes. */
  pad(input: string): string {
    const g = this.g;
    const shape = g.node('Shape', [input]);
    const h = this.slice(shape, 2, 3, 0);
    const w = this.slice(shape, 3, 4, 0);
    const ws = this.i64([this.ws]);
    const padOf = (n: string): string =>
      g.node('Mod', [g.node('Sub', [ws, g.node('Mod', [n, ws])]), ws]);
    const ph = padOf(h);
    const pw = padOf(w);
    const pads = this.cat([this.i64([0, 0, 0, 0, 0, 0]), ph, pw]);
    const hp = g.node('Add', [h, ph]);
    const wp = g.node('Add', [w, pw]);
    this.sizes = { h, w, hp, wp, rows: g.node('Div', [hp, ws]), cols: g.node('Div', [wp, ws]) };
    return g.node('Pad', [input, pads], { mode: 'reflect' });
  }

  /** Crops the output back to scale × the unpadded size. */
  crop(x: string): string {
    const g = this.g;
    const s = this.i64([this.spec.scale]);
    const ends = this.cat([g.node('Mul', [this.sizes.h, s]), g.node('Mul', [this.sizes.w, s])]);
    return g.node('Slice', [x, this.i64([0, 0]), ends, this.i64([2, 3])]);
  }

  private layerNorm(x: string, name: string): string {
    const g = this.g;
    const w = g.weight(`${name}.weight`, [this.d]);
    const b = g.weight(`${name}.bias`, [this.d]);
    return g.node('LayerNormalization', [x, w, b], { axis: -1, epsilon: 1e-5 });
  }

  private linear(x: string, name: string, out: number, inp: number, bias = true): string {
    const g = this.g;
    const w = g.node('Transpose', [g.weight(`${name}.weight`, [out, inp])], { perm: [1, 0] });
    const y = g.node('MatMul', [x, w]);
    return bias ? g.node('Add', [y, g.weight(`${name}.bias`, [out])]) : y;
  }

  /** [1, C, Hp, Wp] → tokens [1, L, C]. */
  tokens(x: string): string {
    const g = this.g;
    return g.node('Transpose', [g.node('Reshape', [x, this.i64([1, this.d, -1])])], {
      perm: [0, 2, 1],
    });
  }

  /** Tokens [1, L, C] → [1, C, Hp, Wp]. */
  image(t: string): string {
    const g = this.g;
    const shape = this.cat([this.i64([1, this.d]), this.sizes.hp, this.sizes.wp]);
    return g.node('Reshape', [g.node('Transpose', [t], { perm: [0, 2, 1] }), shape]);
  }

  /** torch.roll by `by` pixels along the H and W axes of [1, Hp, Wp, C]. */
  private roll(x: string, by: number): string {
    let y = x;
    for (const axis of [1, 2]) {
      // roll(x, k)[i] = x[(i − k) mod n]: the tail from −k, then the head up to −k.
      y = this.g.node('Concat', [this.slice(y, -by, BIG, axis), this.slice(y, 0, -by, axis)], {
        axis,
      });
    }
    return y;
  }

  /** The shifted-window mask for this image, [windows, 1, N, N], built once from four kinds. */
  private windowMasks(): string {
    if (this.mask) return this.mask;
    const g = this.g;
    const ws = this.ws;
    const n = ws * ws;
    const shift = Math.floor(ws / 2);
    const kinds = new Float32Array(4 * n * n);
    [0, 1, 2, 3].forEach((k) => kinds.set(windowMask(ws, shift, k >= 2, k % 2 === 1), k * n * n));
    const table = g.constant(fresh('masks'), [4, n, n], kinds);
    const last = (count: string, dims: number[]): string => {
      const c = g.node('Squeeze', [count]);
      const idx = g.node('Range', [
        g.int64Constant(fresh('zero'), [], [0]),
        c,
        g.int64Constant(fresh('one'), [], [1]),
      ]);
      const isLast = g.node('Equal', [
        idx,
        g.node('Sub', [c, g.int64Constant(fresh('one'), [], [1])]),
      ]);
      return g.node('Reshape', [g.node('Cast', [isLast], { to: 7 }), this.i64(dims)]);
    };
    const row = last(this.sizes.rows, [-1, 1]);
    const col = last(this.sizes.cols, [1, -1]);
    const kind = g.node('Add', [g.node('Mul', [row, this.i64([2])]), col]);
    const flat = g.node('Reshape', [kind, this.i64([-1])]);
    const masks = g.node('Gather', [table, flat], { axis: 0 });
    this.mask = g.node('Unsqueeze', [masks, this.i64([1])]);
    return this.mask;
  }

  private attention(win: string, p: string, heads: number, shifted: boolean): string {
    const g = this.g;
    const d = this.d;
    const n = this.ws * this.ws;
    const hd = d / heads;
    const qkv = this.linear(win, `${p}.attn.qkv`, 3 * d, d, this.spec.qkvBias);
    const split = g.node('Transpose', [g.node('Reshape', [qkv, this.i64([0, 0, 3, heads, hd])])], {
      perm: [2, 0, 3, 1, 4],
    });
    const part = (i: number): string =>
      g.node('Gather', [split, g.int64Constant(fresh('k'), [], [i])], { axis: 0 });
    const q = g.scale(part(0), hd ** -0.5);
    let attn = g.node('MatMul', [q, g.node('Transpose', [part(1)], { perm: [0, 1, 3, 2] })]);
    const index = g.int64Constant(fresh('rpi'), [n * n], relativePositionIndex(this.ws));
    const table = g.weight(`${p}.attn.relative_position_bias_table`, [
      (2 * this.ws - 1) ** 2,
      heads,
    ]);
    const bias = g.node('Reshape', [
      g.node('Transpose', [g.node('Gather', [table, index], { axis: 0 })], { perm: [1, 0] }),
      this.i64([1, heads, n, n]),
    ]);
    attn = g.node('Add', [attn, bias]);
    if (shifted) attn = g.node('Add', [attn, this.windowMasks()]);
    const o = g.node('MatMul', [g.node('Softmax', [attn], { axis: -1 }), part(2)]);
    const merged = g.node('Reshape', [
      g.node('Transpose', [o], { perm: [0, 2, 1, 3] }),
      this.i64([0, 0, d]),
    ]);
    return this.linear(merged, `${p}.attn.proj`, d, d);
  }

  private gelu(x: string): string {
    const g = this.g;
    const e = g.node('Erf', [g.scale(x, Math.SQRT1_2)]);
    const one = g.constant(fresh('one'), [], new Float32Array([1]));
    return g.node('Mul', [g.scale(x, 0.5), g.node('Add', [e, one])]);
  }

  block(x: string, l: number, b: number): string {
    const g = this.g;
    const { hp, wp, rows, cols } = this.sizes;
    const ws = this.ws;
    const d = this.d;
    const p = blockName(l, b);
    const shifted = this.spec.shift && b % 2 === 1;
    const shift = Math.floor(ws / 2);
    let y = g.node('Reshape', [
      this.layerNorm(x, `${p}.norm1`),
      this.cat([this.i64([1]), hp, wp, this.i64([d])]),
    ]);
    if (shifted) y = this.roll(y, -shift);
    const grid = this.cat([this.i64([1]), rows, this.i64([ws]), cols, this.i64([ws, d])]);
    const win = g.node('Reshape', [
      g.node('Transpose', [g.node('Reshape', [y, grid])], { perm: [0, 1, 3, 2, 4, 5] }),
      this.i64([-1, ws * ws, d]),
    ]);
    const att = this.attention(win, p, this.spec.heads[l], shifted);
    const back = this.cat([this.i64([1]), rows, cols, this.i64([ws, ws, d])]);
    y = g.node('Transpose', [g.node('Reshape', [att, back])], { perm: [0, 1, 3, 2, 4, 5] });
    y = g.node('Reshape', [y, this.cat([this.i64([1]), hp, wp, this.i64([d])])]);
    if (shifted) y = this.roll(y, shift);
    const h = g.node('Add', [x, g.node('Reshape', [y, this.i64([1, -1, d])])]);
    const mlp = this.linear(
      this.gelu(
        this.linear(this.layerNorm(h, `${p}.norm2`), `${p}.mlp.fc1`, this.spec.mlpHidden, d),
      ),
      `${p}.mlp.fc2`,
      d,
      this.spec.mlpHidden,
    );
    return g.node('Add', [h, mlp]);
  }

  /** The conv(s) closing a group or the body, on an image. */
  resiConv(x: string, name: string): string {
    const g = this.g;
    const d = this.d;
    if (this.spec.resiConnection === '1conv') return g.conv(x, name, d, d);
    const a = g.leakyRelu(g.conv(x, `${name}.0`, d / 4, d));
    const b = g.leakyRelu(g.conv(a, `${name}.2`, d / 4, d / 4, 1));
    return g.conv(b, `${name}.4`, d, d / 4);
  }

  /** forward_features: patch embed (+ norm), the residual groups, the final norm, as an image. */
  features(feat: string): string {
    let t = this.tokens(feat);
    if (this.spec.patchNorm) t = this.layerNorm(t, 'patch_embed.norm');
    this.spec.depths.forEach((depth, l) => {
      let y = t;
      for (let b = 0; b < depth; b++) y = this.block(y, l, b);
      t = this.g.node('Add', [this.tokens(this.resiConv(this.image(y), `layers.${l}.conv`)), t]);
    });
    return this.image(this.layerNorm(t, 'norm'));
  }
}

/** Builds SwinIR's ONNX graph (any input size: padding, windows and masks follow the input). */
export function buildSwinIrGraph(
  spec: SwinIrSpec,
  weights: StateDict,
  options: GraphOptions = {},
): Uint8Array {
  const g = new OnnxGraphBuilder(weights, options);
  const s = new SwinGraph(g, spec);
  const d = spec.embedDim;
  const f = spec.features;
  const o = spec.outChannels;
  return g.build('swinir', (input) => {
    const mean = g.constant('rgb_mean', [1, 3, 1, 1], new Float32Array(DIV2K_MEAN));
    const x = g.node('Sub', [s.pad(input), mean]);
    const first = g.conv(x, 'conv_first', d, spec.inChannels);
    const body = g.node('Add', [s.resiConv(s.features(first), 'conv_after_body'), first]);
    let y: string;
    switch (spec.upsampler) {
      case 'pixelshuffle': {
        y = g.leakyRelu(g.conv(body, 'conv_before_upsample.0', f, d), 0.01);
        shuffleStages(spec.scale).forEach((k, i) => {
          y = g.pixelShuffle(g.conv(y, `upsample.${2 * i}`, f * k * k, f), k);
        });
        y = g.conv(y, 'conv_last', o, f);
        break;
      }
      case 'pixelshuffledirect':
        y = g.pixelShuffle(g.conv(body, 'upsample.0', o * spec.scale * spec.scale, d), spec.scale);
        break;
      case 'nearest+conv': {
        y = g.leakyRelu(g.conv(body, 'conv_before_upsample.0', f, d), 0.01);
        y = g.leakyRelu(g.conv(g.upsampleNearest(y, 2), 'conv_up1', f, f));
        if (spec.scale === 4) y = g.leakyRelu(g.conv(g.upsampleNearest(y, 2), 'conv_up2', f, f));
        y = g.conv(g.leakyRelu(g.conv(y, 'conv_hr', f, f)), 'conv_last', o, f);
        break;
      }
      case 'none':
        y = g.node('Add', [x, g.conv(body, 'conv_last', o, d)]);
    }
    return s.crop(g.node('Add', [y, mean]));
  });
}
