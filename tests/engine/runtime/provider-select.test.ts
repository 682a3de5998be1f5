import { describe, expect, it } from 'vitest';
import { textOf } from '../../../src/shared/engine-message';
import {
  nextDevice,
  planProviders,
  type PlatformInfo,
} from '../../../src/main/engine/runtime/provider-select';
import { openSession } from '../../../src/main/engine/runtime/open-session';
import { buildGraph } from '../../../src/main/engine/models/build-graph';
import { TINY_SRVGG, randomWeights } from '../../helpers/random-models';

const linux = (extra: Partial<PlatformInfo> = {}): PlatformInfo => ({
  platform: 'linux',
  arch: 'x64',
  backends: [
    { name: 'cpu', bundled: true },
    { name: 'cuda', bundled: false },
  ],
  isInstalled: () => false,
  ...extra,
});
const windows: PlatformInfo = {
  platform: 'win32',
  arch: 'x64',
  backends: [
    { name: 'cpu', bundled: true },
    { name: 'dml', bundled: true },
    { name: 'cuda', bundled: false },
  ],
  isInstalled: () => false,
};
const macArm: PlatformInfo = {
  platform: 'darwin',
  arch: 'arm64',
  backends: [
    { name: 'cpu', bundled: true },
    { name: 'coreml', bundled: true },
  ],
  isInstalled: () => false,
};

describe('execution provider planning', () => {
  it('auto on Linux uses CUDA only once it is installed', () => {
    expect(planProviders('auto', linux()).candidates).toEqual(['cpu']);
    expect(textOf(planProviders('auto', linux({ hasNvidia: true })).notes[0])).toMatch(
      /cuda provider is not installed.*setup:cuda/,
    );
    expect(planProviders('auto', linux({ isInstalled: (d) => d === 'cuda' })).candidates).toEqual([
      'cuda',
      'cpu',
    ]);
  });

  it('auto on Windows tries CUDA (when installed), then DirectML, then CPU', () => {
    expect(planProviders('auto', windows).candidates).toEqual(['dml', 'cpu']);
    expect(planProviders('auto', { ...windows, isInstalled: () => true }).candidates).toEqual([
      'cuda',
      'dml',
      'cpu',
    ]);
  });

  it('auto on Apple silicon uses CoreML; Intel macs get CPU', () => {
    expect(planProviders('auto', macArm).candidates).toEqual(['coreml', 'cpu']);
    expect(
      planProviders('auto', { ...macArm, arch: 'x64', backends: [{ name: 'cpu', bundled: true }] })
        .candidates,
    ).toEqual(['cpu']);
  });

  it('a forced provider this build lacks falls back to CPU with the reason', () => {
    const plan = planProviders('coreml', linux());
    expect(plan.candidates).toEqual(['cpu']);
    expect(plan.notes.map(textOf)).toEqual([
      'coreml is not available in this build of onnxruntime for linux-x64',
    ]);
    expect(textOf(planProviders('dml', macArm).notes[0])).toMatch(/dml is not available/);
  });

  it('suggests installing CUDA only with an NVIDIA GPU, and no npm command to app users', () => {
    expect(planProviders('auto', linux()).notes.map(textOf).join()).not.toMatch(/cuda/);
    expect(planProviders('cuda', linux()).notes.map(textOf)).toEqual([
      'cuda needs an NVIDIA GPU, and none was found',
    ]);
    const app = textOf(planProviders('auto', linux({ hasNvidia: true, audience: 'app' })).notes[0]);
    expect(app).toMatch(/NVIDIA GPU is present/);
    expect(app).not.toMatch(/npm|`/);
  });

  it('WebGPU comes after the native GPU providers and before the CPU', () => {
    const webgpu = { name: 'webgpu', bundled: true };
    const lin = linux({ backends: [...linux().backends, webgpu], isInstalled: () => true });
    expect(planProviders('auto', lin).candidates).toEqual(['cuda', 'webgpu', 'cpu']);
    const win = { ...windows, backends: [...windows.backends, webgpu] };
    expect(planProviders('auto', win).candidates).toEqual(['dml', 'webgpu', 'cpu']);
    const mac = { ...macArm, backends: [...macArm.backends, webgpu] };
    expect(planProviders('auto', mac).candidates).toEqual(['coreml', 'webgpu', 'cpu']);
    expect(planProviders('webgpu', lin).candidates).toEqual(['webgpu', 'cpu']);
  });

  it('a failed device retries one step down the platform order', () => {
    expect(nextDevice('cuda', 'win32', 'x64')).toBe('dml');
    expect(nextDevice('dml', 'win32', 'x64')).toBe('webgpu');
    expect(nextDevice('webgpu', 'win32', 'x64')).toBe('cpu');
    expect(nextDevice('cuda', 'linux', 'x64')).toBe('webgpu');
    expect(nextDevice('coreml', 'darwin', 'arm64')).toBe('webgpu');
  });

  it('cpu is never second-guessed', () => {
    expect(planProviders('cpu', windows)).toEqual({ candidates: ['cpu'], notes: [] });
  });
});

describe('session fallback', () => {
  const graph = (fp16: boolean) => buildGraph(TINY_SRVGG, randomWeights(TINY_SRVGG), { fp16 });

  it('forcing a provider that this build lacks runs on CPU and says why', async () => {
    const logs: string[] = [];
    const { session, choice } = await openSession(graph, {
      device: 'coreml',
      log: (m) => logs.push(m),
    });
    await session.dispose();
    expect(choice).toMatchObject({ requested: 'coreml', device: 'cpu', fp16: false });
    expect(choice.fallbackReason).toMatch(/coreml is not available/);
    expect(logs.join('\n')).toMatch(/using CPU: coreml is not available/);
  });

  it('a provider that is listed but fails to start falls back to CPU with its error', async () => {
    // Pretend CUDA is installed: onnxruntime then really tries it and fails on this GPU-less machine.
    const platform = linux({ isInstalled: () => true });
    const { session, choice } = await openSession(graph, { device: 'cuda', platform });
    await session.dispose();
    expect(choice.device).toBe('cpu');
    expect(choice.fallbackReason).toMatch(/cuda failed to start/);
  });
});
