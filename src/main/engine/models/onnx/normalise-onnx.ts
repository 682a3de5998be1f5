// An imported `.onnx` rewritten to the engine's feeding contract: float32 graph input `input`,
// output `output`, no name taken by the pair blend's `alpha`, Constant weights as initializers.
import type { onnx as OnnxNamespace } from 'onnx-proto';
import { UpresError } from '../../../../shared/errors';
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
  notes: string[];
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
  const fail = (why: string): never => {
    throw new UpresError('model.refused', `${label}: ${why}`);
  };
  let model: OnnxNamespace.ModelProto;
  try {
    model = decodeOnnx(bytes);
  } catch (err) {
    return fail(`not a valid ONNX model (${(err as Error).message})`);
  }
  const g = model.graph;
  if (!g || !g.node?.length || !g.output?.length || num(model.irVersion) < 3)
    return fail('not a valid ONNX model (no graph with nodes and outputs)');
  assertSelfContained(model, label);
  const notes: string[] = [];

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
  if (constants > 0) notes.push(`${constants} Constant nodes stored as initializers`);
  g.node = nodes;
  g.initializer = initializers;

  const initNames = new Set([
    ...initializers.map((t) => t.name ?? ''),
    ...(g.sparseInitializer ?? []).map((t) => t.values?.name ?? ''),
  ]);
  const inputs = (g.input ?? []).filter((v) => !initNames.has(v.name ?? ''));
  const outputs = g.output;
  if (inputs.length !== 1 || outputs.length !== 1)
    fail(
      `Upres runs models with one image input and one output; this one has ${inputs.length} inputs (${inputs.map((v) => v.name).join(', ')}) and ${outputs.length} outputs`,
    );
  // Initializers listed as inputs (old exporters) are constants here; IR 4 allows leaving them out.
  g.input = inputs;
  if (num(model.irVersion) < 4) model.irVersion = 4;
  const [inp] = inputs;
  const [out] = outputs;
  const origIn = inp.name ?? '';
  const origOut = out.name ?? '';
  if (origIn === origOut) fail('the graph output is its input');
  const io = (v: OnnxNamespace.IValueInfoProto, what: string) => {
    const t = v.type?.tensorType;
    if (!t) return fail(`${what} ${v.name} is not a tensor`);
    if (t.elemType !== FLOAT && t.elemType !== FLOAT16)
      fail(
        `${what} ${v.name} is ${typeName(t.elemType ?? 0)}; only float and float16 models are supported`,
      );
    return t;
  };
  const inType = io(inp, 'input');
  const outType = io(out, 'output');
  const dims = inType.shape?.dim;
  if (!dims) return fail(`input ${origIn} has no declared shape; export it as NCHW (rank 4)`);
  if (dims.length !== 4)
    fail(`input ${origIn} has rank ${dims.length} (${shapeText(dims)}); Upres needs NCHW images`);
  const fixed = (d: OnnxNamespace.TensorShapeProto.IDimension): number | undefined =>
    d.dimValue != null && num(d.dimValue) > 0 ? num(d.dimValue) : undefined;
  if (fixed(dims[2]) !== undefined || fixed(dims[3]) !== undefined)
    fail(
      `fixed-size ONNX models are not supported (input ${origIn} is ${shapeText(dims)}); export it with dynamic axes for height and width`,
    );
  const batch = fixed(dims[0]);
  if (batch !== undefined && batch !== 1) fail(`input ${origIn} has a fixed batch of ${batch}`);
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
    notes.push('float16 input cast from float32');
  } else renameValue(g, inName, GRAPH_INPUT);
  if (outType.elemType === FLOAT16) {
    g.output = [edge(GRAPH_OUTPUT, outType.shape)];
    g.node = [...(g.node ?? []), castNode(outName, GRAPH_OUTPUT, FLOAT)];
    notes.push('float16 output cast to float32');
  } else renameValue(g, outName, GRAPH_OUTPUT);
  if (origIn !== GRAPH_INPUT || origOut !== GRAPH_OUTPUT)
    notes.push(`graph input ${origIn} and output ${origOut} renamed to input / output`);

  const weights = initializers.filter(isFloatTensor);
  const parameters = weights.reduce((n, t) => n + elementCount(tensorDims(t)), 0);
  if (parameters === 0) fail('the graph holds no float weights');
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
