import type { DeviceRequest, ExecutionDevice } from '../../../shared/device';

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
}

export interface ProviderPlan {
  /** Devices to try in order; the last is always cpu. */
  candidates: ExecutionDevice[];
  /** Why a requested or preferred provider was left out before trying. */
  notes: string[];
}

/** GPU providers worth trying on each platform, best first. */
export function preferredDevices(platform: NodeJS.Platform, arch: string): ExecutionDevice[] {
  if (platform === 'win32') return ['cuda', 'dml'];
  if (platform === 'linux') return ['cuda'];
  if (platform === 'darwin' && arch === 'arm64') return ['coreml'];
  return [];
}

function availability(device: ExecutionDevice, info: PlatformInfo): string | undefined {
  const backend = info.backends.find((b) => b.name === device);
  if (!backend)
    return `${device} is not available in this build of onnxruntime for ${info.platform}-${info.arch}`;
  if (!backend.bundled && !info.isInstalled(device)) {
    return `${device} provider is not installed${device === 'cuda' ? ' (run `npm run setup:cuda`)' : ''}`;
  }
  return undefined;
}

/** Orders the devices to try for a request; CPU is always the final fallback. */
export function planProviders(request: DeviceRequest, info: PlatformInfo): ProviderPlan {
  if (request === 'cpu') return { candidates: ['cpu'], notes: [] };
  const wanted = request === 'auto' ? preferredDevices(info.platform, info.arch) : [request];
  const notes: string[] = [];
  const candidates: ExecutionDevice[] = [];
  for (const d of wanted) {
    const missing = availability(d, info);
    if (missing) notes.push(missing);
    else candidates.push(d);
  }
  candidates.push('cpu');
  return { candidates, notes };
}
