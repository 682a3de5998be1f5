// Plain `.onnx` models run as-is: validation, normalisation to the engine's feeding contract
// (float32 graph input `input`, output `output`, no name taken by the pair blend's `alpha`) and
// measuring channels and scale by running the graph once.
import { createRequire } from 'node:module';
import type { onnx as OnnxNamespace } from 'onnx-proto';
import type { OnnxSpec } from '../../../shared/architecture';
import { elementCount } from './architecture-tensors';
import { fromFloat16Bytes, fromFloat32Bytes, toFloat16Bytes } from './float16';
import { InferenceSession } from '../runtime/inference-session';

// onnx-proto is CommonJS whose namespace Node's ESM loader cannot see as a named export.
export const { onnx } = createRequire(import.meta.url)('onnx-proto') as {
  onnx: typeof OnnxNamespace;
};
export type Onnx = typeof OnnxNamespace;
export type GraphProto = OnnxNamespace.GraphProto;
export type TensorProto = OnnxNamespace.ITensorProto;

const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;
const FLOAT = DT.FLOAT;
const FLOAT16 = DT.FLOAT16;

/** The value names the engine's worker feeds and reads (see runtime/inference-worker.ts). */
export const GRAPH_INPUT = 'input';
export const GRAPH_OUTPUT = 'output';
export const GRAPH_ALPHA = 'alpha';

/** int64 fields decode as Long objects. */
export function num(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

export function decodeOnnx(bytes: Uint8Array): OnnxNamespace.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encodeOnnx(model: OnnxNamespace.ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export function typeName(dataType: number): string {
  return (DT[dataType] as string | undefined)?.toLowerCase() ?? `type ${dataType}`;
}

export function isFloatTensor(t: TensorProto): boolean {
  return t.dataType === FLOAT || t.dataType === FLOAT16;
}

export function tensorDims(t: TensorProto): number[] {
  return (t.dims ?? []).map(num);
}

/** The values of a float32 or float16 tensor, widened to fp32. */
export function floatValues(t: TensorProto): Float32Array {
  const raw = t.rawData;
  if (t.dataType === FLOAT) {
    return raw && raw.length > 0 ? fromFloat32Bytes(raw) : Float32Array.from(t.floatData ?? []);
  }
  if (t.dataType === FLOAT16) {
    if (raw && raw.length > 0) return fromFloat16Bytes(raw);
    // Without raw data, float16 values are stored as their bits in int32_data.
    const words = t.int32Data ?? [];
    const bits = new Uint8Array(words.length * 2);
    words.forEach((b, i) => {
      bits[2 * i] = b & 0xff;
      bits[2 * i + 1] = (b >> 8) & 0xff;
    });
    return fromFloat16Bytes(bits);
  }
  throw new Error(`tensor ${t.name} is ${typeName(t.dataType ?? 0)}, not float`);
}

/** A float tensor in `dataType` (FLOAT or FLOAT16) holding `values`, as raw data. */
export function floatTensor(
  name: string,
  dims: number[],
  dataType: number,
  values: Float32Array,
): TensorProto {
  const rawData =
    dataType === FLOAT16
      ? toFloat16Bytes(values)
      : new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
  return onnx.TensorProto.create({ name, dims, dataType, rawData });
}

/** Every graph nested in a graph's node attributes (If / Loop / Scan bodies), recursively. */
function subgraphs(g: OnnxNamespace.IGraphProto): OnnxNamespace.IGraphProto[] {
  const out: OnnxNamespace.IGraphProto[] = [];
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) {
      for (const s of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) out.push(s, ...subgraphs(s));
    }
  }
  return out;
}

/** Every tensor stored in a graph: initializers and node attributes, subgraphs included. */
function storedTensors(g: OnnxNamespace.IGraphProto): OnnxNamespace.ITensorProto[] {
  const out: OnnxNamespace.ITensorProto[] = [];
  for (const s of [g, ...subgraphs(g)]) {
    out.push(...(s.initializer ?? []));
    for (const n of s.node ?? [])
      for (const a of n.attribute ?? []) out.push(...(a.t ? [a.t] : []), ...(a.tensors ?? []));
  }
  return out;
}

/** Every value name a graph uses (nested graphs included). */
export function valueNames(g: OnnxNamespace.IGraphProto): Set<string> {
  const names = new Set<string>();
  for (const s of [g, ...subgraphs(g)]) {
    for (const n of s.node ?? [])
      for (const v of [...(n.input ?? []), ...(n.output ?? [])]) names.add(v);
    for (const v of [...(s.input ?? []), ...(s.output ?? []), ...(s.valueInfo ?? [])])
      if (v.name) names.add(v.name);
    for (const t of s.initializer ?? []) if (t.name) names.add(t.name);
  }
  names.delete('');
  return names;
}

/** Renames a value everywhere it appears (ONNX names are unique across nested scopes). */
export function renameValue(g: OnnxNamespace.IGraphProto, from: string, to: string): void {
  if (from === to) return;
  const r = (v: string): string => (v === from ? to : v);
  for (const s of [g, ...subgraphs(g)]) {
    for (const n of s.node ?? []) {
      n.input = (n.input ?? []).map(r);
      n.output = (n.output ?? []).map(r);
    }
    for (const v of [...(s.input ?? []), ...(s.output ?? []), ...(s.valueInfo ?? [])])
      if (v.name === from) v.name = to;
    for (const t of s.initializer ?? []) if (t.name === from) t.name = to;
  }
}

/** Hands out names not used in a graph yet. */
export function nameAllocator(g: OnnxNamespace.IGraphProto): (base: string) => string {
  const used = valueNames(g);
  return (base) => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}

export function castNode(input: string, output: string, to: number): OnnxNamespace.NodeProto {
  return onnx.NodeProto.create({
    opType: 'Cast',
    input: [input],
    output: [output],
    name: output,
    attribute: [{ name: 'to', type: AT.INT, i: to }],
  });
}

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
    throw new Error(`${label}: ${why}`);
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
  for (const t of storedTensors(g)) {
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || t.externalData?.length)
      fail(
        `tensor ${t.name} is stored in an external data file; only self-contained .onnx files are supported (save the model with all weights inside it)`,
      );
  }
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

/** Output size per input size of a run, or why it does not fit an upscaler. */
function measuredScale(inDims: number[], outDims: number[]): number | string {
  if (outDims.length !== 4 || outDims[0] !== 1)
    return `its output is ${outDims.join('×')} for a ${inDims.join('×')} input, not one NCHW image`;
  const sh = outDims[2] / inDims[2];
  const sw = outDims[3] / inDims[3];
  if (!Number.isInteger(sh) || sh < 1 || sh !== sw)
    return `it turns a ${inDims[2]}×${inDims[3]} input into ${outDims[2]}×${outDims[3]}; Upres needs the same whole scale (1 or more) on both axes`;
  return sh;
}

const PROBE = { h: 16, w: 24 };

/**
 * Runs a normalised graph once on a small image to measure its output channels and scale, and the
 * input multiple it needs (a graph that pixel-unshuffles runs only on even or multiple-of-4 sides).
 */
export async function probeOnnx(
  bytes: Uint8Array,
  label: string,
  inChannels = 3,
): Promise<OnnxSpec> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, 'cpu', 1);
  } catch (err) {
    throw new Error(`${label}: onnxruntime cannot load it (${firstLine(err)})`, { cause: err });
  }
  try {
    const run = (h: number, w: number) => {
      const data = new Float32Array(inChannels * h * w).fill(0.5);
      return session.run({ data, dims: [1, inChannels, h, w] });
    };
    let first;
    try {
      first = await run(PROBE.h, PROBE.w);
    } catch (err) {
      throw new Error(
        `${label}: running it on a ${inChannels}×${PROBE.h}×${PROBE.w} image failed (${firstLine(err)})`,
        { cause: err },
      );
    }
    const scale = measuredScale([1, inChannels, PROBE.h, PROBE.w], first.dims);
    if (typeof scale === 'string') throw new Error(`${label}: ${scale}`);
    const outChannels = first.dims[1];
    if (outChannels !== 3)
      throw new Error(`${label}: it outputs ${outChannels} channels; Upres needs RGB (3)`);
    if (scale > 16) throw new Error(`${label}: scale ×${scale} is beyond Upres's ×16`);
    // The smallest side multiple it runs at: 17 (any), 18 (even), 20 (×4), 24 (×8).
    let inputMultiple: number | undefined;
    for (const m of [1, 2, 4, 8]) {
      const side = m === 8 ? 24 : 16 + m;
      const ok = await run(side, side).then(
        (r) => measuredScale([1, inChannels, side, side], r.dims) === scale,
        () => false,
      );
      if (ok) {
        inputMultiple = m;
        break;
      }
    }
    if (inputMultiple === undefined)
      throw new Error(
        `${label}: it runs on a ${PROBE.h}×${PROBE.w} image but not on other sizes; Upres needs a model that takes any image size`,
      );
    return {
      kind: 'onnx',
      inChannels,
      outChannels,
      scale,
      ...(inputMultiple > 1 ? { inputMultiple } : {}),
    };
  } finally {
    await session.dispose();
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

export interface ImportedOnnx extends NormalisedOnnx {
  spec: OnnxSpec;
}

/** Validates, normalises and measures an `.onnx` file's bytes. */
export async function readOnnxModel(bytes: Uint8Array, label: string): Promise<ImportedOnnx> {
  const n = normaliseOnnx(bytes, label);
  if (n.inChannels !== undefined && n.inChannels !== 3)
    throw new Error(`${label}: it takes ${n.inChannels} channels; Upres needs RGB (3)`);
  const spec = await probeOnnx(n.bytes, label);
  const notes = [...n.notes];
  if (spec.inputMultiple)
    notes.push(`input sides must be multiples of ${spec.inputMultiple}; tiles are padded to it`);
  return { ...n, spec, notes };
}
