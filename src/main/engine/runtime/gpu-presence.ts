import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether `name` is an executable on PATH. */
function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, name)));
}

/**
 * Whether an NVIDIA GPU with its driver is present: the kernel driver's `/proc/driver/nvidia` or
 * `nvidia-smi` on Linux, the driver's `nvidia-smi.exe` / `nvapi64.dll` on Windows. Only then is
 * installing CUDA worth suggesting.
 */
export function nvidiaPresent(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (platform === 'linux') return existsSync('/proc/driver/nvidia') || onPath('nvidia-smi', env);
  if (platform === 'win32') {
    const sys = join(env.SystemRoot ?? 'C:\\Windows', 'System32');
    return existsSync(join(sys, 'nvidia-smi.exe')) || existsSync(join(sys, 'nvapi64.dll'));
  }
  return false;
}
