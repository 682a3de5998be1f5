import { resolve } from 'node:path';
import type { DeviceRequest } from '../shared/device';
import type { ModelRegistry } from '../main/engine/models/model-registry';
import { benchQuality } from '../main/engine/metrics/bench-quality';
import { loadModel } from '../main/engine/runtime/loaded-model';
import { UsageError } from './usage-error';

export interface QualityCliOptions {
  dataset: string;
  model: string;
  alpha?: number;
  scale: number;
  device: DeviceRequest;
  tta: boolean;
  json: boolean;
}

/** `upres bench quality`: PSNR / SSIM (Y channel) of a model or of bicubic on an HR image folder. */
export async function runBenchQuality(
  registry: ModelRegistry,
  o: QualityCliOptions,
): Promise<number> {
  const isBicubic = o.model === 'bicubic';
  if (!isBicubic && !registry.isPair(o.model)) registry.get(o.model);
  if (o.alpha !== undefined && !registry.isPair(o.model))
    throw new UsageError('--alpha applies to pairs only');
  if (o.tta && isBicubic) throw new UsageError('--tta needs a model, not bicubic');
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const model = isBicubic
    ? undefined
    : await loadModel(registry, o.model, { device: o.device, log });
  try {
    const alpha = model?.interpolates ? (o.alpha ?? model.defaultAlpha) : undefined;
    const report = await benchQuality(
      resolve(o.dataset),
      o.scale,
      model,
      alpha,
      (r) =>
        log(
          `${r.image.padEnd(24)} ${r.psnr.toFixed(2)} dB  SSIM ${r.ssim.toFixed(4)}  ${r.seconds.toFixed(1)} s`,
        ),
      { tta: o.tta },
    );
    const label = `${report.model}${alpha !== undefined ? ` α ${alpha}` : ''} ×${o.scale}${report.tta ? ' with TTA (×8 self-ensemble)' : ''}`;
    log(
      `${label}: mean ${report.mean.psnr.toFixed(2)} dB, SSIM ${report.mean.ssim.toFixed(4)} over ${report.images.length} images in ${report.seconds.toFixed(1)} s`,
    );
    if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } finally {
    await model?.dispose();
  }
}
