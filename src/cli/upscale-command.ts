import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { DeviceRequest, Precision } from '../shared/device';
import type { ModelRegistry } from '../main/engine/models/model-registry';
import type { OutputFormat } from '../main/engine/pipeline/encode';
import { upscaleImage } from '../main/engine/pipeline/upscale-image';
import { loadModel } from '../main/engine/upscaler';
import { expandInputs } from './inputs';
import { UsageError } from './usage-error';

export interface UpscaleCliOptions {
  output: string;
  model: string;
  alpha?: number;
  scale?: number;
  format?: OutputFormat;
  quality?: number;
  tile?: number;
  device: DeviceRequest;
  precision: Precision;
  tta: boolean;
  json: boolean;
}

export interface ItemReport {
  input: string;
  output: string | null;
  status: 'done' | 'error';
  error?: string;
  seconds: number;
}

const round = (s: number): number => Math.round(s * 1000) / 1000;

/** Runs `upres upscale`; returns the process exit code (0 all done, 1 any failed). */
export async function runUpscale(
  registry: ModelRegistry,
  args: string[],
  opt: UpscaleCliOptions,
): Promise<number> {
  if (args.length === 0) throw new UsageError('give at least one file or folder to upscale');
  // Usage errors come before any work: an unknown model, or α for a single model.
  if (!registry.isPair(opt.model)) registry.get(opt.model);
  if (opt.alpha !== undefined && !registry.isPair(opt.model)) {
    throw new UsageError(
      `--alpha applies to pairs (fidelity ↔ perceptual); ${opt.model} is a single model`,
    );
  }
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const outDir = resolve(opt.output);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create output folder ${outDir}: ${(err as Error).message}`);
  }
  const items = await expandInputs(args);
  const model = await loadModel(registry, opt.model, {
    device: opt.device,
    precision: opt.precision,
    log,
  });
  const alpha = model.interpolates ? ` at α ${opt.alpha ?? model.defaultAlpha}` : '';
  log(
    `${opt.model}${alpha} on ${model.choice.device}${model.choice.fp16 ? ' (fp16)' : ''}${opt.tta ? ' with TTA (×8 self-ensemble)' : ''}; ${items.length} item(s) → ${outDir}`,
  );
  const bar = new cliProgress.SingleBar(
    {
      format: '{name} [{bar}] tile {value}/{total} | {eta_formatted} left',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const reports: ItemReport[] = [];
  const started = performance.now();
  try {
    for (const item of items) {
      const t0 = performance.now();
      if (item.error) {
        reports.push({
          input: item.path,
          output: null,
          status: 'error',
          error: item.error,
          seconds: 0,
        });
        log(`✗ ${item.error}`);
        continue;
      }
      const name = item.path.split(/[\\/]/).pop() ?? item.path;
      let barStarted = false;
      try {
        const res = await upscaleImage(model, item.path, {
          outDir,
          format: opt.format,
          quality: opt.quality,
          scale: opt.scale,
          alpha: opt.alpha,
          tile: opt.tile,
          tta: opt.tta,
          onTile: ({ tile, tiles }) => {
            if (!barStarted) bar.start(tiles, 0, { name });
            barStarted = true;
            bar.update(tile);
          },
        });
        if (barStarted) bar.stop();
        const seconds = (performance.now() - t0) / 1000;
        reports.push({
          input: item.path,
          output: res.output,
          status: 'done',
          seconds: round(seconds),
        });
        log(
          `✓ ${item.path} → ${res.output} (${res.outWidth}×${res.outHeight}, ${seconds.toFixed(1)} s)`,
        );
      } catch (err) {
        if (barStarted) bar.stop();
        const message = (err as Error).message;
        const error = message.includes(item.path) ? message : `${item.path}: ${message}`;
        reports.push({
          input: item.path,
          output: null,
          status: 'error',
          error,
          seconds: round((performance.now() - t0) / 1000),
        });
        log(`✗ ${error}`);
      }
    }
  } finally {
    await model.dispose();
  }
  const failed = reports.filter((r) => r.status === 'error').length;
  log(
    `${reports.length - failed} done, ${failed} failed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  if (opt.json) process.stdout.write(`${JSON.stringify({ items: reports }, null, 2)}\n`);
  return failed === 0 ? 0 : 1;
}
