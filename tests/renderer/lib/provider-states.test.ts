// Settings' provider list marks in use what really runs: auto's choice for `auto`, the chosen
// device when it is available, CPU when the chosen one is not (the engine falls back to it).
import { describe, expect, it } from 'vitest';
import type { ProviderStatus } from '../../../src/shared/device';
import { msg } from '../../../src/shared/engine-message';
import { providersForDevice } from '../../../src/renderer/lib/provider-states';

const list: ProviderStatus[] = [
  { name: 'cuda', state: 'unavailable', available: false, note: msg('runtime.noNvidia') },
  { name: 'webgpu', state: 'in-use', available: true },
  { name: 'cpu', state: 'available', available: true },
];
const states = (p: ProviderStatus[]) => p.map((x) => `${x.name}:${x.state}`);

describe('providersForDevice', () => {
  it('keeps the engine’s choice for auto', () => {
    expect(states(providersForDevice(list, 'auto'))).toEqual([
      'cuda:unavailable',
      'webgpu:in-use',
      'cpu:available',
    ]);
  });

  it('marks a chosen CPU in use and auto’s choice merely available', () => {
    expect(states(providersForDevice(list, 'cpu'))).toEqual([
      'cuda:unavailable',
      'webgpu:available',
      'cpu:in-use',
    ]);
  });

  it('falls back to CPU when the chosen provider is unavailable, keeping its reason', () => {
    const shown = providersForDevice(list, 'cuda');
    expect(states(shown)).toEqual(['cuda:unavailable', 'webgpu:available', 'cpu:in-use']);
    expect(shown[0].note).toEqual({ key: 'runtime.noNvidia', text: 'no NVIDIA GPU' });
  });
});
