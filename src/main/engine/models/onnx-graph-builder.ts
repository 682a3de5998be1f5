import type { onnx as OnnxNamespace } from 'onnx-proto';
import { toFloat16Bytes } from './float16';
import { onnx } from './onnx/onnx-proto';
import type { StateDict } from './state-dict';

const OPSET = 17;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;

export type AttrValue = number | string | number[];

export interface GraphOptions {
  /** Store weights and run activations in half precision (for GPU providers). */
  fp16?: boolean;
  /**
   * Network interpolation: the weights given to the builder are the fidelity end; these are the
   * perceptual end. Every weight becomes θ_f + α·(θ_p − θ_f) with α a graph input, so one session
   * serves any α.
   */
  blendTowards?: StateDict;
}

/** Incrementally assembles an ONNX graph with NCHW float input `input` and output `output`. */
export class OnnxGraphBuilder {
  private readonly nodes: OnnxNamespace.INodeProto[] = [];
  private readonly initializers: OnnxNamespace.ITensorProto[] = [];
  private counter = 0;
  private alphaNode: string | undefined;
  readonly fp16: boolean;
  private readonly blendTowards: StateDict | undefined;

  constructor(
    private readonly weights: StateDict,
    options: GraphOptions = {},
  ) {
    this.fp16 = options.fp16 ?? false;
    this.blendTowards = options.blendTowards;
  }

  /** The blend factor α in compute precision (graph input `alpha`, float32 [1]). */
  private alpha(): string {
    this.alphaNode ??= this.fp16 ? this.node('Cast', ['alpha'], { to: FLOAT16 }) : 'alpha';
    return this.alphaNode;
  }

  private fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  /** Adds a constant tensor in the graph's compute precision. */
  constant(name: string, dims: number[], values: Float32Array): string {
    const raw = this.fp16
      ? toFloat16Bytes(values)
      : new Uint8Array(
          values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength),
        );
    this.initializers.push({ name, dims, dataType: this.fp16 ? FLOAT16 : FLOAT, rawData: raw });
    return name;
  }

  /** Adds a float32 constant regardless of precision (e.g. Resize scales). */
  float32Constant(name: string, dims: number[], values: number[]): string {
    this.initializers.push({ name, dims, dataType: FLOAT, floatData: values });
    return name;
  }

  /** Adds an int64 constant (indices, shapes). */
  int64Constant(name: string, dims: number[], values: number[]): string {
    const INT64 = onnx.TensorProto.DataType.INT64;
    this.initializers.push({ name, dims, dataType: INT64, int64Data: values });
    return name;
  }

  weight(name: string, dims: number[]): string {
    const w = this.weights.get(name);
    if (!w) throw new Error(`missing weight ${name}`);
    if (!this.blendTowards) return this.constant(name, dims, w);
    const p = this.blendTowards.get(name);
    if (!p || p.length !== w.length) throw new Error(`blend partner lacks a matching ${name}`);
    const delta = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) delta[i] = p[i] - w[i];
    const f = this.constant(`${name}.fidelity`, dims, w);
    const d = this.constant(`${name}.delta`, dims, delta);
    return this.node('Add', [f, this.node('Mul', [d, this.alpha()])], {}, name);
  }

  node(
    op: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    output?: string,
  ): string {
    const out = output ?? this.fresh(op.toLowerCase());
    const attribute = Object.entries(attrs).map(([name, v]): OnnxNamespace.IAttributeProto => {
      if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
      if (typeof v === 'string') {
        return {
          name,
          type: onnx.AttributeProto.AttributeType.STRING,
          s: new TextEncoder().encode(v),
        };
      }
      return Number.isInteger(v) && !['alpha', 'beta'].includes(name)
        ? { name, type: onnx.AttributeProto.AttributeType.INT, i: v }
        : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v };
    });
    this.nodes.push({ opType: op, input: inputs, output: [out], attribute, name: out });
    return out;
  }

  /** 3×3 (or k×k) "same" convolution using `${name}.weight` / `${name}.bias`. */
  conv(x: string, name: string, out: number, inp: number, k = 3): string {
    const w = this.weight(`${name}.weight`, [out, inp, k, k]);
    const b = this.weight(`${name}.bias`, [out]);
    const p = (k - 1) / 2;
    return this.node(
      'Conv',
      [x, w, b],
      { kernel_shape: [k, k], pads: [p, p, p, p] },
      this.fresh(name),
    );
  }

  leakyRelu(x: string, slope = 0.2): string {
    return this.node('LeakyRelu', [x], { alpha: slope });
  }

  /** x·factor + residual. */
  scaledAdd(x: string, factor: number, residual: string): string {
    const c = this.constant(this.fresh('scale'), [], new Float32Array([factor]));
    return this.node('Add', [this.node('Mul', [x, c]), residual]);
  }

  upsampleNearest(x: string, factor: number): string {
    const scales = this.float32Constant(this.fresh('scales'), [4], [1, 1, factor, factor]);
    return this.node('Resize', [x, '', scales], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
  }

  /** Per-channel PReLU (`n` slopes, or one shared slope when n is 1) from weight `name`. */
  prelu(x: string, name: string, n: number): string {
    return this.node('PRelu', [x, this.weight(name, n === 1 ? [1] : [n, 1, 1])]);
  }

  /** PyTorch's pixel_shuffle(x, r). */
  pixelShuffle(x: string, r: number): string {
    return this.node('DepthToSpace', [x], { blocksize: r, mode: 'CRD' });
  }

  /**
   * PyTorch's pixel_unshuffle(x, r) for `channels` input channels: output channel c·r² + i·r + j
   * holds pixel (i, j) of each r×r block of channel c. ONNX SpaceToDepth orders channels as
   * (i·r + j)·C + c, so its output is permuted with a Gather.
   */
  pixelUnshuffle(x: string, r: number, channels: number): string {
    const perm: number[] = [];
    for (let c = 0; c < channels; c++) for (let k = 0; k < r * r; k++) perm.push(k * channels + c);
    const idx = this.int64Constant(this.fresh('unshuffle_perm'), [perm.length], perm);
    return this.node('Gather', [this.node('SpaceToDepth', [x], { blocksize: r }), idx], {
      axis: 1,
    });
  }

  /** Bilinear enlargement as F.interpolate(mode='bilinear', align_corners=False). */
  upsampleBilinear(x: string, factor: number): string {
    const scales = this.float32Constant(this.fresh('scales'), [4], [1, 1, factor, factor]);
    return this.node('Resize', [x, '', scales], {
      mode: 'linear',
      coordinate_transformation_mode: 'half_pixel',
    });
  }

  /** x · factor with a scalar constant. */
  scale(x: string, factor: number): string {
    return this.node('Mul', [x, this.constant(this.fresh('k'), [], new Float32Array([factor]))]);
  }

  /** Serialises the graph; `body` maps the (precision-converted) input name to the output name. */
  build(name: string, body: (input: string) => string): Uint8Array {
    const input = this.fp16 ? this.node('Cast', ['input'], { to: FLOAT16 }) : 'input';
    const result = body(input);
    if (this.fp16) this.node('Cast', [result], { to: FLOAT }, 'output');
    else this.node('Identity', [result], {}, 'output');
    const tensorType = (elem: string): OnnxNamespace.ITypeProto => ({
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: [
            { dimValue: 1 },
            { dimParam: 'channels' },
            { dimParam: `${elem}_h` },
            { dimParam: `${elem}_w` },
          ],
        },
      },
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'upres',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name,
        node: this.nodes,
        initializer: this.initializers,
        input: [
          { name: 'input', type: tensorType('in') },
          ...(this.alphaNode
            ? [
                {
                  name: 'alpha',
                  type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 1 }] } } },
                },
              ]
            : []),
        ],
        output: [{ name: 'output', type: tensorType('out') }],
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
