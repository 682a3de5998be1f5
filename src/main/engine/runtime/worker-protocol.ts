import type { ExecutionDevice } from '../../../shared/device';

export type WorkerRequest =
  | { type: 'load'; id: number; model: Uint8Array; device: ExecutionDevice; threads?: number }
  | { type: 'run'; id: number; data: Float32Array; dims: number[]; alpha?: number }
  | { type: 'dispose'; id: number };

export type WorkerResponse =
  | { id: number; ok: true; data?: Float32Array; dims?: number[] }
  | { id: number; ok: false; error: string };
