// An imported `.onnx` rewritten to the engine's feeding contract: float32 graph input `input`,
// output `output`, no name taken by the pair blend's `alpha`, Constant weights as initializers.
import type { onnx as OnnxNamespace } from 'onnx-proto';
import {
  msg,
  type EngineMessage,
  type EngineMessageKey,
  type MessageParams,
} from '../../../../shared/engine-message';
import { refused } from '../refusal';
import { elementCount } from '../state-dict';
import { assertSelfContained } from './external-data';
import {
  GRAPH_ALPHA,
  GRAPH_INPUT,
  GRAPH_OUTPUT,
  castNode,
  decodeOnnx,
  encodeOnnx,
  isFloatTensor,
  nameAllocator,
  num,
  onnx,
  renameValue,
  tensorDims,
  typeName,
  valueNames,
} from './onnx-proto';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;

/** A stored graph after import: what the manifest records about it. */
export interface NormalisedOnnx {
  bytes: Uint8Array;
  /** float16 when the model took float16 or keeps every weight in float16. */
  dtype: 'float16' | 'float32';
  /** Elements of the float initializers. */
  parameters: number;
  /** Declared input channels, when fixed. */
  inChannels?: number;
  layout: string;
  notes: EngineMessage[];
}

function shapeText(dims: OnnxNamespace.TensorShapeProto.IDimension[]): string {
  return dims
    .map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? num(d.dimValue) : '?'))
    .join('×');
}

/**
 * Checks that a model is one Upres can run (one NCHW float image in, one out, dynamic height and
 * width, weights inside the file) and rewrites it to the engine's contract. Throws messages that
 * start with `label`.
 */
export function normaliseOnnx(bytes: Uint8Array, label: string): NormalisedOnnx {
  const fail = (key: EngineMessageKey, params?: MessageParams): never => {
    throw refused(key, { file: label, ...params });
  };
  let model: OnnxNamespace.ModelProto;
  try {
    model = decodeOnnx(bytes);
  } catch (err) {
    // The protobuf decoder's reason (offsets, wire types) is quoted as it is.
    return fail('modelFiles.onnxInvalid', { reason: (err as Error).message });
  }
  const g = model.graph;
  if (!g || !g.node?.length || !g.output?.length || num(model.irVersion) < 3)
    return fail('modelFiles.onnxNoGraph');
  assertSelfContained(model, label);
  const notes: EngineMessage[] = [];

  // Weights exported as Constant nodes become initializers, so they count and can be blended.
  // (Decoded repeated fields may be shared frozen arrays: they are replaced, never pushed to.)
  const initializers = [...(g.initializer ?? [])];
  const nodes = g.node.filter((n) => {
    const [a, ...more] = n.attribute ?? [];
    const isFloatConstant =
      n.opType === 'Constant' &&
      !n.domain &&
      more.length === 0 &&
      a?.name === 'value' &&
      !!a.t &&
      isFloatTensor(a.t) &&
      n.output?.length === 1;
    if (isFloatConstant) initializers.push(onnx.TensorProto.create({ ...a.t, name: n.output![0] }));
    return !isFloatConstant;
  });
  const constants = g.node.length - nodes.length;
  if (constants > 0) notes.push(msg('modelFiles.noteOnnxConstants', { count: constants }));
  g.node = nodes;
  g.initializer = initializers;

  const initNames = new Set([
    ...initializers.map((t) => t.name ?? ''),
    ...(g.sparseInitializer ?? []).map((t) => t.values?.name ?? ''),
  ]);
  const inputs = (g.input ?? []).filter((v) => !initNames.has(v.name ?? ''));
  const outputs = g.output;
  if (inputs.length !== 1 || outputs.length !== 1)
    fail('modelFiles.onnxInputsOutputs', {
      inputs: inputs.length,
      names: inputs.map((v) => v.name).join(', '),
      outputs: outputs.length,
    });
  // Initializers listed as inputs (old exporters) are constants here; IR 4 allows leaving them out.
  g.input = inputs;
  if (num(model.irVersion) < 4) model.irVersion = 4;
  const [inp] = inputs;
  const [out] = outputs;
  const origIn = inp.name ?? '';
  const origOut = out.name ?? '';
  if (origIn === origOut) fail('modelFiles.onnxOutputIsInput');
  const io = (v: OnnxNamespace.IValueInfoProto, edge: 'input' | 'output') => {
    const t = v.type?.tensorType;
    if (!t) return fail('modelFiles.onnxEdgeNotTensor', { edge, name: v.name ?? '' });
    if (t.elemType !== FLOAT && t.elemType !== FLOAT16)
      fail('modelFiles.onnxEdgeType', {
        edge,
        name: v.name ?? '',
        type: typeName(t.elemType ?? 0),
      });
    return t;
  };
  const inType = io(inp, 'input');
  const outType = io(out, 'output');
  const dims = inType.shape?.dim;
  if (!dims) return fail('modelFiles.onnxNoShape', { name: origIn });
  if (dims.length !== 4)
    fail('modelFiles.onnxRank', { name: origIn, rank: dims.length, shape: shapeText(dims) });
  const fixed = (d: OnnxNamespace.TensorShapeProto.IDimension): number | undefined =>
    d.dimValue != null && num(d.dimValue) > 0 ? num(d.dimValue) : undefined;
  if (fixed(dims[2]) !== undefined || fixed(dims[3]) !== undefined)
    fail('modelFiles.onnxFixedSize', { name: origIn, shape: shapeText(dims) });
  const batch = fixed(dims[0]);
  if (batch !== undefined && batch !== 1)
    fail('modelFiles.onnxFixedBatch', { name: origIn, batch: String(batch) });
  const inChannels = fixed(dims[1]);

  // Free the names the engine feeds and reads, then rename (or cast) the image input and output.
  const fresh = nameAllocator(g);
  const keep = (name: string): boolean =>
    (name === GRAPH_INPUT && origIn === name && inType.elemType === FLOAT) ||
    (name === GRAPH_OUTPUT && origOut === name && outType.elemType === FLOAT);
  let inName = origIn;
  let outName = origOut;
  for (const reserved of [GRAPH_INPUT, GRAPH_OUTPUT, GRAPH_ALPHA]) {
    if (!valueNames(g).has(reserved) || keep(reserved)) continue;
    const moved = fresh(`${reserved}_renamed`);
    renameValue(g, reserved, moved);
    if (inName === reserved) inName = moved;
    if (outName === reserved) outName = moved;
  }
  const edge = (name: string, shape: OnnxNamespace.ITensorShapeProto | null | undefined) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: FLOAT, shape } } });
  if (inType.elemType === FLOAT16) {
    g.input = [edge(GRAPH_INPUT, inType.shape)];
    g.node = [castNode(GRAPH_INPUT, inName, FLOAT16), ...(g.node ?? [])];
    notes.push(msg('modelFiles.noteOnnxInputCast'));
  } else renameValue(g, inName, GRAPH_INPUT);
  if (outType.elemType === FLOAT16) {
    g.output = [edge(GRAPH_OUTPUT, outType.shape)];
    g.node = [...(g.node ?? []), castNode(outName, GRAPH_OUTPUT, FLOAT)];
    notes.push(msg('modelFiles.noteOnnxOutputCast'));
  } else renameValue(g, outName, GRAPH_OUTPUT);
  if (origIn !== GRAPH_INPUT || origOut !== GRAPH_OUTPUT)
    notes.push(msg('modelFiles.noteOnnxRenamed', { input: origIn, output: origOut }));

  const weights = initializers.filter(isFloatTensor);
  const parameters = weights.reduce((n, t) => n + elementCount(tensorDims(t)), 0);
  if (parameters === 0) fail('modelFiles.onnxNoWeights');
  // Half precision when it takes float16 or most weights are float16 (an fp16 export with
  // float32 edges, or a few float32 constants beside float16 weights).
  const halfWeights = weights
    .filter((t) => t.dataType === FLOAT16)
    .reduce((n, t) => n + elementCount(tensorDims(t)), 0);
  const half = inType.elemType === FLOAT16 || halfWeights > parameters / 2;
  const opset = model.opsetImport.find((o) => !o.domain)?.version;
  const producer = [model.producerName, model.producerVersion].filter(Boolean).join(' ');
  return {
    bytes: encodeOnnx(model),
    dtype: half ? 'float16' : 'float32',
    parameters,
    inChannels,
    layout: `ONNX graph (${[`opset ${num(opset)}`, producer].filter(Boolean).join(', ')}), run as-is`,
    notes,
  };
}
