// A model must never make onnxruntime read a file: a tensor stored as external data is read from
// the named path (relative to the working directory when the model comes as bytes) and its bytes
// end up in the output pixels. Crafted models put such a tensor in every place the ONNX schema
// allows one; each must be refused, naming the model file and the file it points at, at import and
// again when a stored model is loaded.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { onnx as OnnxNamespace } from 'onnx-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpresError } from '../../../src/shared/errors';
import { buildGraph } from '../../../src/main/engine/models/build-graph';
import { importModel } from '../../../src/main/engine/models/import-model';
import { ModelRegistry, shippedModelsDir } from '../../../src/main/engine/models/model-registry';
import { loadModel } from '../../../src/main/engine/runtime/loaded-model';
import { TINY_SRVGG, randomWeights } from '../../helpers/random-models';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNamespace };
const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

/** The file the crafted tensors point at: present in the working directory tests run from. */
const TARGET = 'package.json';

let user: string;
let files: string;
let registry: ModelRegistry;

beforeEach(async () => {
  user = mkdtempSync(join(tmpdir(), 'upres-extdata-user-'));
  files = mkdtempSync(join(tmpdir(), 'upres-extdata-files-'));
  registry = await ModelRegistry.open({ shipped: shippedModelsDir(), user });
});
afterEach(() => {
  rmSync(user, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

/** A uint8 tensor whose 64 values onnxruntime would read from TARGET. */
function externalTensor(name: string, dataType: number = DT.UINT8): OnnxNamespace.ITensorProto {
  return {
    name,
    dims: [64],
    dataType,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: TARGET },
      { key: 'offset', value: '0' },
      { key: 'length', value: '64' },
    ],
  };
}

/** A Constant node whose `value` is the external tensor. */
function externalConstant(output: string): OnnxNamespace.INodeProto {
  return {
    opType: 'Constant',
    output: [output],
    name: output,
    attribute: [{ name: 'value', type: AT.TENSOR, t: externalTensor(`${output}_value`) }],
  };
}

/** A Loop running `body` once, its output unused (the session would still load the body). */
function loop(body: OnnxNamespace.IGraphProto, output: string): OnnxNamespace.INodeProto {
  return {
    opType: 'Loop',
    input: ['', ''],
    output: [output],
    name: output,
    attribute: [{ name: 'body', type: AT.GRAPH, g: body }],
  };
}

function loopBody(inner: OnnxNamespace.INodeProto[], out: string): OnnxNamespace.IGraphProto {
  const scalar = (name: string, elemType: number): OnnxNamespace.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: [] } } },
  });
  return {
    name: `${out}_body`,
    node: [...inner, { opType: 'Identity', input: [`${out}_cond_in`], output: [`${out}_cond`] }],
    input: [scalar(`${out}_i`, DT.INT64), scalar(`${out}_cond_in`, DT.BOOL)],
    output: [scalar(`${out}_cond`, DT.BOOL), scalar(`${out}_leak`, DT.UINT8)],
  };
}

/** A real, importable model (a tiny SRVGG graph) with `change` applied to it. */
function crafted(change: (m: OnnxNamespace.ModelProto) => void): Uint8Array {
  const m = onnx.ModelProto.decode(buildGraph(TINY_SRVGG, randomWeights(TINY_SRVGG, 3)));
  change(m);
  return onnx.ModelProto.encode(m).finish();
}

const graphOf = (m: OnnxNamespace.ModelProto) => m.graph!;
const addNodes = (m: OnnxNamespace.ModelProto, ...n: OnnxNamespace.INodeProto[]) => {
  graphOf(m).node = [...(graphOf(m).node ?? []), ...n];
};

const CASES: [string, Uint8Array][] = [
  [
    'sparse-initializer.onnx',
    crafted((m) => {
      graphOf(m).sparseInitializer = [
        {
          values: externalTensor('leak'),
          indices: {
            name: 'leak_indices',
            dims: [64],
            dataType: DT.INT64,
            int64Data: [...Array(64).keys()],
          },
          dims: [64],
        },
      ];
    }),
  ],
  [
    'sparse-indices.onnx',
    crafted((m) => {
      graphOf(m).sparseInitializer = [
        {
          values: { name: 'leak', dims: [1], dataType: DT.UINT8, rawData: Uint8Array.of(1) },
          indices: externalTensor('leak_indices', DT.INT64),
          dims: [64],
        },
      ];
    }),
  ],
  ['constant-node.onnx', crafted((m) => addNodes(m, externalConstant('leak')))],
  [
    'loop-body.onnx',
    crafted((m) =>
      addNodes(m, loop(loopBody([externalConstant('leak_leak')], 'leak'), 'leak_out')),
    ),
  ],
  [
    'nested-loop.onnx',
    crafted((m) => {
      const inner = loop(loopBody([externalConstant('deep_leak')], 'deep'), 'deep_out');
      addNodes(m, loop(loopBody([inner], 'outer'), 'outer_out'));
    }),
  ],
  [
    'tensors-attribute.onnx',
    crafted((m) =>
      addNodes(m, {
        opType: 'Identity',
        input: ['input'],
        output: ['unused'],
        attribute: [{ name: 'x', type: AT.TENSORS, tensors: [externalTensor('leak')] }],
      }),
    ),
  ],
  [
    'sparse-constant.onnx',
    crafted((m) =>
      addNodes(m, {
        opType: 'Constant',
        output: ['leak'],
        attribute: [
          {
            name: 'sparse_value',
            type: AT.SPARSE_TENSOR,
            sparseTensor: {
              values: externalTensor('leak_values'),
              indices: { name: 'i', dims: [1], dataType: DT.INT64, int64Data: [0] },
              dims: [64],
            },
          },
        ],
      }),
    ),
  ],
  [
    'function-node.onnx',
    crafted((m) => {
      m.functions = [
        { name: 'Leak', domain: 'x', input: [], output: ['o'], node: [externalConstant('o')] },
      ];
    }),
  ],
];

async function refusal(p: Promise<unknown>): Promise<UpresError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpresError);
  return err as UpresError;
}

describe('ONNX models with external data', () => {
  it.each(CASES)(
    '%s is refused at import, naming the file, writing nothing',
    async (name, bytes) => {
      const path = join(files, name);
      writeFileSync(path, bytes);
      const err = await refusal(importModel(registry, path));
      expect(err.code).toBe('model.refused');
      expect(err.message.startsWith(`${name}: tensor `)).toBe(true);
      expect(err.message).toContain(`is stored in an external data file ("${TARGET}"`);
      expect(readdirSync(user)).toEqual([]);
    },
  );

  it('refuses a stored model with external data when it is loaded', async () => {
    // As if written by an older Upres, or by hand: a valid manifest and sha256, a bad graph.
    const [[name, bytes]] = CASES;
    const id = 'stored-leak';
    writeFileSync(join(user, `${id}.onnx`), bytes);
    const manifest = {
      id,
      name,
      architecture: { kind: 'onnx', inChannels: 3, outChannels: 3, scale: 4 },
      role: 'general',
      weights: {
        file: `${id}.onnx`,
        dtype: 'float32',
        parameters: 1,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
      provenance: {
        source: 'test',
        sourceFiles: [],
        licence: 'test',
        credit: 'test',
        convertedWith: 'test',
      },
    };
    writeFileSync(join(user, `${id}.json`), JSON.stringify(manifest));
    await registry.refresh();
    const err = await refusal(loadModel(registry, id, { device: 'cpu' }));
    expect(err.code).toBe('model.refused');
    expect(err.message).toContain(
      `${id}.onnx: tensor leak is stored in an external data file ("${TARGET}"`,
    );
  });
});
