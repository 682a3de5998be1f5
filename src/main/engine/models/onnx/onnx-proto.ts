// The ONNX protobuf schema (onnx-proto) and the small helpers every ONNX module here shares:
// decoding, tensor values, value names and renames across nested graphs.
import { createRequire } from 'node:module';
import type { onnx as OnnxNamespace } from 'onnx-proto';
import { fromFloat16Bytes, fromFloat32Bytes, toFloat16Bytes } from '../float16';

// onnx-proto is CommonJS whose namespace Node's ESM loader cannot see as a named export.
export const { onnx } = createRequire(import.meta.url)('onnx-proto') as {
  onnx: typeof OnnxNamespace;
};
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

/** Decodes a model (fields the schema does not know are dropped). */
export function decodeOnnx(bytes: Uint8Array): OnnxNamespace.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** Encodes a model. */
export function encodeOnnx(model: OnnxNamespace.ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** A tensor element type's name, e.g. `float16`. */
export function typeName(dataType: number): string {
  return (DT[dataType] as string | undefined)?.toLowerCase() ?? `type ${dataType}`;
}

/** Whether a tensor holds float32 or float16 values. */
export function isFloatTensor(t: TensorProto): boolean {
  return t.dataType === FLOAT || t.dataType === FLOAT16;
}

/** A tensor's dimensions as numbers. */
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

/** A Cast node from `input` to `output` in element type `to`. */
export function castNode(input: string, output: string, to: number): OnnxNamespace.NodeProto {
  return onnx.NodeProto.create({
    opType: 'Cast',
    input: [input],
    output: [output],
    name: output,
    attribute: [{ name: 'to', type: AT.INT, i: to }],
  });
}
