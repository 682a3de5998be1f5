import type { ExecutionDevice } from '../../../shared/device';

/** Faults a test can make a session raise, to drive the recovery paths without a real GPU fault. */
export interface FaultInjection {
  /** Runs whose input has more pixels than this fail as out of memory. */
  oomAbovePixels?: number;
}

export type WorkerRequest =
  | {
      type: 'load';
      id: number;
      /** The graph, or the path of an optimised graph this code wrote earlier (loaded as it is). */
      model: Uint8Array | string;
      /** Write the optimised graph here (onnxruntime's optimizedModelFilePath). */
      saveOptimized?: string;
      device: ExecutionDevice;
      threads?: number;
      /** Run a probe tile of this side after creating the session (GPU faults that show at run). */
      probe?: number;
      inject?: FaultInjection;
    }
  | { type: 'run'; id: number; data: Float32Array; dims: number[]; alpha?: number }
  /** Times one run of a synthetic tile of `side` px (after a warm-up run of the same size). */
  | { type: 'time'; id: number; side: number }
  | { type: 'dispose'; id: number };

export type WorkerResponse =
  | { id: number; ok: true; data?: Float32Array; dims?: number[]; seconds?: number }
  | { id: number; ok: false; error: string };
