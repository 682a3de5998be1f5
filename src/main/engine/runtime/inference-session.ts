import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { ExecutionDevice } from '../../../shared/device';
import type { FaultInjection, WorkerRequest, WorkerResponse } from './worker-protocol';
import { runtimeError } from './runtime-errors';
import { inferenceWorkerEntry } from './worker-entry';

export interface Tensor4 {
  data: Float32Array;
  dims: number[];
}

/** How a session is started, beyond its model and provider. */
export interface SessionStart {
  resourceLimits?: ResourceLimits;
  signal?: AbortSignal;
  /** Side of a probe tile run right after creation, so faults that show only at run fail here. */
  probe?: number;
  /** Faults to raise on purpose (tests of the recovery paths). */
  inject?: FaultInjection;
}

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void };

/** One onnxruntime session living in its own worker thread. */
export class InferenceSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly device: ExecutionDevice,
  ) {
    worker.on('message', (res: WorkerResponse) => {
      const p = this.pending.get(res.id);
      this.pending.delete(res.id);
      if (!p) return;
      if (res.ok) p.resolve(res);
      else p.reject(runtimeError(res.error, this.device));
    });
    const failAll = (err: Error): void => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`inference worker exited (code ${code})`)));
  }

  /**
   * Starts a worker and creates a session for the model on the given provider. `resourceLimits`
   * bounds the worker's JavaScript heap only, not onnxruntime's native allocations; `signal`
   * terminates the worker when it aborts. A worker busy in a native run (onnxruntime-node's `run`
   * is synchronous on its thread) cannot be stopped that way, nor can the process then exit: what
   * must be stoppable mid-run (an untrusted graph's trial) runs in a child process instead
   * (isolated-session.ts).
   */
  static async create(
    model: Uint8Array,
    device: ExecutionDevice,
    threads?: number,
    opt: SessionStart = {},
  ): Promise<InferenceSession> {
    const entry = inferenceWorkerEntry();
    const { resourceLimits, signal } = opt;
    const worker = new Worker(entry.url, { workerData: entry.workerData, resourceLimits });
    const s = new InferenceSession(worker, device);
    if (signal) {
      const stop = () => void s.terminate();
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      worker.once('exit', () => signal.removeEventListener('abort', stop));
    }
    try {
      await s.call({
        type: 'load',
        id: 0,
        model,
        device,
        threads,
        probe: opt.probe,
        inject: opt.inject,
      });
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    return s;
  }

  private call(req: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id }, transfer);
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

  /** Stops the worker between runs (a native run in flight keeps its thread; see `create`). */
  async terminate(): Promise<void> {
    this.failure ??= new Error('session terminated');
    await this.worker.terminate();
  }

  /** Seconds one run of a synthetic `side`-px tile takes (a warm-up run first, not counted). */
  async time(side: number): Promise<number> {
    const res = await this.call({ type: 'time', id: 0, side });
    if (!res.ok || res.seconds === undefined) throw new Error('timing returned nothing');
    return res.seconds;
  }

  async dispose(): Promise<void> {
    if (!this.failure) await this.call({ type: 'dispose', id: 0 }).catch(() => undefined);
    this.failure ??= new Error('session disposed');
    await this.worker.terminate();
  }
}
