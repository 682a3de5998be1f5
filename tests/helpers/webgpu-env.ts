import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** SwiftShader, the software Vulkan device in Debian's chromium package, and its Vulkan loader. */
export const SWIFTSHADER_DIR = '/usr/lib/chromium';
export const SWIFTSHADER_ICD = join(SWIFTSHADER_DIR, 'vk_swiftshader_icd.json');
export const haveSwiftShader = existsSync(SWIFTSHADER_ICD);

/**
 * The environment of a process whose WebGPU runs on SwiftShader (or, with `icd`, on another Vulkan
 * driver file, e.g. one that does not exist). Both must be set before the process starts: the
 * loader path is read by the dynamic linker, the ICD by Dawn when onnxruntime first loads it.
 */
export function swiftShaderEnv(icd = SWIFTSHADER_ICD): NodeJS.ProcessEnv {
  const ld = process.env.LD_LIBRARY_PATH;
  return {
    ...process.env,
    VK_ICD_FILENAMES: icd,
    LD_LIBRARY_PATH: ld ? `${SWIFTSHADER_DIR}:${ld}` : SWIFTSHADER_DIR,
  };
}

const CHILD = fileURLToPath(new URL('./webgpu-child.ts', import.meta.url));

/** Runs a case of webgpu-cases.ts in a child with `env`; gives its result and its output folder. */
export async function runGpuCase<T>(
  name: string,
  env: NodeJS.ProcessEnv = swiftShaderEnv(),
): Promise<{ result: T; out: string; stderr: string }> {
  const out = await mkdtemp(join(tmpdir(), `upres-webgpu-${name}-`));
  const { code, stdout, stderr } = await new Promise<{
    code: number;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, name, out], {
      // Remembered tiles and device choices go to the case's own folder, never the user's.
      env: { ...env, UPRES_USER_DIR: join(out, 'user-data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let o = '';
    let e = '';
    child.stdout.on('data', (d: Buffer) => (o += d.toString()));
    child.stderr.on('data', (d: Buffer) => (e += d.toString()));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? -1, stdout: o, stderr: e }));
  });
  const line = stdout.split('\n').find((l) => l.startsWith('@@result '));
  if (code !== 0 || !line) throw new Error(`webgpu case ${name} failed (exit ${code}):\n${stderr}`);
  return { result: JSON.parse(line.slice('@@result '.length)) as T, out, stderr };
}
