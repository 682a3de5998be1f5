// The graphs of the whole-image GroupNorm sweep (global-norm-sweep.ts), split at each GroupNorm.
// The stored state between stages is [x, y]: a block's input and its body's output before its
// GroupNorm, 2·features channels. Head: image → [x₀, y₁]. Stage k ≥ 2: [x_{k−2}, y_{k−1}] with
// block k−1's statistics → [x_{k−1}, y_k]. Each also returns the GroupNorm sums of its y over the
// tile's core (gn_sums row 1, or 0 for the head), shifted by gn_stats' mean of that row. The stage
// graph serves every block: its weights are graph inputs, fed per run, so one session does them all.
import type { RealPlksrSpec } from '../../../../../shared/architecture';
import { onnx } from '../../onnx/onnx-proto';
import { OnnxGraphBuilder } from '../../onnx-graph-builder';
import type { StateDict } from '../../state-dict';
import { declareGlobalNorm, GlobalNormInputs } from './global-norm-graph';
import { fresh, plkBody, plkFinish } from './graph';

/** The head: the first conv and block 1's body, fp32, with block 1's weights inside. */
export function buildHeadGraph(spec: RealPlksrSpec, weights: StateDict): Uint8Array {
  const g = new OnnxGraphBuilder(weights, { fp16: false });
  const gn = new GlobalNormInputs(g, 1, spec.normGroups, fresh);
  const bytes = g.build('realplksr_head', (input) => {
    const x = g.conv(input, 'feats.0', spec.features, spec.inChannels);
    const y = plkBody(g, spec, x, 1);
    gn.record(y, 0);
    gn.finish();
    return g.node('Concat', [x, y], { axis: 1 });
  });
  return declareGlobalNorm(bytes, 1, spec.normGroups);
}

/** Renames block `prev`'s norm and block `b`'s body weights to the stage graph's input names. */
export function stageWeights(spec: RealPlksrSpec, weights: StateDict, b: number): StateDict {
  const out: StateDict = new Map();
  for (const [name, w] of weights) {
    if (name.startsWith(`feats.${b - 1}.norm.`))
      out.set(name.replace(`feats.${b - 1}.`, 'feats.1.'), w);
    else if (name.startsWith(`feats.${b}.`)) out.set(name.replace(`feats.${b}.`, 'feats.2.'), w);
  }
  return out;
}

/** A stage graph and the shapes of its weight inputs, by name. */
export interface StageGraph {
  bytes: Uint8Array;
  inputs: Map<string, number[]>;
}

/** Stage k ≥ 2 as one graph whose `feats.1.norm.*` and `feats.2.*` weights are inputs. */
export function buildStageGraph(spec: RealPlksrSpec, weights: StateDict): StageGraph {
  const mine = stageWeights(spec, weights, 2);
  const g = new OnnxGraphBuilder(mine, { fp16: false });
  const gn = new GlobalNormInputs(g, 2, spec.normGroups, fresh);
  const d = spec.features;
  const start = (v: number) => g.int64Constant(fresh('st'), [1], [v]);
  const bytes = g.build('realplksr_stage', (input) => {
    const part = (from: number, to: number) =>
      g.node('Slice', [input, start(from), start(to), start(1)]);
    const x = plkFinish(g, spec, gn, part(d, 2 * d), part(0, d), 1, 0);
    const y = plkBody(g, spec, x, 2);
    gn.record(y, 1);
    gn.finish();
    return g.node('Concat', [x, y], { axis: 1 });
  });
  return weightsAsInputs(declareGlobalNorm(bytes, 2, spec.normGroups), new Set(mine.keys()));
}

/** Turns the named float32 initializers into graph inputs of the same shape. */
function weightsAsInputs(bytes: Uint8Array, names: Set<string>): StageGraph {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const moved = (graph.initializer ?? []).filter((t) => names.has(t.name ?? ''));
  graph.initializer = (graph.initializer ?? []).filter((t) => !names.has(t.name ?? ''));
  graph.input ??= [];
  const inputs = new Map<string, number[]>();
  for (const t of moved) {
    inputs.set(t.name!, (t.dims ?? []).map(Number));
    graph.input.push({
      name: t.name,
      type: {
        tensorType: {
          elemType: 1,
          shape: { dim: (t.dims ?? []).map((v) => ({ dimValue: Number(v) })) },
        },
      },
    });
  }
  return { bytes: onnx.ModelProto.encode(model).finish(), inputs };
}
