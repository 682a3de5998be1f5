// Network interpolation for two imported ONNX models of one graph: the same surgery
// onnx-graph-builder's `blendTowards` does for Upres's own graphs, done on the fidelity model's file.
import type { onnx as OnnxNamespace } from 'onnx-proto';
import {
  GRAPH_ALPHA,
  castNode,
  decodeOnnx,
  encodeOnnx,
  floatTensor,
  floatValues,
  isFloatTensor,
  nameAllocator,
  onnx,
  tensorDims,
  typeName,
  type TensorProto,
} from './onnx-proto';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
const INT64 = onnx.TensorProto.DataType.INT64;

const dims = (d: number[]): string => `[${d.join('×')}]`;
const list = (v: string[]): string => v.map((x) => x || '∅').join(', ');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function attributeDifference(
  x: OnnxNamespace.INodeProto,
  y: OnnxNamespace.INodeProto,
): string | undefined {
  const ax = new Map((x.attribute ?? []).map((a) => [a.name ?? '', a]));
  const ay = new Map((y.attribute ?? []).map((a) => [a.name ?? '', a]));
  for (const name of [...new Set([...ax.keys(), ...ay.keys()])].sort()) {
    const a = ax.get(name);
    const b = ay.get(name);
    if (!a || !b) return `attribute ${name} is set in only one of them`;
    const ea = onnx.AttributeProto.encode(a).finish();
    const eb = onnx.AttributeProto.encode(b).finish();
    if (!sameBytes(ea, eb)) return `attribute ${name} differs`;
  }
  return undefined;
}

export interface OnnxEnd {
  id: string;
  /** The stored (normalised) graph. */
  onnx: Uint8Array;
}

/**
 * The first difference between two stored graphs that keeps them from being interpolated (nodes:
 * op types, inputs, outputs, attributes; float initializers: names, types and shapes; other
 * initializers: values), or undefined when they are the same network.
 */
export function onnxGraphDifference(a: OnnxEnd, b: OnnxEnd): string | undefined {
  const ga = decodeOnnx(a.onnx).graph;
  const gb = decodeOnnx(b.onnx).graph;
  if (!ga || !gb) return 'a graph is missing';
  const [na, nb] = [ga.node ?? [], gb.node ?? []];
  for (let i = 0; i < Math.min(na.length, nb.length); i++) {
    const x = na[i];
    const y = nb[i];
    const at = `node ${i} (${x.name || x.opType})`;
    const op = (n: OnnxNamespace.INodeProto): string => (n.domain ? `${n.domain}.` : '') + n.opType;
    if (op(x) !== op(y)) return `${at} is ${op(x)} in ${a.id} but ${op(y)} in ${b.id}`;
    for (const side of ['input', 'output'] as const) {
      const [vx, vy] = [x[side] ?? [], y[side] ?? []];
      if (JSON.stringify(vx) !== JSON.stringify(vy))
        return `${at} ${side}s are ${list(vx)} in ${a.id} but ${list(vy)} in ${b.id}`;
    }
    const attr = attributeDifference(x, y);
    if (attr) return `${at}: ${attr}`;
  }
  if (na.length !== nb.length) return `${a.id} has ${na.length} nodes but ${b.id} has ${nb.length}`;
  const rest = new Map((gb.initializer ?? []).map((t) => [t.name ?? '', t]));
  for (const t of ga.initializer ?? []) {
    const name = t.name ?? '';
    const u = rest.get(name);
    if (!u) return `initializer ${t.name} exists only in ${a.id}`;
    rest.delete(name);
    if (t.dataType !== u.dataType)
      return `initializer ${t.name} is ${typeName(t.dataType ?? 0)} in ${a.id} but ${typeName(u.dataType ?? 0)} in ${b.id}`;
    const [da, db] = [tensorDims(t), tensorDims(u)];
    if (dims(da) !== dims(db))
      return `initializer ${t.name} is ${dims(da)} in ${a.id} but ${dims(db)} in ${b.id}`;
    if (
      !isFloatTensor(t) &&
      !sameBytes(onnx.TensorProto.encode(t).finish(), onnx.TensorProto.encode(u).finish())
    )
      return `initializer ${t.name} (${typeName(t.dataType ?? 0)}) holds different values in ${a.id} and ${b.id}`;
  }
  const extra = [...rest.keys()][0];
  return extra === undefined ? undefined : `initializer ${extra} exists only in ${b.id}`;
}

interface Changed {
  tensor: TensorProto;
  f: Float32Array;
  p: Float32Array;
}

/** The fidelity model and its float initializers whose values differ in the perceptual one. */
function differingWeights(
  fidelity: Uint8Array,
  perceptual: Uint8Array,
): { model: OnnxNamespace.ModelProto; graph: OnnxNamespace.IGraphProto; changed: Changed[] } {
  const model = decodeOnnx(fidelity);
  const graph = model.graph;
  const other = decodeOnnx(perceptual).graph;
  if (!graph || !other) throw new Error('blend: a graph is missing');
  const partner = new Map((other.initializer ?? []).map((t) => [t.name, t]));
  const changed: Changed[] = [];
  // Replaced, not pushed to: a decoded repeated field may be a shared frozen array.
  graph.initializer = [...(graph.initializer ?? [])];
  for (const tensor of graph.initializer) {
    if (!isFloatTensor(tensor)) continue;
    const u = partner.get(tensor.name);
    const f = floatValues(tensor);
    const p = u && u.dataType === tensor.dataType ? floatValues(u) : undefined;
    if (!p || p.length !== f.length)
      throw new Error(`blend partner lacks a matching ${tensor.name}`);
    if (f.some((v, i) => v !== p[i])) changed.push({ tensor, f, p });
  }
  return { model, graph, changed };
}

/**
 * The fidelity graph with every float initializer W that differs replaced by `W.fidelity` and
 * `W.delta` and nodes Add(W.fidelity, Mul(W.delta, α)) → W ahead of all others, α being the
 * float32 [1] graph input `alpha` (cast to float16 for float16 weights, reshaped to a scalar for
 * scalar weights): θ_f + α·(θ_p − θ_f), so one session serves every α.
 */
export function onnxBlendGraph(fidelity: Uint8Array, perceptual: Uint8Array): Uint8Array {
  const { model, graph, changed } = differingWeights(fidelity, perceptual);
  const fresh = nameAllocator(graph);
  const nodes: OnnxNamespace.NodeProto[] = [];
  const initializers = [...(graph.initializer ?? [])];
  const alphas = new Map<string, string>();
  const alphaFor = (dataType: number, scalar: boolean): string => {
    const key = `${dataType}/${scalar}`;
    let name = alphas.get(key);
    if (name) return name;
    if (scalar) {
      const shape = fresh(`${GRAPH_ALPHA}.scalar_shape`);
      initializers.push(onnx.TensorProto.create({ name: shape, dims: [0], dataType: INT64 }));
      name = fresh(`${GRAPH_ALPHA}.scalar${dataType === FLOAT16 ? '.fp16' : ''}`);
      nodes.push(
        onnx.NodeProto.create({
          opType: 'Reshape',
          input: [alphaFor(dataType, false), shape],
          output: [name],
          name,
        }),
      );
    } else if (dataType === FLOAT16) {
      name = fresh(`${GRAPH_ALPHA}.fp16`);
      nodes.push(castNode(GRAPH_ALPHA, name, FLOAT16));
    } else name = GRAPH_ALPHA;
    alphas.set(key, name);
    return name;
  };
  const blended = new Set<string>();
  for (const { tensor, f, p } of changed) {
    const w = tensor.name ?? '';
    const dataType = tensor.dataType ?? FLOAT;
    const shape = tensorDims(tensor);
    const delta = new Float32Array(f.length);
    for (let i = 0; i < f.length; i++) delta[i] = p[i] - f[i];
    const fid = fresh(`${w}.fidelity`);
    tensor.name = fid;
    const d = fresh(`${w}.delta`);
    initializers.push(floatTensor(d, shape, dataType, delta));
    const scaled = fresh(`${w}.delta_alpha`);
    const a = alphaFor(dataType, shape.length === 0);
    nodes.push(
      onnx.NodeProto.create({ opType: 'Mul', input: [d, a], output: [scaled], name: scaled }),
      onnx.NodeProto.create({ opType: 'Add', input: [fid, scaled], output: [w], name: w }),
    );
    blended.add(w);
  }
  graph.initializer = initializers;
  graph.node = [...nodes, ...(graph.node ?? [])];
  graph.input = [
    ...(graph.input ?? []).filter((v) => !blended.has(v.name ?? '')),
    onnx.ValueInfoProto.create({
      name: GRAPH_ALPHA,
      type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 1 }] } } },
    }),
  ];
  return encodeOnnx(model);
}

/** The fidelity graph with its differing weights set to (1 − α)·θ_f + α·θ_p as constants. */
export function onnxFixedBlendGraph(
  fidelity: Uint8Array,
  perceptual: Uint8Array,
  alpha: number,
): Uint8Array {
  const { model, graph, changed } = differingWeights(fidelity, perceptual);
  for (const { tensor, f, p } of changed) {
    const values = f.map((v, i) => (1 - alpha) * v + alpha * p[i]);
    const all = graph.initializer ?? [];
    all[all.indexOf(tensor)] = floatTensor(
      tensor.name ?? '',
      tensorDims(tensor),
      tensor.dataType ?? FLOAT,
      values,
    );
  }
  return encodeOnnx(model);
}
