import type { ExecutionDevice } from '../../../shared/device';
import type { TraceMark } from '../metrics/startup-trace';

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
  | {
      type: 'run';
      id: number;
      data: Float32Array;
      dims: number[];
      alpha?: number;
      /** Further float32 inputs by name (e.g. RealPLKSR's GroupNorm statistics). */
      extra?: Record<string, NamedTensor>;
      /** Send every output back, not only `output`. */
      allOutputs?: boolean;
    }
  /** Times one run of a synthetic tile of `side` px (after a warm-up run of the same size). */
  | { type: 'time'; id: number; side: number }
  | { type: 'dispose'; id: number };

/** A float32 tensor passed by name beside the image. */
export interface NamedTensor {
  data: Float32Array;
  dims: number[];
}

export type WorkerResponse =
  | {
      id: number;
      ok: true;
      data?: Float32Array;
      dims?: number[];
      seconds?: number;
      /** The child's start-up marks (UPRES_STARTUP_TRACE), with its first load's answer. */
      marks?: TraceMark[];
      /** With `allOutputs`: the outputs other than `output`. */
      outputs?: Record<string, NamedTensor>;
    }
  | { id: number; ok: false; error: string };
