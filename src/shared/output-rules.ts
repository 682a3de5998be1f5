// How outputs are sized and named. The engine applies these rules and the renderer shows their
// result before anything runs, so both import them from here.

export type OutputFormatName = 'png' | 'jpeg' | 'webp' | 'tiff' | 'avif';

/** A format's file extension (without the dot). */
export function extensionFor(format: OutputFormatName): string {
  return format === 'jpeg' ? 'jpg' : format === 'tiff' ? 'tif' : format;
}

/** TIFF compression methods Upres writes (lossless all; Deflate is the default). */
export const TIFF_COMPRESSIONS = ['deflate', 'lzw', 'none'] as const;
export type TiffCompression = (typeof TIFF_COMPRESSIONS)[number];

/** Bits per channel each output format can hold. */
export const BIT_DEPTHS: Record<OutputFormatName, readonly number[]> = {
  png: [8, 16],
  jpeg: [8],
  webp: [8],
  tiff: [8, 16],
  avif: [8, 10, 12],
};

/** The settings that decide an output's size (a subset of ItemSettings). */
export interface SizeSettings {
  scale?: number;
  width?: number;
  height?: number;
}

/**
 * Output size for an input: an explicit scale, a target width and/or height (aspect ratio kept;
 * with both, the largest size that fits inside the box), or the model's own scale.
 */
export function outputSize(
  width: number,
  height: number,
  s: SizeSettings,
  modelScale: number,
): { outWidth: number; outHeight: number; scale: number } {
  let scale: number;
  if (s.scale !== undefined) scale = s.scale;
  else if (s.width !== undefined && s.height !== undefined)
    scale = Math.min(s.width / width, s.height / height);
  else if (s.width !== undefined) scale = s.width / width;
  else if (s.height !== undefined) scale = s.height / height;
  else scale = modelScale;
  const outWidth =
    s.width !== undefined && s.height === undefined && s.scale === undefined
      ? s.width
      : Math.max(1, Math.round(width * scale));
  const outHeight =
    s.height !== undefined && s.width === undefined && s.scale === undefined
      ? s.height
      : Math.max(1, Math.round(height * scale));
  return { outWidth, outHeight, scale };
}

/**
 * Output format for an input file when none is chosen: the input's if Upres writes it (a TIFF
 * gives a TIFF), JPEG for HEIC/HEIF (Upres has no HEVC encoder; iPhone photos are shared as
 * JPEG), else PNG.
 */
export function defaultFormatFor(input: string): OutputFormatName {
  const ext = input.toLowerCase().split('.').pop() ?? '';
  if (ext === 'jpg' || ext === 'jpeg' || ext === 'heic' || ext === 'heif') return 'jpeg';
  if (ext === 'webp') return 'webp';
  if (ext === 'tif' || ext === 'tiff') return 'tiff';
  if (ext === 'avif') return 'avif';
  return 'png';
}

export const NAME_FIELDS = ['name', 'scale', 'model', 'alpha'] as const;
type NameField = (typeof NAME_FIELDS)[number];

/** What is wrong with a name template, if anything (each side words it for its audience). */
export type NameTemplateIssue =
  { kind: 'folders' } | { kind: 'unknown-field'; field: string } | { kind: 'no-name' };

export function nameTemplateIssue(template: string): NameTemplateIssue | undefined {
  if (/[\\/]/.test(template) || template.includes('..')) return { kind: 'folders' };
  for (const m of template.matchAll(/\{([^}]*)\}/g))
    if (!NAME_FIELDS.includes(m[1] as NameField)) return { kind: 'unknown-field', field: m[1] };
  if (!template.includes('{name}')) return { kind: 'no-name' };
  return undefined;
}

/** "2.0" → "2", 1.5 → "1.5". */
const num = (n: number): string => String(Math.round(n * 1000) / 1000);

/** A path's file name without its extension ("/p/beach.final.PNG" → "beach.final"). */
function stem(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The file name a template gives an input: "{name}_x{scale}" → "beach_x4.jpg". */
export function outputFileName(
  template: string,
  input: string,
  values: { scale: number; model: string; alpha?: number },
  format: OutputFormatName,
): string {
  const fields: Record<NameField, string> = {
    name: stem(input),
    scale: num(values.scale),
    model: values.model,
    alpha: values.alpha === undefined ? '' : num(values.alpha),
  };
  const name = template.replace(/\{(name|scale|model|alpha)\}/g, (_, f: NameField) => fields[f]);
  return `${name}.${extensionFor(format)}`;
}
