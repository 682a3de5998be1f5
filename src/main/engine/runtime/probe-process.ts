// Child process that owns one onnxruntime session for an untrusted graph's trial run. It is a
// process, not a worker thread, because onnxruntime-node's `run` is synchronous native code: a
// worker stuck in it can be neither terminated nor outlived (process exit waits for it), while a
// process can be killed, and the kill frees all of its memory, native included.
import * as ort from 'onnxruntime-node';
import type { ProbeRequest, ProbeResponse } from './probe-protocol';

/**
 * The channel to the parent: Node's IPC (`fork`) or, in the packaged Electron app, a utility
 * process's `parentPort` (Electron's own API, typed here so the engine needs no electron import).
 */
interface ElectronParentPort {
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
  postMessage(msg: unknown): void;
}
const parentPort = (process as { parentPort?: ElectronParentPort }).parentPort;
if (!process.send && !parentPort) throw new Error('probe-process must run as a child process');
const reply = (res: ProbeResponse) =>
  parentPort ? parentPort.postMessage(res) : process.send!(res);
ort.env.logLevel = 'fatal';

let session: ort.InferenceSession | undefined;

async function handle(msg: ProbeRequest): Promise<ProbeResponse> {
  if (msg.type === 'load') {
    session = await ort.InferenceSession.create(msg.model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: 1,
    });
    return { id: msg.id, ok: true };
  }
  if (!session) throw new Error('no model loaded');
  const out = (await session.run({ input: new ort.Tensor('float32', msg.data, msg.dims) })).output;
  return { id: msg.id, ok: true, dims: [...out.dims] };
}

function onRequest(msg: ProbeRequest): void {
  handle(msg).then(reply, (err: unknown) =>
    reply({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
}
if (parentPort) parentPort.on('message', (e) => onRequest(e.data as ProbeRequest));
else process.on('message', onRequest);
// The parent going away (killed, crashed) ends the probe too.
process.on('disconnect', () => process.exit(0));
