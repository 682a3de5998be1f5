// The engine's rules for output name templates, checked as the user types.

const FIELDS = ['name', 'scale', 'model', 'alpha'];

/** Why a name template cannot be used, or undefined when it can. */
export function nameTemplateProblem(template: string): string | undefined {
  if (template.trim() === '') return 'The template is empty.';
  if (/[\\/]/.test(template) || template.includes('..'))
    return 'A name cannot contain folders or “..”.';
  for (const m of template.matchAll(/\{([^}]*)\}/g))
    if (!FIELDS.includes(m[1]))
      return `Unknown field {${m[1]}}; use {name} {scale} {model} {alpha}.`;
  if (!template.includes('{name}')) return 'Include {name}, or every photo gets the same name.';
  return undefined;
}
