import type { Audience, ExecutionDevice } from '../../../shared/device';
import { UpresError } from '../../../shared/errors';

// onnxruntime reports every failure as a message string (from the worker thread it runs on). This
// is the one place its wording is read: the message becomes a code and a fault kind, and nothing
// downstream looks at the text again.
const MEMORY =
  /bad_alloc|out of memory|failed to allocate|cannot allocate|ENOMEM|allocation failed|GPUOutOfMemory/i;
/** Dawn / Vulkan / D3D12 losing the device (a driver reset, a watchdog on a too-long dispatch). */
const LOST =
  /device (was |is )?lost|DeviceLost|VK_ERROR_DEVICE_LOST|DXGI_ERROR_DEVICE_(REMOVED|RESET|HUNG)/i;
const NO_FP16 = /requires f16 but the device does not support it|shader-f16/i;
const NO_ADAPTER = /Failed to get a WebGPU adapter|No supported adapters|RequestAdapterStatus/i;
const MISSING_LIBRARY =
  /cannot open shared object|LoadLibrary|Failed to load (library|shared library)|Error loading "?[^"]*\.(so|dll|dylib)/i;
const PROVIDER =
  /CUDA|cuDNN|cublas|DirectML|\bDML\b|CoreML|TensorRT|execution provider|WebGPU|\bDawn\b|wgpu|Vulkan|D3D12|Metal|shader/i;

/** What went wrong on a device, in the terms the fallback rules need. */
export type DeviceFault =
  'memory' | 'lost' | 'no-fp16' | 'no-adapter' | 'missing-library' | 'provider' | 'other';

/** The kind of an onnxruntime failure on `device` (a provider's words mean nothing on the CPU). */
export function deviceFault(message: string, device: ExecutionDevice): DeviceFault {
  if (MEMORY.test(message)) return 'memory';
  if (device === 'cpu') return 'other';
  if (LOST.test(message)) return 'lost';
  if (NO_FP16.test(message)) return 'no-fp16';
  if (NO_ADAPTER.test(message)) return 'no-adapter';
  if (MISSING_LIBRARY.test(message)) return 'missing-library';
  if (PROVIDER.test(message)) return 'provider';
  return 'other';
}

/** An onnxruntime failure with the device it happened on and its fault kind. */
export class DeviceError extends UpresError {
  constructor(
    code: UpresError['code'],
    message: string,
    readonly device: ExecutionDevice,
    readonly fault: DeviceFault,
  ) {
    super(code, message);
  }
}

/**
 * An onnxruntime failure on `device` as an UpresError: `device.out-of-memory` when it ran out of
 * memory (on any device) or lost a GPU (so the tile is halved, as for memory), `device.provider`
 * when a GPU provider failed, `internal` otherwise.
 */
export function runtimeError(message: string, device: ExecutionDevice): DeviceError {
  const fault = deviceFault(message, device);
  const code =
    fault === 'memory' || fault === 'lost'
      ? 'device.out-of-memory'
      : fault === 'other'
        ? 'internal'
        : 'device.provider';
  return new DeviceError(code, message, device, fault);
}

const NAMES: Record<ExecutionDevice, string> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'CoreML',
  webgpu: 'WebGPU',
};

/** A provider's name as people know it. */
export const deviceName = (d: ExecutionDevice): string => NAMES[d];

/**
 * Why a provider could not be used, in one short clause for the audience: the first line of
 * onnxruntime's message for developers, plain words for the app's users.
 */
export function faultReason(err: unknown, device: ExecutionDevice, audience: Audience): string {
  const message = err instanceof Error ? err.message : String(err);
  const fault = err instanceof DeviceError ? err.fault : deviceFault(message, device);
  const name = deviceName(device);
  const plain: Partial<Record<DeviceFault, string>> = {
    'no-adapter': `${name} found no usable graphics adapter`,
    'no-fp16': `the graphics adapter cannot compute in half precision (fp16)`,
    'missing-library': `${name} is not installed completely`,
    memory: `${name} ran out of memory`,
    lost: `the graphics adapter stopped responding (${name})`,
  };
  if (audience === 'app') return plain[fault] ?? `${name} failed to start`;
  // onnxruntime prefixes its source location and the failed check; the words after them matter.
  const first = message
    .split('\n')[0]
    .replace(/^.*?\.(cc|cpp|h):\d+ /, '')
    .replace(/^.*\bwas false\. /, '');
  return `${plain[fault] ?? `${name} failed`}: ${first}`;
}
