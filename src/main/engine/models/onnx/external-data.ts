// onnxruntime reads a tensor marked as external data from the named file, resolved against the
// process's working directory when the model comes as bytes: a crafted model could read any file
// and return its bytes as pixels. Upres runs self-contained models only, so every tensor field of
// a model is searched, and any external reference refuses the whole model.
import type { onnx as OnnxNamespace } from 'onnx-proto';
import { msg } from '../../../../shared/engine-message';
import { UpresError } from '../../../../shared/errors';
import { refused } from '../refusal';
import { decodeOnnx, encodeOnnx, onnx } from './onnx-proto';

type Graph = OnnxNamespace.IGraphProto;
type Tensor = OnnxNamespace.ITensorProto;
type Sparse = OnnxNamespace.ISparseTensorProto;
type Node = OnnxNamespace.INodeProto;

/** A tensor and where it sits, for the message. */
interface Found {
  tensor: Tensor;
  where: string;
}

function sparseParts(s: Sparse | null | undefined, where: string): Found[] {
  if (!s) return [];
  return [
    ...(s.values ? [{ tensor: s.values, where: `${where} (values)` }] : []),
    ...(s.indices ? [{ tensor: s.indices, where: `${where} (indices)` }] : []),
  ];
}

/**
 * Every tensor a model holds: initializers and sparse initializers of the main graph, of every
 * graph nested in a node attribute (If / Loop / Scan bodies, at any depth) and of training graphs,
 * and every tensor or sparse tensor attribute (Constant's value and sparse_value included) of
 * those graphs' nodes and of the model's functions' nodes. Iterative, so depth cannot overflow.
 */
function everyTensor(model: OnnxNamespace.IModelProto): Found[] {
  const found: Found[] = [];
  const graphs: { g: Graph; where: string }[] = [];
  const nodes: { n: Node; where: string }[] = [];
  if (model.graph) graphs.push({ g: model.graph, where: `graph "${model.graph.name ?? ''}"` });
  for (const [i, t] of (model.trainingInfo ?? []).entries()) {
    if (t.initialization)
      graphs.push({ g: t.initialization, where: `training ${i} initialization` });
    if (t.algorithm) graphs.push({ g: t.algorithm, where: `training ${i} algorithm` });
  }
  for (const f of model.functions ?? [])
    for (const n of f.node ?? []) nodes.push({ n, where: `function "${f.name ?? ''}"` });
  while (graphs.length > 0 || nodes.length > 0) {
    const next = graphs.pop();
    if (next) {
      const { g, where } = next;
      for (const tensor of g.initializer ?? [])
        found.push({ tensor, where: `${where}, initializer` });
      for (const s of g.sparseInitializer ?? [])
        found.push(...sparseParts(s, `${where}, sparse_initializer`));
      for (const n of g.node ?? []) nodes.push({ n, where });
      continue;
    }
    const { n, where: graphWhere } = nodes.pop()!;
    const where = `${graphWhere}, node ${n.name || n.opType || '?'}`;
    for (const a of n.attribute ?? []) {
      const at = `${where} attribute ${a.name ?? '?'}`;
      if (a.t) found.push({ tensor: a.t, where: at });
      for (const tensor of a.tensors ?? []) found.push({ tensor, where: at });
      found.push(...sparseParts(a.sparseTensor, at));
      for (const s of a.sparseTensors ?? []) found.push(...sparseParts(s, at));
      if (a.g) graphs.push({ g: a.g, where: `${at} → graph "${a.g.name ?? ''}"` });
      for (const g of a.graphs ?? []) graphs.push({ g, where: `${at} → graph "${g.name ?? ''}"` });
    }
  }
  return found;
}

function isExternal(t: Tensor): boolean {
  return (
    t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0
  );
}

/**
 * Throws `model.refused`, naming the model file (`label`), the tensor and the file it points at,
 * when any tensor anywhere in the model is stored as external data.
 */
export function assertSelfContained(model: OnnxNamespace.IModelProto, label: string): void {
  for (const { tensor: t, where } of everyTensor(model)) {
    if (!isExternal(t)) continue;
    const location = t.externalData?.find((e) => e.key === 'location')?.value;
    const tensor = t.name || '(unnamed)';
    throw location
      ? refused('modelFiles.onnxExternalData', { file: label, tensor, location, where })
      : refused('modelFiles.onnxExternalDataUnnamed', { file: label, tensor, where });
  }
}

/**
 * A stored model's bytes as onnxruntime may get them: decoded, searched for external data and
 * encoded again, so a field the schema does not know (and so was never searched) is dropped.
 */
export function selfContainedOnnx(bytes: Uint8Array, label: string): Uint8Array {
  let model: OnnxNamespace.ModelProto;
  try {
    model = decodeOnnx(bytes);
  } catch (err) {
    throw new UpresError(
      'model.refused',
      msg('modelFiles.onnxInvalid', { file: label, reason: (err as Error).message }),
      {
        cause: err,
      },
    );
  }
  assertSelfContained(model, label);
  return encodeOnnx(model);
}
