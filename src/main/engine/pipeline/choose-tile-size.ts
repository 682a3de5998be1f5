import { freemem } from 'node:os';
import type { LoadedModel } from '../runtime/loaded-model';
import { autoTileSize } from './tile-plan';

/** Tile core size for a model from free memory (a quarter of it, at most 4 GiB). */
export function chooseTileSize(model: LoadedModel, overlap: number): number {
  const budget = Math.min(freemem() / 4, 4 * 1024 ** 3);
  return autoTileSize(model.spec.kind, budget, overlap);
}
