// RealPLKSR's GroupNorm normalises each block's features over the whole image. A tile's graph sees
// only the tile, so the GroupNorm models' graphs take the statistics as overridable inputs and report
// the sums the whole-image statistics are gathered from (see global-norm.ts). A run that gives none
// of them gets zeros (inference-worker.ts), which make the graph what it was: tile-local
// statistics (and sums over an empty core).
import { onnx } from '../../onnx/onnx-proto';
import type { OnnxGraphBuilder } from '../../onnx-graph-builder';

const FLOAT = 1;
const FLOAT16 = 10;
const INT64 = 7;

/** Graph input: per block and group, [mean, biased variance] (float32 [blocks, groups, 2]). */
export const GN_STATS = 'gn_stats';
/** Graph input: 1 normalises with `gn_stats`, 0 with the tile's own statistics (float32 [1]). */
export const GN_USE = 'gn_use';
/** Graph input: the tile's core in region px, [y0, x0, y1, x1] (float32 [4]); sums cover it only. */
export const GN_CORE = 'gn_core';
/**
 * Graph output: per block and group, [Σ(y − m), Σ(y − m)²] over the core of the block's features
 * before its GroupNorm, m being `gn_stats`' mean (a shift that keeps the float32 sums exact).
 */
export const GN_SUMS = 'gn_sums';

/** The GroupNorm blocks' shared inputs and collected sums, while one graph is built. */
export class GlobalNormInputs {
  private readonly sums: string[] = [];
  private readonly starts: string;
  private readonly ends: string;

  constructor(
    private readonly g: OnnxGraphBuilder,
    private readonly blocks: number,
    private readonly groups: number,
    private readonly fresh: (hint: string) => string,
  ) {
    const core = g.node('Cast', [GN_CORE], { to: INT64 });
    this.starts = this.part(core, 0, 2);
    this.ends = this.part(core, 2, 4);
  }

  private part(x: string, from: number, to: number, axis = 0): string {
    const c = (v: number[]) => this.g.int64Constant(this.fresh('gn'), [v.length], v);
    return this.g.node('Slice', [x, c([from]), c([to]), c([axis])]);
  }

  /** Block `b`'s given [1, groups, 1] mean (k = 0) or variance (k = 1) of a [B, G, 2] tensor. */
  private given(stats: string, b: number, k: number): string {
    const row = this.part(this.part(stats, b, b + 1), k, k + 1, 2);
    return this.g.node('Reshape', [row, this.g.int64Constant(this.fresh('gn'), [3], [1, -1, 1])]);
  }

  /**
   * nn.GroupNorm's normalisation (before the affine) of block `b`'s [1, c, h, w] features `y`, with
   * the tile's or the given statistics as `gn_use` says; records the block's core sums.
   */
  normalise(y16: string, b: number, eps: number): string {
    const g = this.g;
    // In float32 whatever the precision: a feature map's variance can pass fp16's 65504.
    const y = g.fp16 ? g.node('Cast', [y16], { to: FLOAT }) : y16;
    const grouped = g.node('Reshape', [
      y,
      g.int64Constant(this.fresh('gn'), [3], [1, this.groups, -1]),
    ]);
    const uLocal = g.node('ReduceMean', [grouped], { axes: [2], keepdims: 1 });
    const dLocal = g.node('Sub', [grouped, uLocal]);
    const vLocal = g.node('ReduceMean', [g.node('Mul', [dLocal, dLocal])], {
      axes: [2],
      keepdims: 1,
    });
    const mix = (local: string, given: string) =>
      g.node('Add', [local, g.node('Mul', [GN_USE, g.node('Sub', [given, local])])]);
    const u = mix(uLocal, this.given(GN_STATS, b, 0));
    const v = mix(vLocal, this.given(GN_STATS, b, 1));
    const e = g.float32Constant(this.fresh('eps'), [], [eps]);
    const n = g.node('Div', [g.node('Sub', [grouped, u]), g.node('Sqrt', [g.node('Add', [v, e])])]);
    this.record(y, b);
    const out = g.node('Reshape', [n, g.node('Shape', [y])]);
    return g.fp16 ? g.node('Cast', [out], { to: FLOAT16 }) : out;
  }

  /** Records block `b`'s core sums of float32 features `y` without normalising them (the sweep). */
  record(y: string, b: number): void {
    const g = this.g;
    // Sums shifted by the given mean (exact float32 sums whatever the feature's offset).
    const axes = g.int64Constant(this.fresh('gn'), [2], [2, 3]);
    const axes2 = g.int64Constant(this.fresh('gn'), [1], [2]);
    const core = g.node('Slice', [y, this.starts, this.ends, axes]);
    const shape = g.int64Constant(this.fresh('gn'), [3], [1, this.groups, -1]);
    const d = g.node('Sub', [g.node('Reshape', [core, shape]), this.given(GN_STATS, b, 0)]);
    const s1 = g.node('ReduceSum', [d, axes2], { keepdims: 1 });
    const s2 = g.node('ReduceSum', [g.node('Mul', [d, d]), axes2], { keepdims: 1 });
    this.sums.push(g.node('Concat', [s1, s2], { axis: 2 }));
  }

  /** Names the collected sums `gn_sums` (call once every block is built, before `g.build`). */
  finish(): void {
    if (this.sums.length !== this.blocks)
      throw new Error('RealPLKSR: a GroupNorm block is missing');
    this.g.node('Concat', this.sums, { axis: 0 }, GN_SUMS);
  }
}

/** Declares the statistics inputs and the sums output in a built graph. */
export function declareGlobalNorm(bytes: Uint8Array, blocks: number, groups: number): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  graph.input ??= [];
  graph.output ??= [];
  const type = (dims: number[]) => ({
    tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } },
  });
  graph.input.push(
    { name: GN_STATS, type: type([blocks, groups, 2]) },
    { name: GN_USE, type: type([1]) },
    { name: GN_CORE, type: type([4]) },
  );
  graph.output.push({ name: GN_SUMS, type: type([blocks, groups, 2]) });
  return onnx.ModelProto.encode(model).finish();
}
