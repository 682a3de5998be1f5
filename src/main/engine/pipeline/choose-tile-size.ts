import { freemem } from 'node:os';
import { architectureOf } from '../models/architectures';
import { userGpuTiles } from '../runtime/gpu-tile-store';
import type { LoadedModel } from '../runtime/loaded-model';
import { autoTileSize } from './tile-plan';

/**
 * Tile core size for a model. On the CPU: from free memory (a quarter of it, at most 4 GiB). On a
 * GPU, which reports no free memory: the size that last fitted on that device for this model, else
 * the architecture's default for the precision.
 */
export function chooseTileSize(model: LoadedModel, overlap: number): number {
  const { device, fp16 } = model.choice;
  if (device !== 'cpu') {
    const kept = userGpuTiles().get({ device, fp16, model: model.id });
    return kept ?? architectureOf(model.spec).tiling.gpuTile[fp16 ? 'fp16' : 'fp32'];
  }
  const budget = Math.min(freemem() / 4, 4 * 1024 ** 3);
  return autoTileSize(model.spec.kind, budget, overlap);
}

/** Whether a model runs on a GPU, where every tile of a job should have one shape (see planTiles). */
export const onGpu = (model: LoadedModel): boolean => model.choice.device !== 'cpu';
