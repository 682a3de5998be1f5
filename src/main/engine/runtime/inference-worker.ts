// Owns one onnxruntime session, in a child process (the default: it can be killed mid-run, which is
// how a pause or cancel stops a tile at once) or a worker thread. `run` blocks its thread, so it
// never runs on the caller's.
import { parentPort } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import { epochNow, traceEnabled, type TraceMark } from '../metrics/startup-trace';
import type { FaultInjection, NamedTensor, WorkerRequest, WorkerResponse } from './worker-protocol';

// Start-up marks (UPRES_STARTUP_TRACE), sent back with the first load's answer.
const marks: TraceMark[] = traceEnabled() ? [{ name: 'child: JS started', at: epochNow() }] : [];
const mark = (name: string): void => void (traceEnabled() && marks.push({ name, at: epochNow() }));

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

// The channel listens before onnxruntime is loaded (below, while the first request is already on
// its way): nothing sent early is lost, and loading the native library overlaps the parent's work.
let ort: typeof Ort;
const ortReady = import('onnxruntime-node').then((m) => {
  ort = m;
  // Failures reach the caller as exceptions and a GPU provider that fails to load is reported with
  // its reason, so onnxruntime's own prints stay off the user's terminal unless UPRES_DEBUG is set.
  ort.env.logLevel = process.env.UPRES_DEBUG ? 'verbose' : 'fatal';
  mark('child: onnxruntime imported');
});
// A library that fails to load fails each request with its message (handle awaits it), not the child.
ortReady.catch(() => undefined);

let session: Ort.InferenceSession | undefined;
let inject: FaultInjection = {};

/** A synthetic input of `side` px for the loaded graph (fixed dims kept), plus α if it takes one. */
function syntheticFeeds(s: Ort.InferenceSession, side: number): Record<string, Ort.Tensor> {
  const meta = s.inputMetadata.find((m) => m.name === 'input');
  const shape = meta && meta.isTensor ? meta.shape : [];
  const fallback = [1, 3, side, side];
  const dims = fallback.map((d, i) => (typeof shape[i] === 'number' ? (shape[i] as number) : d));
  const n = dims.reduce((a, b) => a * b, 1);
  const feeds: Record<string, Ort.Tensor> = {
    input: new ort.Tensor('float32', new Float32Array(n).fill(0.5), dims),
  };
  if (s.inputNames.includes('alpha'))
    feeds.alpha = new ort.Tensor('float32', Float32Array.of(0.5), [1]);
  return withZeros(s, feeds);
}

/**
 * Feeds zeros of their declared shape to the inputs beyond `input` and `alpha` a run leaves out: a
 * graph with such inputs makes zero the plain run (RealPLKSR's GroupNorm statistics: 0 = the tile's
 * own), so every caller of `run` keeps working.
 */
function withZeros(
  s: Ort.InferenceSession,
  feeds: Record<string, Ort.Tensor>,
): Record<string, Ort.Tensor> {
  for (const m of s.inputMetadata) {
    if (m.name in feeds || m.name === 'input' || m.name === 'alpha' || !m.isTensor) continue;
    if (!m.shape.every((d) => typeof d === 'number'))
      throw new Error(`the graph's input ${m.name} has no fixed shape to feed zeros to`);
    const dims = m.shape as number[];
    feeds[m.name] = new ort.Tensor(
      'float32',
      new Float32Array(dims.reduce((a, b) => a * b, 1)),
      dims,
    );
  }
  return feeds;
}

async function handle(msg: WorkerRequest): Promise<WorkerResponse> {
  await ortReady;
  switch (msg.type) {
    case 'load': {
      await session?.release();
      session = undefined;
      inject = msg.inject ?? {};
      const opts: Ort.InferenceSession.SessionOptions = {
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
      mark('child: session created');
      return { id: msg.id, ok: true, ...(marks.length ? { marks: marks.splice(0) } : {}) };
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
      const feeds: Record<string, Ort.Tensor> = {
        input: new ort.Tensor('float32', msg.data, msg.dims),
      };
      if (msg.alpha !== undefined)
        feeds.alpha = new ort.Tensor('float32', Float32Array.of(msg.alpha), [1]);
      for (const [name, t] of Object.entries(msg.extra ?? {}))
        feeds[name] = new ort.Tensor('float32', t.data, t.dims);
      const results = await session.run(withZeros(session, feeds));
      const out = results.output;
      const res: WorkerResponse = {
        id: msg.id,
        ok: true,
        data: out.data as Float32Array,
        dims: [...out.dims],
      };
      if (msg.allOutputs) {
        const outputs: Record<string, NamedTensor> = {};
        for (const [name, t] of Object.entries(results))
          if (name !== 'output')
            outputs[name] = { data: t.data as Float32Array, dims: [...t.dims] };
        return { ...res, outputs };
      }
      return res;
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
