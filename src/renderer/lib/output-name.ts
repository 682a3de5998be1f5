// What an output file will be called, shown before anything runs. Mirrors the engine's naming.

import { fileName } from './format';

/** "2.0" → "2", 1.5 → "1.5". */
const num = (n: number): string => String(Math.round(n * 1000) / 1000);

/** Output format when none is chosen: the input's if Upres writes it, else PNG. */
export function defaultFormatFor(input: string): 'png' | 'jpeg' | 'webp' {
  const ext = input.toLowerCase().split('.').pop() ?? '';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'webp') return 'webp';
  return 'png';
}

/** The file name a template gives an input: "{name}_x{scale}" → "beach_x4.jpg". */
export function outputFileName(
  template: string,
  input: string,
  values: { scale: number; model: string; alpha?: number },
  format: 'png' | 'jpeg' | 'webp',
): string {
  const base = fileName(input).replace(/\.[^.]*$/, '');
  const fields: Record<string, string> = {
    name: base,
    scale: num(values.scale),
    model: values.model,
    alpha: values.alpha === undefined ? '' : num(values.alpha),
  };
  const name = template.replace(/\{(name|scale|model|alpha)\}/g, (_, f: string) => fields[f]);
  return `${name}.${format === 'jpeg' ? 'jpg' : format}`;
}
