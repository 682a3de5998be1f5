// Worker thread that owns one onnxruntime session: `run` blocks its thread, so it never runs on the caller's.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { WorkerRequest, WorkerResponse } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('inference-worker must run in a worker thread');

// Failures reach the caller as exceptions and a GPU provider that fails to load is reported with
// its reason, so onnxruntime's own prints stay off the user's terminal unless UPRES_DEBUG is set.
ort.env.logLevel = process.env.UPRES_DEBUG ? 'verbose' : 'fatal';

let session: ort.InferenceSession | undefined;

async function handle(msg: WorkerRequest): Promise<WorkerResponse> {
  switch (msg.type) {
    case 'load': {
      await session?.release();
      session = await ort.InferenceSession.create(msg.model, {
        executionProviders: [msg.device],
        graphOptimizationLevel: 'all',
        ...(msg.threads ? { intraOpNumThreads: msg.threads } : {}),
      });
      return { id: msg.id, ok: true };
    }
    case 'run': {
      if (!session) throw new Error('no model loaded');
      const feeds: Record<string, ort.Tensor> = {
        input: new ort.Tensor('float32', msg.data, msg.dims),
      };
      if (msg.alpha !== undefined)
        feeds.alpha = new ort.Tensor('float32', Float32Array.of(msg.alpha), [1]);
      const out = (await session.run(feeds)).output;
      return { id: msg.id, ok: true, data: out.data as Float32Array, dims: [...out.dims] };
    }
    case 'dispose':
      await session?.release();
      session = undefined;
      return { id: msg.id, ok: true };
  }
}

port.on('message', (msg: WorkerRequest) => {
  handle(msg).then(
    (res) => port.postMessage(res, res.ok && res.data ? [res.data.buffer as ArrayBuffer] : []),
    (err: unknown) =>
      port.postMessage({
        id: msg.id,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
      }),
  );
});
