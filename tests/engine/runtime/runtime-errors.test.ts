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
