// The engine's rules for output name templates (shared/output-rules.ts), worded for the settings
// screen and checked as the user types.

import { nameTemplateIssue } from '../../shared/output-rules';
import { t } from '../i18n/translate';

/** The fields a template may use, as the help line lists them. */
export const TEMPLATE_FIELDS = '{name} {scale} {model} {alpha}';

/** Why a name template cannot be used, or undefined when it can. */
export function nameTemplateProblem(template: string): string | undefined {
  if (template.trim() === '') return t('settings.templateEmpty');
  const issue = nameTemplateIssue(template);
  switch (issue?.kind) {
    case undefined:
      return undefined;
    case 'folders':
      return t('settings.templateFolders');
    case 'unknown-field':
      return t('settings.templateUnknownField', {
        field: `{${issue.field}}`,
        fields: TEMPLATE_FIELDS,
      });
    case 'no-name':
      return t('settings.templateNoName', { field: '{name}' });
  }
}
