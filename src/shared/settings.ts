import { z } from 'zod';
import { DEFAULT_MODEL, DEFAULT_NAME_TEMPLATE } from './defaults';
import { DeviceRequest } from './device';
import { MetadataPolicy, OnExists, TransparencyMode } from './queue';

/** Preferences the app keeps between runs (the settings screen). */
export const AppSettings = z.object({
  device: DeviceRequest.default('auto'),
  /** Tile core in input px; undefined = auto from free memory. */
  tile: z.number().int().min(16).max(4096).optional(),
  /** Default export folder; empty = `<input folder>/upscaled`. */
  outDir: z.string().default(''),
  nameTemplate: z.string().min(1).default(DEFAULT_NAME_TEMPLATE),
  onExists: OnExists.default('suffix'),
  keepMetadata: MetadataPolicy.default('all'),
  transparency: TransparencyMode.default('resize'),
  /** Model or pair for new items. */
  model: z.string().default(DEFAULT_MODEL),
  /** Default α for new items of a pair (the pair's own when absent). */
  alpha: z.number().min(0).max(1).optional(),
  /** How the original is enlarged in the compare view. */
  compareResample: z.enum(['nearest', 'bicubic']).default('bicubic'),
  /** The app's language; `system` follows the operating system's preferred languages. */
  language: z.enum(['system', 'en', 'de']).default('system'),
});
export type AppSettings = z.infer<typeof AppSettings>;
