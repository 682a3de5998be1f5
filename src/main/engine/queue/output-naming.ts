import { join } from 'node:path';
import {
  NAME_FIELDS,
  nameTemplateIssue,
  outputFileName,
  type OutputFormatName,
} from '../../../shared/output-rules';

/** Throws a message naming the problem unless a name template is usable. */
export function checkNameTemplate(template: string): void {
  const issue = nameTemplateIssue(template);
  if (!issue) return;
  switch (issue.kind) {
    case 'folders':
      throw new Error(`name template "${template}" must not contain folders or ".."`);
    case 'unknown-field':
      throw new Error(
        `name template "${template}": unknown field {${issue.field}}; use ${NAME_FIELDS.map((f) => `{${f}}`).join(' ')}`,
      );
    case 'no-name':
      throw new Error(
        `name template "${template}" must contain {name}, or every output gets one name`,
      );
  }
}

/** The output file path of an input (the collision policy decides later if it is taken). */
export function plannedOutputPath(
  input: string,
  outDir: string,
  relDir: string,
  template: string,
  values: { scale: number; model: string; alpha?: number },
  format: OutputFormatName,
): string {
  return join(outDir, relDir, outputFileName(template, input, values, format));
}
