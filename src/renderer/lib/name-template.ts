// The engine's rules for output name templates (shared/output-rules.ts), worded for the settings
// screen and checked as the user types.

import { nameTemplateIssue } from '../../shared/output-rules';

/** Why a name template cannot be used, or undefined when it can. */
export function nameTemplateProblem(template: string): string | undefined {
  if (template.trim() === '') return 'The template is empty.';
  const issue = nameTemplateIssue(template);
  switch (issue?.kind) {
    case undefined:
      return undefined;
    case 'folders':
      return 'A name cannot contain folders or “..”.';
    case 'unknown-field':
      return `Unknown field {${issue.field}}; use {name} {scale} {model} {alpha}.`;
    case 'no-name':
      return 'Include {name}, or every photo gets the same name.';
  }
}
