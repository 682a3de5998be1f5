// Owns one onnxruntime session, in a child process (the default: it can be killed mid-run, which is
// how a pause or cancel stops a tile at once) or a worker thread. `run` blocks its thread, so it
// never runs on the caller's.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { FaultInjection, WorkerRequest, WorkerResponse } from './worker-protocol';

/** The channel to the session's owner: a worker thread's port, Node's IPC, or Electron's parentPort. */
interface Channel {
  on(cb: (msg: WorkerRequest) => void): void;
  /** Resolves once the message has left (a child's IPC pipe can lag behind a blocking run). */
  post(res: WorkerResponse, transfer: ArrayBuffer[]): Promise<void>;
}
interface ElectronParentPort {
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
  postMessage(msg: unknown): void;
}
const electronPort = (process as { parentPort?: ElectronParentPort }).parentPort;

function channel(): Channel {
  if (parentPort) {
    const p = parentPort;
    return {
      on: (cb) => p.on('message', cb),
      post: async (res, transfer) => p.postMessage(res, transfer),
    };
  }
  if (electronPort) {
    const p = electronPort;
    return {
      on: (cb) => p.on('message', (e) => cb(e.data as WorkerRequest)),
      post: async (res) => p.postMessage(res),
    };
  }
  if (process.send) {
    // The owner going away (killed, crashed) ends the session too.
    process.on('disconnect', () => process.exit(0));
    return {
      on: (cb) => process.on('message', (m) => cb(m as WorkerRequest)),
      post: (res) =>
        new Promise<void>((done) => void process.send!(res, undefined, {}, () => done())),
    };
  }
  throw new Error('inference-worker must run in a worker thread or a child process');
}
const port = channel();

// Failures reach the caller as exceptions and a GPU provider that fails to load is reported with
// its reason, so onnxruntime's own prints stay off the user's terminal unless UPRES_DEBUG is set.
ort.env.logLevel = process.env.UPRES_DEBUG ? 'verbose' : 'fatal';

let session: ort.InferenceSession | undefined;
let inject: FaultInjection = {};

/** A synthetic input of `side` px for the loaded graph (fixed dims kept), plus α if it takes one. */
function syntheticFeeds(s: ort.InferenceSession, side: number): Record<string, ort.Tensor> {
  const meta = s.inputMetadata.find((m) => m.name === 'input');
  const shape = meta && meta.isTensor ? meta.shape : [];
  const fallback = [1, 3, side, side];
  const dims = fallback.map((d, i) => (typeof shape[i] === 'number' ? (shape[i] as number) : d));
  const n = dims.reduce((a, b) => a * b, 1);
  const feeds: Record<string, ort.Tensor> = {
    input: new ort.Tensor('float32', new Float32Array(n).fill(0.5), dims),
  };
  if (s.inputNames.includes('alpha'))
    feeds.alpha = new ort.Tensor('float32', Float32Array.of(0.5), [1]);
  return feeds;
}

async function handle(msg: WorkerRequest): Promise<WorkerResponse> {
  switch (msg.type) {
    case 'load': {
      await session?.release();
      session = undefined;
      inject = msg.inject ?? {};
      const opts: ort.InferenceSession.SessionOptions = {
        executionProviders: [msg.device],
        // A path is a graph onnxruntime optimised and saved before: optimising it again is the
        // cost the saved copy is there to spare.
        graphOptimizationLevel: typeof msg.model === 'string' ? 'disabled' : 'all',
        ...(msg.saveOptimized ? { optimizedModelFilePath: msg.saveOptimized } : {}),
        ...(msg.threads ? { intraOpNumThreads: msg.threads } : {}),
      };
      const s =
        typeof msg.model === 'string'
          ? await ort.InferenceSession.create(msg.model, opts)
          : await ort.InferenceSession.create(msg.model, opts);
      // Some GPU faults (no fp16 in the shaders, a device that cannot run an op) show only when a
      // graph first runs; a tiny run here makes them fail the load, where fallback happens.
      if (msg.probe) {
        try {
          await s.run(syntheticFeeds(s, msg.probe));
        } catch (err) {
          await s.release();
          throw err;
        }
      }
      session = s;
      return { id: msg.id, ok: true };
    }
    case 'run': {
      if (!session) throw new Error('no model loaded');
      if (inject.oomAbovePixels !== undefined) {
        const px = msg.dims[2] * msg.dims[3];
        if (px > inject.oomAbovePixels)
          throw new Error(
            `injected fault: failed to allocate a buffer for ${px} px (out of memory)`,
          );
      }
      const feeds: Record<string, ort.Tensor> = {
        input: new ort.Tensor('float32', msg.data, msg.dims),
      };
      if (msg.alpha !== undefined)
        feeds.alpha = new ort.Tensor('float32', Float32Array.of(msg.alpha), [1]);
      const out = (await session.run(feeds)).output;
      return { id: msg.id, ok: true, data: out.data as Float32Array, dims: [...out.dims] };
    }
    case 'time': {
      if (!session) throw new Error('no model loaded');
      const feeds = syntheticFeeds(session, msg.side);
      await session.run(feeds);
      const t0 = performance.now();
      await session.run(feeds);
      return { id: msg.id, ok: true, seconds: (performance.now() - t0) / 1000 };
    }
    case 'dispose':
      await session?.release();
      session = undefined;
      return { id: msg.id, ok: true };
  }
}

// One request at a time, each answer sent before the next starts: `run` blocks this thread, and an
// answer still waiting in the IPC pipe would otherwise reach the owner only after the next run.
let chain = Promise.resolve();
port.on((msg: WorkerRequest) => {
  chain = chain.then(() =>
    handle(msg).then(
      (res) => port.post(res, res.ok && res.data ? [res.data.buffer as ArrayBuffer] : []),
      (err: unknown) =>
        port.post(
          { id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) },
          [],
        ),
    ),
  );
});
