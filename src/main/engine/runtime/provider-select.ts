import type { Audience, DeviceRequest, ExecutionDevice } from '../../../shared/device';
import { msg, type EngineMessage } from '../../../shared/engine-message';

export interface BackendInfo {
  name: string;
  bundled: boolean;
}

export interface PlatformInfo {
  platform: NodeJS.Platform;
  arch: string;
  backends: BackendInfo[];
  /** Whether a non-bundled provider library (e.g. CUDA after `npm run setup:cuda`) is present. */
  isInstalled: (device: ExecutionDevice) => boolean;
  /** Whether an NVIDIA GPU and its driver are present (only then is CUDA worth suggesting). */
  hasNvidia?: boolean;
  /** Who reads the notes: the app's users get no developer commands (default `cli`). */
  audience?: Audience;
}

export interface ProviderPlan {
  /** Devices to try in order; the last is always cpu. */
  candidates: ExecutionDevice[];
  /** Why a requested or preferred provider was left out before trying. */
  notes: EngineMessage[];
}

/** GPU providers worth trying on each platform, best first (WebGPU reaches every other GPU). */
export function preferredDevices(platform: NodeJS.Platform, arch: string): ExecutionDevice[] {
  if (platform === 'win32') return ['cuda', 'dml', 'webgpu'];
  if (platform === 'linux') return arch === 'x64' ? ['cuda', 'webgpu'] : ['cuda'];
  if (platform === 'darwin' && arch === 'arm64') return ['coreml', 'webgpu'];
  return [];
}

/** The device to retry on after `failed` gave up: the next one in the platform's order, else cpu. */
export function nextDevice(
  failed: ExecutionDevice,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): ExecutionDevice {
  const order = preferredDevices(platform, arch);
  const i = order.indexOf(failed);
  return i >= 0 && i + 1 < order.length ? order[i + 1] : 'cpu';
}

/** Why CUDA is not installed, in the reader's terms; undefined when there is no NVIDIA GPU. */
function cudaMissing(info: PlatformInfo, forced: boolean): EngineMessage | undefined {
  if (!info.hasNvidia) return forced ? msg('runtime.cudaNeedsNvidia') : undefined;
  if (info.audience === 'app') return msg('runtime.cudaNotInstalledApp');
  return info.platform === 'linux'
    ? msg('runtime.cudaNotInstalledSetup')
    : msg('runtime.providerNotInstalled', { device: 'cuda' });
}

/** Why `device` cannot be tried here, or undefined when it can. */
export function unavailableReason(
  device: ExecutionDevice,
  info: PlatformInfo,
  forced = true,
): EngineMessage | undefined {
  if (device === 'cpu') return undefined;
  const backend = info.backends.find((b) => b.name === device);
  if (!backend)
    return msg('runtime.notInBuild', { device, platform: `${info.platform}-${info.arch}` });
  if (!backend.bundled && !info.isInstalled(device)) {
    if (device === 'cuda') return cudaMissing(info, forced) ?? msg('runtime.noNvidia');
    return msg('runtime.providerNotInstalled', { device });
  }
  return undefined;
}

/** Orders the devices to try for a request; CPU is always the final fallback. */
export function planProviders(request: DeviceRequest, info: PlatformInfo): ProviderPlan {
  if (request === 'cpu') return { candidates: ['cpu'], notes: [] };
  const forced = request !== 'auto';
  const wanted = forced ? [request] : preferredDevices(info.platform, info.arch);
  const notes: EngineMessage[] = [];
  const candidates: ExecutionDevice[] = [];
  for (const d of wanted) {
    const missing = unavailableReason(d, info, forced);
    // Without an NVIDIA GPU, CUDA's absence is no news worth telling under `auto`.
    if (missing && !(d === 'cuda' && !forced && !info.hasNvidia)) notes.push(missing);
    if (!missing) candidates.push(d);
  }
  candidates.push('cpu');
  return { candidates, notes };
}
