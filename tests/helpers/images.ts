import sharp from 'sharp';
import type { Raster } from '../../src/main/engine/pipeline/raster';

export const DATASETS = new URL('../../../shared/datasets/', import.meta.url).pathname;

/** Reads an image file (or a crop of it) as an 8-bit RGB raster. */
export async function readRgb(
  path: string,
  crop?: { left: number; top: number; width: number; height: number },
): Promise<Raster> {
  let img = sharp(path).removeAlpha();
  if (crop) img = img.extract(crop);
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels,
    data: new Uint8Array(data),
  };
}
