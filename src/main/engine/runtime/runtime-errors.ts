import type { ExecutionDevice } from '../../../shared/device';
import { UpresError } from '../../../shared/errors';

// onnxruntime reports every failure as a message string (from the worker thread it runs on). This
// is the one place its wording is read: the message becomes a code, and nothing downstream looks
// at the text again.
const MEMORY =
  /bad_alloc|out of memory|failed to allocate|cannot allocate|ENOMEM|allocation failed/i;
const PROVIDER = /CUDA|cuDNN|cublas|DirectML|\bDML\b|CoreML|TensorRT|execution provider/i;

/**
 * An onnxruntime failure on `device` as an UpresError: `device.out-of-memory` when it ran out of
 * memory (on any device), `device.provider` when a GPU provider failed, `internal` otherwise.
 */
export function runtimeError(message: string, device: ExecutionDevice): UpresError {
  if (MEMORY.test(message)) return new UpresError('device.out-of-memory', message);
  if (device !== 'cpu' && PROVIDER.test(message)) return new UpresError('device.provider', message);
  return new UpresError('internal', message);
}
