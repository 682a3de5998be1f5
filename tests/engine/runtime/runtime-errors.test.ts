// onnxruntime's wording becomes a code in one place; these are messages it gives.
import { describe, expect, it } from 'vitest';
import { runtimeError } from '../../../src/main/engine/runtime/runtime-errors';

describe('runtimeError', () => {
  it('gives out-of-memory, provider and other failures their codes', () => {
    const cases: [string, 'cpu' | 'cuda', string][] = [
      [
        'onnxruntime: Failed to allocate memory for requested buffer of size 1234',
        'cpu',
        'device.out-of-memory',
      ],
      ['std::bad_alloc', 'cuda', 'device.out-of-memory'],
      ['CUDA failure 2: out of device memory', 'cuda', 'device.provider'],
      ['DirectML: the device was removed', 'dml', 'device.provider'],
      // On the CPU a message naming a provider is no provider failure.
      ['CUDA failure 2: out of device memory', 'cpu', 'internal'],
      ['Got invalid dimensions for input: input', 'cuda', 'internal'],
    ] as never;
    for (const [message, device, code] of cases) {
      const err = runtimeError(message, device);
      expect([err.code, err.message], message).toEqual([code, message]);
    }
  });
});

describe('WebGPU faults', () => {
  it('tells no fp16, no adapter, a lost device and a missing library apart', async () => {
    const { deviceFault } = await import('../../../src/main/engine/runtime/runtime-errors');
    const f16 =
      'shader_helper.cc:416 GenerateSourceCode Program Transpose requires f16 but the device does not support it.';
    const adapter =
      'webgpu_context.cc:136 ... was false. Failed to get a WebGPU adapter: No supported adapters';
    expect(deviceFault(f16, 'webgpu')).toBe('no-fp16');
    expect(runtimeError(f16, 'webgpu').code).toBe('device.provider');
    expect(deviceFault(adapter, 'webgpu')).toBe('no-adapter');
    expect(runtimeError('Device lost: VK_ERROR_DEVICE_LOST', 'webgpu').code).toBe(
      'device.out-of-memory',
    );
    expect(
      deviceFault(
        'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library',
        'cuda',
      ),
    ).toBe('missing-library');
    expect(runtimeError(f16, 'cpu').code).toBe('internal');
  });
});
