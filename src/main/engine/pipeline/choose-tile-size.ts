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
export function chooseTileSize(
  model: LoadedModel,
  overlap: number,
  image?: { width: number; height: number },
): number {
  const { device, fp16 } = model.choice;
  const arch = architectureOf(model.spec);
  // A model whose output depends on the whole image (RealPLKSR's GroupNorm) runs it as one tile
  // when that fits: exact, and no whole-image passes over the tiles.
  const whole = image && model.wholeImagePasses(2) > 0 ? Math.max(image.width, image.height) : 0;
  if (device !== 'cpu') {
    const kept = userGpuTiles().get({ device, fp16, model: model.id });
    const side = kept ?? arch.tiling.gpuTile[fp16 ? 'fp16' : 'fp32'];
    return whole > 0 && whole <= side + 2 * overlap ? whole : side;
  }
  const budget = Math.min(freemem() / 4, 4 * 1024 ** 3);
  if (whole > 0 && image!.width * image!.height * arch.tiling.bytesPerPixel <= budget) return whole;
  return autoTileSize(model.spec.kind, budget, overlap);
}

/** Whether a model runs on a GPU, where every tile of a job should have one shape (see planTiles). */
export const onGpu = (model: LoadedModel): boolean => model.choice.device !== 'cpu';
