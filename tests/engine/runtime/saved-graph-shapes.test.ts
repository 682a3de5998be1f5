import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../../src/main/engine/models/build-graph';
import { decodeOnnx, encodeOnnx } from '../../../src/main/engine/models/onnx/onnx-proto';
import { dropInputShape } from '../../../src/main/engine/runtime/saved-graph-shapes';
import { randomImage, randomWeights, TINY_RRDB } from '../../helpers/random-models';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-graph-shapes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const graph = buildGraph(TINY_RRDB, randomWeights(TINY_RRDB, 3), { fp16: false });

/** A protobuf field: tag (number, wire type 2), length, payload. */
function lenField(no: number, payload: Uint8Array): Uint8Array {
  const varint = (v: number) => {
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
    return out;
  };
  return Uint8Array.from([...varint(no * 8 + 2), ...varint(payload.length), ...payload]);
}

describe("dropping a saved graph's input shape", () => {
  it('removes exactly the shape of `input`: the decoded model equals the original without it', () => {
    const before = decodeOnnx(graph);
    const input = before.graph!.input!.find((v) => v.name === 'input')!;
    expect(input.type!.tensorType!.shape!.dim!.length).toBe(4);

    const after = decodeOnnx(dropInputShape(graph));
    const stripped = after.graph!.input!.find((v) => v.name === 'input')!;
    expect(stripped.type!.tensorType!.shape ?? null).toBeNull();
    expect(stripped.type!.tensorType!.elemType).toBe(input.type!.tensorType!.elemType);

    // The oracle: the schema's own encoding of the original with that one field cleared.
    input.type!.tensorType!.shape = null;
    expect(Buffer.compare(encodeOnnx(after), encodeOnnx(before))).toBe(0);
  });

  it('keeps fields it does not know byte for byte, and leaves a graph without the input as it is', () => {
    const unknown = lenField(99, Uint8Array.from([1, 2, 3, 4, 5]));
    const withUnknown = Uint8Array.from([...graph, ...unknown]);
    const out = dropInputShape(withUnknown);
    expect(Buffer.compare(out.subarray(out.length - unknown.length), unknown)).toBe(0);
    expect(out.length).toBeLessThan(withUnknown.length);

    const once = dropInputShape(graph);
    expect(dropInputShape(once)).toBe(once);
    expect(dropInputShape(graph, 'no-such-input')).toBe(graph);
  });

  it('throws on bytes that are not a protobuf message', () => {
    expect(() => dropInputShape(Uint8Array.from([0x0a, 0x7f, 1, 2]))).toThrow(/malformed/);
    expect(() => dropInputShape(Uint8Array.from([0x0b]))).toThrow(/malformed/);
  });

  it("onnxruntime's saved optimised graph, its input shape dropped, gives the same bits", async () => {
    const saved = join(dir, 'optimised.onnx');
    const first = await ort.InferenceSession.create(graph, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: saved,
      // onnxruntime warns that an NCHWc graph is for this machine only: so is the cache.
      logSeverityLevel: 3,
    });
    await first.release();
    const bytes = new Uint8Array(await readFile(saved));
    const opts: ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'disabled',
    };
    const plain = await ort.InferenceSession.create(bytes, opts);
    const dropped = await ort.InferenceSession.create(dropInputShape(bytes), opts);
    try {
      for (const [h, w] of [
        [7, 5],
        [12, 16],
      ]) {
        const data = randomImage(3, h, w, h * w);
        const feed = () => ({ input: new ort.Tensor('float32', data.slice(), [1, 3, h, w]) });
        const a = (await plain.run(feed())).output;
        const b = (await dropped.run(feed())).output;
        expect(b.dims).toEqual([1, 3, h * 4, w * 4]);
        expect(
          Buffer.compare(
            Buffer.from((b.data as Float32Array).buffer),
            Buffer.from((a.data as Float32Array).buffer),
          ),
        ).toBe(0);
      }
    } finally {
      await plain.release();
      await dropped.release();
    }
  });
});
