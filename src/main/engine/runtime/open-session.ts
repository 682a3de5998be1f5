import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type {
  DeviceChoice,
  DeviceRequest,
  ExecutionDevice,
  Precision,
} from '../../../shared/device';
import { InferenceSession } from './inference-session';
import { planProviders, type PlatformInfo } from './provider-select';

/** Whether a provider library that onnxruntime-node does not bundle has been installed beside it. */
function providerInstalled(device: ExecutionDevice): boolean {
  if (device !== 'cuda') return false;
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const dir = join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    const lib =
      process.platform === 'win32'
        ? 'onnxruntime_providers_cuda.dll'
        : 'libonnxruntime_providers_cuda.so';
    return existsSync(join(dir, lib));
  } catch {
    return false;
  }
}

export function currentPlatform(): PlatformInfo {
  return {
    platform: process.platform,
    arch: process.arch,
    backends: ort.listSupportedBackends(),
    isInstalled: providerInstalled,
  };
}

export interface OpenSessionOptions {
  device?: DeviceRequest;
  precision?: Precision;
  threads?: number;
  platform?: PlatformInfo;
  log?: (message: string) => void;
}

/**
 * Creates a session on the best provider for the request, falling back to CPU with the reason
 * recorded. `graph(fp16)` builds the model in the precision the chosen provider gets.
 */
export async function openSession(
  graph: (fp16: boolean) => Uint8Array,
  opt: OpenSessionOptions = {},
): Promise<{ session: InferenceSession; choice: DeviceChoice }> {
  const requested = opt.device ?? 'auto';
  const plan = planProviders(requested, opt.platform ?? currentPlatform());
  const reasons = [...plan.notes];
  for (const device of plan.candidates) {
    const fp16 = opt.precision === 'fp16' || (opt.precision !== 'fp32' && device !== 'cpu');
    try {
      const session = await InferenceSession.create(graph(fp16), device, opt.threads);
      const fallback = requested !== 'cpu' && device === 'cpu' && reasons.length > 0;
      const choice: DeviceChoice = {
        requested,
        device,
        fp16,
        fallbackReason: fallback ? reasons.join('; ') : undefined,
      };
      if (choice.fallbackReason) opt.log?.(`using CPU: ${choice.fallbackReason}`);
      return { session, choice };
    } catch (err) {
      if (device === 'cpu') throw err;
      reasons.push(`${device} failed to start: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error('no execution provider could be started');
}
