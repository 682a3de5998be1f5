import { basename, extname, join } from 'node:path';

const FIELDS = ['name', 'scale', 'model', 'alpha'] as const;
type Field = (typeof FIELDS)[number];

/** Throws a message naming the problem unless a name template is usable. */
export function checkNameTemplate(template: string): void {
  if (/[\\/]/.test(template) || template.includes('..'))
    throw new Error(`name template "${template}" must not contain folders or ".."`);
  for (const m of template.matchAll(/\{([^}]*)\}/g)) {
    if (!FIELDS.includes(m[1] as Field))
      throw new Error(
        `name template "${template}": unknown field {${m[1]}}; use ${FIELDS.map((f) => `{${f}}`).join(' ')}`,
      );
  }
  if (!template.includes('{name}'))
    throw new Error(
      `name template "${template}" must contain {name}, or every output gets one name`,
    );
}

/** "2.0" → "2", 1.5 → "1.5". */
const num = (n: number): string => String(Math.round(n * 1000) / 1000);

/** The output file path of an input (the collision policy decides later if it is taken). */
export function plannedOutputPath(
  input: string,
  outDir: string,
  relDir: string,
  template: string,
  values: { scale: number; model: string; alpha?: number },
  extension: string,
): string {
  const fields: Record<Field, string> = {
    name: basename(input, extname(input)),
    scale: num(values.scale),
    model: values.model,
    alpha: values.alpha === undefined ? '' : num(values.alpha),
  };
  const name = template.replace(/\{(name|scale|model|alpha)\}/g, (_, f: Field) => fields[f]);
  return join(outDir, relDir, `${name}.${extension}`);
}
