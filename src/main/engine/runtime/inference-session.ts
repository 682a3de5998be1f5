import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { ExecutionDevice } from '../../../shared/device';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import type { FaultInjection, WorkerRequest, WorkerResponse } from './worker-protocol';
import { launchChild, launchesByFork, probeChildOf, type ProbeChild } from './isolated-session';
import { adoptEarlyChild } from './early-session';
import type { ProbeRequest, ProbeResponse } from './probe-protocol';
import { runtimeError } from './runtime-errors';
import { inferenceProcessEntry, inferenceWorkerEntry } from './worker-entry';
import { traceMark, traceMarks } from '../metrics/startup-trace';

export interface Tensor4 {
  data: Float32Array;
  dims: number[];
}

/**
 * Where a session lives. A child `process` (the default) can be killed mid-run: that is how a pause
 * or cancel stops a tile at once, and how a shutdown is never held up by one. A `thread` is cheaper
 * to start but cannot be stopped while a native run is in flight (terminating it then aborts the
 * whole process when the run returns), so it suits only runs nobody needs to stop.
 */
export type SessionHost = 'process' | 'thread';

/** How a session is started, beyond its model and provider. */
export interface SessionStart {
  /** Default: `UPRES_SESSION_HOST`, else 'process'. */
  host?: SessionHost;
  /** Thread host only: bounds the worker's JavaScript heap. */
  resourceLimits?: ResourceLimits;
  signal?: AbortSignal;
  /** Side of a probe tile run right after creation, so faults that show only at run fail here. */
  probe?: number;
  /** Faults to raise on purpose (tests of the recovery paths). */
  inject?: FaultInjection;
  /** Where onnxruntime writes the optimised graph (see OptimizedGraphCache). */
  saveOptimized?: string;
}

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void };

/** What a session needs of the thread or process it lives in. */
interface Host {
  post(msg: WorkerRequest, transfer: ArrayBuffer[]): void;
  onMessage(cb: (res: WorkerResponse) => void): void;
  onGone(cb: (err: Error) => void): void;
  /** Stops it; resolves once it has ended (a killed process ends at once). */
  stop(): Promise<void>;
}

function threadHost(resourceLimits?: ResourceLimits): Host {
  const entry = inferenceWorkerEntry();
  const worker = new Worker(entry.url, { workerData: entry.workerData, resourceLimits });
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer),
    onMessage: (cb) => worker.on('message', cb),
    onGone: (cb) => {
      worker.on('error', cb);
      worker.on('exit', (code) => cb(new Error(`inference worker exited (code ${code})`)));
    },
    stop: async () => void (await worker.terminate()),
  };
}

/** A child process host: a new child, or `adopted` (the early start's, see early-session.ts). */
function processHost(adopted?: ProbeChild): Host {
  const child =
    adopted ??
    (() => {
      const { path, args } = inferenceProcessEntry();
      return launchChild(path, args);
    })();
  const ended = new Promise<void>((done) => child.once('exit', done));
  return {
    // Structured-clone IPC: typed arrays pass as they are (copied, not transferred).
    post: (msg) => child.send(msg as unknown as ProbeRequest),
    onMessage: (cb) =>
      child.on('message', (m: ProbeResponse) => cb(m as unknown as WorkerResponse)),
    onGone: (cb) => {
      child.on('error', cb);
      child.on('exit', (code, signal) =>
        cb(new Error(`inference process ended (${signal ?? `code ${code}`})`)),
      );
    },
    stop: () => {
      child.kill();
      return ended;
    },
  };
}

const defaultHost = (): SessionHost =>
  process.env.UPRES_SESSION_HOST === 'thread' ? 'thread' : 'process';

/** One onnxruntime session living in its own child process (or worker thread; see SessionHost). */
export class InferenceSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;

  private constructor(
    private readonly host: Host,
    readonly device: ExecutionDevice,
  ) {
    host.onMessage((res: WorkerResponse) => {
      const p = this.pending.get(res.id);
      this.pending.delete(res.id);
      if (!p) return;
      if (res.ok) p.resolve(res);
      else p.reject(runtimeError(res.error, this.device));
    });
    host.onGone((err) => this.failAll(err));
  }

  private failAll(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  /**
   * Starts a worker (a child process unless `opt.host` says otherwise) and creates a session for
   * the model (its bytes, or the path of an optimised graph saved earlier) on the given provider. `signal` terminates the worker when it aborts.
   */
  static async create(
    model: Uint8Array | string,
    device: ExecutionDevice,
    threads?: number,
    opt: SessionStart = {},
  ): Promise<InferenceSession> {
    const { signal } = opt;
    const kind = opt.host ?? defaultHost();
    const wanted = {
      model,
      device,
      threads,
      probe: opt.probe,
      inject: opt.inject,
      saveOptimized: opt.saveOptimized,
    };
    // The CLI's early start may have forked the child (and begun this very load) already.
    const early = kind === 'process' && launchesByFork() ? adoptEarlyChild(wanted) : undefined;
    traceMark(`session: starting the ${kind}`);
    const host =
      kind === 'thread'
        ? threadHost(opt.resourceLimits)
        : processHost(early && probeChildOf(early.child));
    traceMark(`session: ${kind} started`);
    const s = new InferenceSession(host, device);
    if (signal) {
      const stop = () => void s.terminate();
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      host.onGone(() => signal.removeEventListener('abort', stop));
    }
    try {
      const res = early?.answer
        ? await s.awaitAnswer(early.answer)
        : await s.call({ type: 'load', id: 0, ...wanted });
      if (res.ok) traceMarks(res.marks);
      traceMark('session: load answered');
    } catch (err) {
      await host.stop();
      throw err;
    }
    return s;
  }

  /** Whether the session was terminated or its worker ended (every later run fails at once). */
  get ended(): boolean {
    return this.failure !== undefined;
  }

  /**
   * An answer to a request sent before this session existed (the early start's load), settled
   * like the session's own: it fails at once when the session is terminated or its child ends.
   */
  private awaitAnswer(answer: Promise<WorkerResponse>): Promise<WorkerResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const id = -1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      void answer.then((res) => {
        const p = this.pending.get(id);
        this.pending.delete(id);
        if (!p) return;
        if (res.ok) p.resolve(res);
        else p.reject(runtimeError(res.error, this.device));
      });
    });
  }

  private call(req: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.host.post({ ...req, id }, transfer);
    });
  }

  /**
   * Runs one NCHW float32 tensor through the model (with the blend factor α for interpolating
   * graphs); the input buffer is transferred, not copied.
   */
  async run(input: Tensor4, alpha?: number): Promise<Tensor4> {
    const res = await this.call({ type: 'run', id: 0, data: input.data, dims: input.dims, alpha }, [
      input.data.buffer as ArrayBuffer,
    ]);
    if (!res.ok || !res.data || !res.dims) throw new Error('inference returned no output');
    return { data: res.data, dims: res.dims };
  }

  /**
   * Runs one tile with further named float32 inputs and returns every output by name beside the
   * image (`output`); for graphs with inputs beyond the image (RealPLKSR's GroupNorm statistics).
   */
  async runWith(
    input: Tensor4,
    extra: Record<string, Tensor4>,
    alpha?: number,
  ): Promise<{ output: Tensor4; outputs: Record<string, Tensor4> }> {
    const res = await this.call(
      { type: 'run', id: 0, data: input.data, dims: input.dims, alpha, extra, allOutputs: true },
      [input.data.buffer as ArrayBuffer],
    );
    if (!res.ok || !res.data || !res.dims) throw new Error('inference returned no output');
    return { output: { data: res.data, dims: res.dims }, outputs: res.outputs ?? {} };
  }

  /**
   * Stops the worker now: runs in flight fail at once with `cancelled` (a child process is killed
   * mid-run; a thread host must only be terminated between runs, see SessionHost).
   */
  async terminate(): Promise<void> {
    this.failAll(new UpresError('cancelled', msg('runtime.workerStopped')));
    await this.host.stop();
  }

  /** Seconds one run of a synthetic `side`-px tile takes (a warm-up run first, not counted). */
  async time(side: number): Promise<number> {
    const res = await this.call({ type: 'time', id: 0, side });
    if (!res.ok || res.seconds === undefined) throw new Error('timing returned nothing');
    return res.seconds;
  }

  async dispose(): Promise<void> {
    if (!this.failure) await this.call({ type: 'dispose', id: 0 }).catch(() => undefined);
    this.failAll(new Error('session disposed'));
    await this.host.stop();
  }
}
