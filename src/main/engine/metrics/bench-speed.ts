import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { median } from './median';
import type { ModelRegistry } from '../models/model-registry';
import { rasterRegionToTensor, type Raster } from '../pipeline/raster';
import { planTiles } from '../pipeline/tile-plan';
import { chooseTileSize, onGpu } from '../pipeline/choose-tile-size';
import type { DeviceRequest, Precision } from '../../../shared/device';
import { loadModel } from '../runtime/loaded-model';
import { onSwiftShader, SWIFTSHADER_HINT } from './bench-devices';
import { formatPhases } from './startup-trace';

export interface SpeedOptions {
  model: string;
  width: number;
  height: number;
  repeat: number;
  source: string;
  cli: string;
  device: DeviceRequest;
  precision: Precision;
  /** Only the start-up figures (no raw session, no end-to-end run). */
  startupOnly?: boolean;
}

/** The CLI's --json report, as far as the bench reads it. */
interface CliReport {
  items: { status: string; seconds: number }[];
  device?: { device: string; precision: string };
  startup?: { readySeconds: number; phases?: { name: string; seconds: number }[] };
}

function runCli(
  cli: string,
  args: string[],
  opt: { env?: NodeJS.ProcessEnv; node?: string[]; quiet?: boolean } = {},
): Promise<{ stdout: string; wall: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opt.node ?? []), cli, ...args], {
      stdio: ['ignore', 'pipe', opt.quiet ? 'ignore' : 'inherit'],
      env: { ...process.env, ...opt.env },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ stdout, wall: (performance.now() - t0) / 1000 })
        : reject(new Error(`upres exited ${code}`)),
    );
  });
}

/**
 * Seconds from process start to "model ready for the first tile", the median of `repeat` starts
 * each way, side by side: from source through tsx (what `upres` did before the install-time build),
 * from the build with the optimised-graph cache off, from the build with it but without the early
 * inference child (early-session.ts), and from the build with both (after one start that fills
 * the cache and the hint). The last way's phases (UPRES_STARTUP_TRACE) follow, medians per phase.
 */
async function startupFigures(
  cli: string,
  model: string,
  device: string,
  dir: string,
  repeat: number,
): Promise<string[]> {
  const input = join(dir, 'startup.png');
  await sharp({ create: { width: 16, height: 16, channels: 3, background: '#777' } })
    .png()
    .toFile(input);
  const source = join(dirname(cli), '..', 'src', 'cli', 'main.ts');
  const BEST = 'built + saved graph + early child';
  const ways: Record<string, { cli: string; node?: string[]; env: NodeJS.ProcessEnv }> = {
    'from source (tsx)': {
      cli: source,
      node: ['--import', 'tsx'],
      env: { UPRES_GRAPH_CACHE: 'off' },
    },
    'built, no graph cache': { cli, env: { UPRES_GRAPH_CACHE: 'off', UPRES_EARLY_SESSION: 'off' } },
    'built + saved graph': { cli, env: { UPRES_EARLY_SESSION: 'off' } },
    [BEST]: { cli, env: { UPRES_STARTUP_TRACE: '1' } },
  };
  const ready: Record<string, number[]> = {};
  const phases: Record<string, number[]> = {};
  const once = async (name: string) => {
    const w = ways[name];
    const { stdout } = await runCli(
      w.cli,
      [
        'upscale',
        input,
        '-o',
        join(dir, 'startup-out'),
        '--model',
        model,
        '--device',
        device,
        '--on-exists',
        'overwrite',
        '--json',
      ],
      { node: w.node ?? [], env: w.env, quiet: true },
    );
    const startup = (JSON.parse(stdout) as CliReport).startup;
    for (const p of startup?.phases ?? []) (phases[p.name] ??= []).push(p.seconds);
    return startup?.readySeconds ?? NaN;
  };
  await once(BEST); // fills the cache and the hint (and builds out/cli if stale)
  for (const k of Object.keys(phases)) delete phases[k];
  // Interleaved, so load on the machine falls on every way alike.
  for (let r = 0; r < repeat; r++)
    for (const name of Object.keys(ways)) (ready[name] ??= []).push(await once(name));
  const med = Object.fromEntries(Object.entries(ready).map(([k, v]) => [k, median(v)]));
  const base = med['from source (tsx)'];
  const table = Object.entries(phases)
    .map(([name, at]) => ({ name, seconds: median(at) }))
    .sort((a, b) => a.seconds - b.seconds);
  return [
    `CLI start-up (process start → ${model} ready for the first tile, median of ${repeat}): ${Object.entries(
      med,
    )
      .map(([k, v]) => `${k} ${v.toFixed(2)} s (${(v / base).toFixed(2)}×)`)
      .join(', ')}`,
    `start-up phases, ${BEST} (median of ${repeat} per phase):`,
    formatPhases(table),
  ];
}

/**
 * Raw session throughput on exactly the tiles the pipeline uses (no decode, stitch or encode) against
 * the CLI's per-image time on the same image, measured in one run.
 */
export async function benchSpeed(registry: ModelRegistry, o: SpeedOptions): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'upres-bench-'));
  try {
    if (o.startupOnly) return await startupFigures(o.cli, o.model, o.device, dir, o.repeat);
    const inputs = Array.from({ length: o.repeat }, (_, i) => join(dir, `bench-${i}.png`));
    const img = sharp(o.source).removeAlpha().resize(o.width, o.height, { fit: 'cover' });
    const { data } = await img.clone().raw().toBuffer({ resolveWithObject: true });
    for (const p of inputs) await img.clone().png().toFile(p);
    const raster: Raster = {
      width: o.width,
      height: o.height,
      channels: 3,
      data: new Uint8Array(data),
    };

    const model = await loadModel(registry, o.model, { device: o.device, precision: o.precision });
    if (o.device !== 'auto' && model.choice.device !== o.device) {
      await model.dispose();
      const hint =
        o.device === 'webgpu' && !process.env.VK_ICD_FILENAMES
          ? `; without a GPU, WebGPU runs on SwiftShader (Debian's chromium package): ${SWIFTSHADER_HINT} npm run bench -- speed --device webgpu`
          : '';
      throw new Error(`${o.device} did not start: ${model.choice.fallbackReason ?? '?'}${hint}`);
    }
    const ran = model.choice;

    const tile = chooseTileSize(model, model.defaultOverlap);
    // The plan the pipeline makes (one region shape per job on a GPU).
    const tiles = planTiles(o.width, o.height, tile, model.defaultOverlap, {
      uniform: onGpu(model),
    });
    const rawTimes: number[] = [];
    try {
      for (let r = 0; r <= o.repeat; r++) {
        const t0 = performance.now();
        for (const t of tiles)
          await model.run(
            rasterRegionToTensor(raster, t.region.x, t.region.y, t.region.w, t.region.h),
          );
        if (r > 0) rawTimes.push((performance.now() - t0) / 1000); // r = 0 warms the session up
      }
    } finally {
      await model.dispose();
    }

    const out = join(dir, 'out');
    const { stdout, wall } = await runCli(o.cli, [
      'upscale',
      ...inputs,
      '-o',
      out,
      '--model',
      o.model,
      // The same device, precision and tiles as the raw session.
      '--device',
      ran.device,
      '--precision',
      ran.fp16 ? 'fp16' : 'fp32',
      '--tile',
      String(tile),
      '--json',
    ]);
    const report = JSON.parse(stdout) as CliReport;
    const items = report.items;
    if (items.some((i) => i.status !== 'done'))
      throw new Error('the CLI failed on the benchmark image');
    const e2e = median(items.map((i) => i.seconds));
    const raw = median(rawTimes);
    const outMp = (o.width * o.height * model.scale ** 2) / 1e6;
    const f = (s: number): string =>
      `${s.toFixed(2)} s/image  ${(outMp / s).toFixed(4)} output MP/s`;
    const where = `${ran.device}${onSwiftShader() && ran.device === 'webgpu' ? ' (SwiftShader, software)' : ''} ${ran.fp16 ? 'fp16' : 'fp32'}`;
    const ready = report.startup?.readySeconds;
    const startup = await startupFigures(o.cli, o.model, ran.device, dir, 3);
    return [
      `model ${o.model} on ${where}, ${o.width}×${o.height} → ${o.width * model.scale}×${o.height * model.scale}, ${tiles.length} tile(s) of ≤ ${tile} px + ${model.defaultOverlap} px overlap, median of ${o.repeat}`,
      `raw session (same tiles, no I/O):       ${f(raw)}`,
      `end-to-end CLI (decode → encode → file): ${f(e2e)}`,
      `CLI process wall time for ${o.repeat} images, incl. start-up and model load: ${wall.toFixed(2)} s`,
      `ratio end-to-end / raw throughput: ${(raw / e2e).toFixed(3)}`,
      `this run's CLI start-up (process start → model ready for the first tile): ${ready === undefined ? '?' : `${ready.toFixed(2)} s`}`,
      ...startup,
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
