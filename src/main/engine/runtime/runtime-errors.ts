import type { Audience, ExecutionDevice } from '../../../shared/device';
import { msg, type EngineMessage, type MessageParams } from '../../../shared/engine-message';
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

/**
 * An onnxruntime failure with the device it happened on and its fault kind. Its message is
 * onnxruntime's own (the CLI prints it as it is); a GPU fault also carries a detail that names
 * the device and the fault in the UI's words, with onnxruntime's first line as the value.
 */
export class DeviceError extends UpresError {
  constructor(
    code: UpresError['code'],
    message: string,
    readonly device: ExecutionDevice,
    readonly fault: DeviceFault,
  ) {
    super(
      code,
      fault === 'other' ? message : { ...faultDetail(message, device, fault), text: message },
    );
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

// The fault kinds as ICU select keys (a select key cannot hold a hyphen).
const FAULT_KEYS: Record<DeviceFault, string> = {
  memory: 'memory',
  lost: 'lost',
  'no-fp16': 'noFp16',
  'no-adapter': 'noAdapter',
  'missing-library': 'missingLibrary',
  provider: 'other',
  other: 'other',
};

/** onnxruntime's first line without its source location and failed check (the words that matter). */
function firstLine(message: string): string {
  return message
    .split('\n')[0]
    .replace(/^.*?\.(cc|cpp|h):\d+ /, '')
    .replace(/^.*\bwas false\. /, '');
}

/** The values every fault sentence takes: the device, its name, the fault, onnxruntime's words. */
function faultParams(message: string, device: ExecutionDevice, fault: DeviceFault): MessageParams {
  return { device, name: deviceName(device), fault: FAULT_KEYS[fault], error: firstLine(message) };
}

function faultDetail(message: string, device: ExecutionDevice, fault: DeviceFault): EngineMessage {
  return msg('runtime.deviceFault', faultParams(message, device, fault));
}

/**
 * Why a provider could not be used, for the audience: plain words for the app's users, the first
 * line of onnxruntime's message after them for developers. `tile`: it failed a tile of that side
 * (px) rather than failing to start.
 */
export function faultMessage(
  err: unknown,
  device: ExecutionDevice,
  audience: Audience,
  tile?: number,
): EngineMessage {
  const message = err instanceof Error ? err.message : String(err);
  const fault = err instanceof DeviceError ? err.fault : deviceFault(message, device);
  const params = faultParams(message, device, fault);
  if (audience === 'app') delete params.error;
  if (tile === undefined)
    return msg(audience === 'app' ? 'runtime.startFailedApp' : 'runtime.startFailedCli', params);
  return msg(audience === 'app' ? 'runtime.tileFailedApp' : 'runtime.tileFailedCli', {
    ...params,
    side: tile,
  });
}
