import { z } from 'zod';
import {
  ItemSettings,
  MetadataPolicy,
  OnExists,
  OutputFormatName,
  TiffCompression,
  TransparencyMode,
} from './queue';

const field = ItemSettings.shape;

/**
 * What a preset holds: the settings that decide the output file (model or pair, α, size, format
 * and its options, naming, metadata, transparency). Machine settings (device, precision, tile)
 * are left out: a preset made on one computer must mean the same on another. Absent keys mean
 * "the default" when the preset is applied, never "keep what the photo had".
 */
export const PresetSettings = z
  .object({
    model: field.model,
    alpha: field.alpha,
    scale: field.scale,
    width: field.width,
    height: field.height,
    format: OutputFormatName.optional(),
    quality: field.quality,
    compression: TiffCompression.optional(),
    bitDepth: field.bitDepth,
    effort: field.effort,
    keepPrintSize: z.boolean().optional(),
    keepMetadata: MetadataPolicy.optional(),
    transparency: TransparencyMode.optional(),
    tta: z.boolean().optional(),
    /** Output file name template ({name}, {scale}, {model}, {alpha}). */
    nameTemplate: z.string().min(1).optional(),
    onExists: OnExists.optional(),
  })
  .strict();
export type PresetSettings = z.infer<typeof PresetSettings>;

/** The item settings a preset sets when applied (everything but the naming keys). */
export const PRESET_ITEM_KEYS = [
  'model',
  'alpha',
  'scale',
  'width',
  'height',
  'format',
  'quality',
  'compression',
  'bitDepth',
  'effort',
  'keepPrintSize',
  'keepMetadata',
  'transparency',
  'tta',
] as const satisfies readonly (keyof PresetSettings & keyof ItemSettings)[];

/** A preset's name: what the user types after `--preset`, so no control characters. */
export const PresetName = z
  .string()
  .trim()
  .min(1, 'a preset name cannot be empty')
  .max(80, 'a preset name has at most 80 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'a preset name cannot hold control characters');

export const Preset = z.object({ name: PresetName, settings: PresetSettings }).strict();
export type Preset = z.infer<typeof Preset>;

/**
 * The presets file (`<user data>/presets.json`) as read: each entry is checked on its own (see
 * the preset store), so one hand-edited mistake does not hide the other presets.
 */
export const PresetsDocument = z.object({
  version: z.literal(1),
  presets: z.array(z.unknown()),
});
export type PresetsDocument = z.infer<typeof PresetsDocument>;

/** A preset the store could not use, with why (the file's entry is kept as it is). */
export const PresetProblem = z.object({ name: z.string().optional(), message: z.string() });
export type PresetProblem = z.infer<typeof PresetProblem>;

/** The presets as `upres presets --json` and the app's `presetList` give them. */
export const PresetListing = z.object({
  /** The presets file (shared by the app and the command line). */
  path: z.string(),
  presets: z.array(Preset),
  /** Entries that are not valid presets, and a set-aside unreadable file. */
  problems: z.array(PresetProblem),
});
export type PresetListing = z.infer<typeof PresetListing>;
