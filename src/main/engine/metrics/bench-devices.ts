import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ExecutionDevice } from '../../../shared/device';
import type { ModelRegistry } from '../models/model-registry';
import { rasterRegionToTensor } from '../pipeline/raster';
import { loadModel } from '../runtime/loaded-model';
import { currentPlatform } from '../runtime/open-session';
import { preferredDevices, unavailableReason } from '../runtime/provider-select';
import { psnr } from './psnr';

/** SwiftShader, the software Vulkan device in Debian's chromium package, and its Vulkan loader. */
export const SWIFTSHADER_DIR = '/usr/lib/chromium';
export const SWIFTSHADER_ICD = join(SWIFTSHADER_DIR, 'vk_swiftshader_icd.json');

/** What to set for WebGPU on a machine without a GPU (both before the process starts). */
export const SWIFTSHADER_HINT = `VK_ICD_FILENAMES=${SWIFTSHADER_ICD} LD_LIBRARY_PATH=${SWIFTSHADER_DIR}`;

/**
 * The environment of a child whose WebGPU runs on SwiftShader: the loader path is read by the
 * dynamic linker and the ICD by Dawn, so neither can be set inside a running process.
 */
export function swiftShaderEnv(): NodeJS.ProcessEnv {
  const ld = process.env.LD_LIBRARY_PATH;
  return {
    ...process.env,
    VK_ICD_FILENAMES: SWIFTSHADER_ICD,
    LD_LIBRARY_PATH: ld ? `${SWIFTSHADER_DIR}:${ld}` : SWIFTSHADER_DIR,
  };
}

/** Whether this process's WebGPU is SwiftShader (its figures are software speed). */
export const onSwiftShader = (env: NodeJS.ProcessEnv = process.env): boolean =>
  (env.VK_ICD_FILENAMES ?? '').includes('swiftshader');

/** One measurement, as the row child reports it. */
export interface RowResult {
  device: ExecutionDevice;
  fp16: boolean;
  /** Why the precision is not the one asked for, if it is not. */
  note?: string;
  createSeconds: number;
  /** The timed run (after one warm-up run of the same shape). */
  runSeconds: number;
  /** Output px per input px, per side. */
  scale: number;
}

/**
 * Runs in the row child: one model on one device and precision, one warm-up and one timed run of
 * the `side`-px crop; the output tensor goes to `out` for the PSNR.
 */
export async function measureRow(
  registry: ModelRegistry,
  o: { model: string; device: ExecutionDevice; fp16: boolean; input: string; out: string },
): Promise<RowResult> {
  const { data, info } = await sharp(o.input).raw().toBuffer({ resolveWithObject: true });
  const raster = {
    width: info.width,
    height: info.height,
    channels: 3,
    data: new Uint8Array(data),
  };
  const tensor = () => rasterRegionToTensor(raster, 0, 0, info.width, info.height);
  const t0 = performance.now();
  const m = await loadModel(registry, o.model, {
    device: o.device,
    precision: o.fp16 ? 'fp16' : 'fp32',
  });
  const createSeconds = (performance.now() - t0) / 1000;
  try {
    if (m.choice.device !== o.device)
      throw new Error(m.choice.fallbackReason ?? `${o.device} did not start`);
    // The fp32 row measures what such an adapter runs; timing it twice is minutes on SwiftShader.
    if (o.fp16 && !m.choice.fp16)
      throw new Error(`no fp16 on this adapter: ${m.choice.precisionNote ?? 'it runs fp32'}`);
    await m.run(tensor());
    const t1 = performance.now();
    const res = await m.run(tensor());
    const runSeconds = (performance.now() - t1) / 1000;
    await writeFile(
      o.out,
      new Uint8Array(res.data.buffer, res.data.byteOffset, res.data.byteLength),
    );
    return {
      device: m.choice.device,
      fp16: m.choice.fp16,
      note: m.choice.precisionNote,
      createSeconds,
      runSeconds,
      scale: m.scale,
    };
  } finally {
    await m.dispose();
  }
}

export interface DevicesOptions {
  models: string[];
  side: number;
  source: string;
  /** argv that starts this bench again (node, its flags, the script): the row child. */
  self: string[];
}

interface Row {
  device: ExecutionDevice;
  precision: 'fp16' | 'fp32';
  env: NodeJS.ProcessEnv;
  label: string;
}

function runRow(
  row: Row,
  args: string[],
): Promise<{ ok: true; result: RowResult } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    const child = spawn(args[0], args.slice(1), {
      env: row.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('@@row '));
      const fail = out.split('\n').find((l) => l.startsWith('@@fail '));
      if (code === 0 && line) resolve({ ok: true, result: JSON.parse(line.slice(6)) as RowResult });
      else if (fail)
        resolve({ ok: false, reason: (JSON.parse(fail.slice(7)) as string).slice(0, 200) });
      else {
        const last = (line ? '' : err).trim().split('\n').filter(Boolean).pop() ?? `exit ${code}`;
        resolve({ ok: false, reason: last.replace(/^Error: /, '').slice(0, 160) });
      }
    });
  });
}

/** The rows to measure: every provider of this platform with each precision it may run, CPU last. */
function plannedRows(): { rows: Row[]; skipped: string[] } {
  const info = currentPlatform('cli');
  const rows: Row[] = [];
  const skipped: string[] = [];
  for (const d of preferredDevices(info.platform, info.arch)) {
    const missing = unavailableReason(d, info);
    if (missing) {
      skipped.push(`${d}: ${missing}`);
      continue;
    }
    // WebGPU needs a Vulkan loader and a device: with neither set up, use SwiftShader if it is here.
    const soft = d === 'webgpu' && !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD);
    const env = soft ? swiftShaderEnv() : process.env;
    const label = d === 'webgpu' && (soft || onSwiftShader()) ? 'webgpu (SwiftShader)' : d;
    for (const precision of ['fp16', 'fp32'] as const)
      rows.push({ device: d, precision, env, label });
  }
  rows.push({ device: 'cpu', precision: 'fp32', env: process.env, label: 'cpu' });
  return { rows, skipped };
}

/**
 * Per provider and precision: seconds per output megapixel for each model on one `side`-px crop
 * (one tile shape, so a GPU compiles its shaders once; session creation and a warm-up run are not
 * counted), and PSNR against the CPU's output. Each row runs in its own process (its environment,
 * its failure). Prints the table as lines.
 */
export async function benchDevices(
  o: DevicesOptions,
  print: (line: string) => void = console.log,
): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'upres-bench-devices-'));
  try {
    const input = join(dir, 'crop.png');
    const meta = await sharp(o.source).metadata();
    const side = Math.min(o.side, meta.width ?? o.side, meta.height ?? o.side);
    await sharp(o.source)
      .removeAlpha()
      .extract({
        left: Math.floor(((meta.width ?? side) - side) / 2),
        top: Math.floor(((meta.height ?? side) - side) / 2),
        width: side,
        height: side,
      })
      .png()
      .toFile(input);
    const { rows, skipped } = plannedRows();
    // CPU first: it is the reference every other row is compared with.
    rows.sort((a, b) => Number(b.device === 'cpu') - Number(a.device === 'cpu'));
    const lines = [
      `${side}×${side} crop (centre) of ${o.source}; one tile shape per run; timed: 1 run after a warm-up, session creation excluded`,
      ...skipped.map((s) => `not measured: ${s}`),
      `${'provider'.padEnd(22)} ${'precision'.padEnd(10)} ${'model'.padEnd(22)} ${'s/output MP'.padStart(12)} ${'create s'.padStart(9)} ${'PSNR vs cpu'.padStart(12)}  note`,
    ];
    for (const l of lines) print(l);
    const reference = new Map<string, Float32Array>();
    for (const row of rows) {
      for (const model of o.models) {
        const out = join(dir, `${row.device}-${row.precision}-${model}.f32`);
        const args = [
          ...o.self,
          'device-row',
          '--model',
          model,
          '--device',
          row.device,
          '--precision',
          row.precision,
          '--input',
          input,
          '--out',
          out,
        ];
        const r = await runRow(row, args);
        let line = `${row.label.padEnd(22)} ${row.precision.padEnd(10)} ${model.padEnd(22)} `;
        if (!r.ok)
          line += `${'—'.padStart(12)} ${'—'.padStart(9)} ${'—'.padStart(12)}  ${r.reason}`;
        else {
          const res = r.result;
          const outMp = (side * res.scale) ** 2 / 1e6;
          const buf = await readFile(out);
          const pixels = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
          if (row.device === 'cpu') reference.set(model, pixels);
          const ref = reference.get(model);
          const clamp = (a: Float32Array) => a.map((v) => Math.min(1, Math.max(0, v)));
          const db = ref ? psnr(clamp(pixels), clamp(ref), 1) : NaN;
          const ran = res.fp16 ? 'fp16' : 'fp32';
          const note = [
            ran !== row.precision ? `ran ${ran}` : '',
            res.note ?? '',
            row.device === 'cpu' ? 'reference' : '',
          ]
            .filter(Boolean)
            .join('; ');
          line +=
            `${(res.runSeconds / outMp).toFixed(2).padStart(12)} ${res.createSeconds.toFixed(1).padStart(9)} ` +
            `${(row.device === 'cpu' ? '—' : Number.isFinite(db) ? `${db.toFixed(1)} dB` : db === Infinity ? '∞' : '—').padStart(12)}  ${note}`;
        }
        print(line);
        lines.push(line);
      }
    }
    if (rows.some((r) => r.label.includes('SwiftShader')))
      print('SwiftShader is a software Vulkan device: its figures are CPU speed, not a GPU’s.');
    return lines;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
