import { Worker } from 'node:worker_threads';
import type { ExecutionDevice } from '../../../shared/device';
import type { WorkerRequest, WorkerResponse } from './worker-protocol';
import { runtimeError } from './runtime-errors';
import { inferenceWorkerEntry } from './worker-entry';

export interface Tensor4 {
  data: Float32Array;
  dims: number[];
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

  /** Starts a worker and creates a session for the model on the given provider. */
  static async create(
    model: Uint8Array,
    device: ExecutionDevice,
    threads?: number,
  ): Promise<InferenceSession> {
    const entry = inferenceWorkerEntry();
    const worker = new Worker(entry.url, { workerData: entry.workerData });
    const s = new InferenceSession(worker, device);
    try {
      await s.call({ type: 'load', id: 0, model, device, threads });
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

  async dispose(): Promise<void> {
    if (!this.failure) await this.call({ type: 'dispose', id: 0 }).catch(() => undefined);
    this.failure ??= new Error('session disposed');
    await this.worker.terminate();
  }
}
