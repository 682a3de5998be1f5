// WebGPU on SwiftShader (the software Vulkan device in Debian's chromium package): the real GPU
// code path (device, shaders, buffers, errors) at software speed, so tiny random models and tiny
// images. Each case runs in a child process (webgpu-cases.ts) whose environment points Vulkan at
// SwiftShader; the CPU's output is the oracle.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { psnr } from '../../src/main/engine/metrics/psnr';
import { MODERN } from '../helpers/webgpu-cases';
import { haveSwiftShader, runGpuCase, swiftShaderEnv } from '../helpers/webgpu-env';

const f32 = async (out: string, name: string) => {
  const b = await readFile(join(out, `${name}.f32`));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const pixels = async (file: string) => (await sharp(file).raw().toBuffer()) as Buffer;

// CI installs chromium (.ci/run); elsewhere the group is skipped rather than failed.
describe.skipIf(!haveSwiftShader && !process.env.CI)('WebGPU on SwiftShader', () => {
  it('gives the CPU output (≥ 60 dB) for every architecture family and a pair at two α', async () => {
    const { result, out } = await runGpuCase<{
      choices: Record<string, { device: string; fp16: boolean }>;
    }>('parity');
    for (const name of ['rrdbnet', 'srvgg', 'srresnet', 'edsr', 'pair-a0.25', 'pair-a0.9']) {
      const cpu = await f32(out, `${name}-cpu`);
      const gpu = await f32(out, `${name}-webgpu`);
      expect(psnr(gpu, cpu, 1), name).toBeGreaterThanOrEqual(60);
    }
    for (const name of ['rrdbnet', 'srvgg', 'srresnet', 'edsr', 'pair'])
      expect(result.choices[`${name}-webgpu`], name).toEqual({ device: 'webgpu', fp16: false });
    // Two α give two different images, so the α really reached the graph on the GPU.
    expect(
      psnr(await f32(out, 'pair-a0.25-webgpu'), await f32(out, 'pair-a0.9-webgpu'), 1),
    ).toBeLessThan(40);
  });

  it('gives the CPU output (≥ 60 dB) for SPAN, RealPLKSR, RCAN and SwinIR', async () => {
    const { result, out } = await runGpuCase<{
      choices: Record<string, { device: string; fp16: boolean }>;
    }>('modernParity');
    for (const name of MODERN) {
      const cpu = await f32(out, `${name}-cpu`);
      const gpu = await f32(out, `${name}-webgpu`);
      console.log(`${name}: WebGPU vs CPU ${psnr(gpu, cpu, 1).toFixed(1)} dB`);
      expect(psnr(gpu, cpu, 1), name).toBeGreaterThanOrEqual(60);
      expect(result.choices[`${name}-webgpu`], name).toEqual({ device: 'webgpu', fp16: false });
    }
  }, 420_000);

  it('an fp16 request on an adapter without f16 runs fp32 on WebGPU and says so', async () => {
    const { result, out } = await runGpuCase<{
      gpu: { device: string; fp16: boolean; precisionNote?: string };
    }>('fp16');
    expect(result.gpu).toMatchObject({ device: 'webgpu', fp16: false });
    expect(result.gpu.precisionNote).toMatch(/webgpu cannot run fp16.*running fp32 on webgpu/);
    expect(psnr(await f32(out, 'fp16-webgpu'), await f32(out, 'fp16-cpu'), 1)).toBeGreaterThan(60);
  });

  it('with no adapter, a forced WebGPU falls back to the CPU with the reason', async () => {
    const { result } = await runGpuCase<{
      choice: { device: string; fallbackReason?: string };
    }>('noAdapter', swiftShaderEnv('/nonexistent/vk_icd.json'));
    expect(result.choice.device).toBe('cpu');
    expect(result.choice.fallbackReason).toMatch(
      /webgpu failed to start: .*no usable graphics adapter/,
    );
  });

  it('an out-of-memory on the GPU halves the tile, and the result is still the CPU’s', async () => {
    const { result } = await runGpuCase<{
      results: Record<string, { output: string; notes: string[] }>;
      limit: number;
      firstPlanMax: number;
      choice: { device: string };
    }>('oomHalves');
    expect(result.firstPlanMax).toBeGreaterThan(result.limit);
    expect(result.choice.device).toBe('webgpu');
    expect(result.results.webgpu.notes).toEqual([
      'out of memory with 64 px tiles; retried with 32 px',
    ]);
    const a = await pixels(result.results.webgpu.output);
    const b = await pixels(result.results.cpu.output);
    expect(psnr(a, b)).toBeGreaterThanOrEqual(60);
  });

  it('a cancel between tiles stops the upscale on WebGPU', async () => {
    const { result } = await runGpuCase<{
      code?: string;
      runs: number;
      seen: number;
      tiles: number;
      choice: { device: string };
    }>('cancel');
    expect(result.choice.device).toBe('webgpu');
    expect(result.code).toBe('cancelled');
    expect(result.seen).toBe(1);
    // One tile is kept in flight ahead of the current one; nothing after that started.
    expect(result.runs).toBeLessThanOrEqual(2);
    expect(result.tiles).toBeGreaterThan(3);
  });

  it('auto measures once per family and device set, reuses it, and measures a new set again', async () => {
    type C = { device: string; decidedBy?: string };
    const { result } = await runGpuCase<{
      first: C;
      second: C;
      third: C;
      kept: { signature: string; speeds: { device: string }[] }[];
    }>('measure');
    expect(result.first.decidedBy).toMatch(/^measured now \(webgpu fp32 .* s\/MP, cpu .* s\/MP\)$/);
    expect(result.second.decidedBy).toMatch(/^kept measurement/);
    expect(result.second.device).toBe(result.first.device);
    expect(result.third.decidedBy).toMatch(/^measured now/);
    expect(result.kept).toHaveLength(1);
    expect(JSON.parse(result.kept[0].signature).devices).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(result.kept[0].speeds.map((s) => s.device)).toEqual(['webgpu', 'cpu']);
  });
});
