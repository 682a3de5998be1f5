import { join } from 'node:path';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import {
  defaultFormatFor,
  NAME_FIELDS,
  nameTemplateIssue,
  outputFileName,
  outputSize,
} from '../../../shared/output-rules';
import type { ItemSettings, OutputPlan, Placement } from '../../../shared/queue';

/** Throws a message naming the problem unless a name template is usable. */
export function checkNameTemplate(template: string): void {
  const issue = nameTemplateIssue(template);
  if (!issue) return;
  const fail = (message: EngineMessage): never => {
    throw new UpresError('request.invalid', message);
  };
  // The fields go in as values: braces in a catalogue sentence would be ICU syntax.
  switch (issue.kind) {
    case 'folders':
      return fail(msg('batch.templateFolders', { template }));
    case 'unknown-field':
      return fail(
        msg('batch.templateUnknownField', {
          template,
          field: `{${issue.field}}`,
          fields: NAME_FIELDS.map((f) => `{${f}}`).join(' '),
        }),
      );
    case 'no-name':
      return fail(msg('batch.templateNoName', { template, nameField: '{name}' }));
  }
}

/** What an item's plan is made from: where it is, what the user asked for, how big its input is. */
export interface PlanInput {
  input: string;
  relDir: string;
  placement: Placement;
  settings: ItemSettings;
  /** Input size, upright (from the header). */
  width: number;
  height: number;
}

/**
 * An item's planned output, from the one rule set in `output-rules.ts`: the size and the `{scale}`
 * the settings ask for (the requested scale, never a ratio of rounded pixel sizes), the format (the
 * input's if Upres writes it, else PNG) and the path the name template gives (before the collision
 * policy picks a `_1` variant).
 */
export function planOutput(p: PlanInput, modelScale: number): OutputPlan {
  const s = p.settings;
  const { outWidth, outHeight, scale } = outputSize(p.width, p.height, s, modelScale);
  const format = s.format ?? defaultFormatFor(p.input);
  const fileName = outputFileName(
    p.placement.nameTemplate,
    p.input,
    { scale, model: s.model, alpha: s.alpha },
    format,
  );
  return {
    path: join(p.placement.outDir, p.relDir, fileName),
    fileName,
    width: outWidth,
    height: outHeight,
    format,
    scale,
  };
}
