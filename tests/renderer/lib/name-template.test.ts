import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkNameTemplate } from '../../../src/main/engine/queue/output-plan';
import { defaultFormatFor, outputFileName } from '../../../src/shared/output-rules';

// The renderer module is loaded by path (tsconfig.node.json does not list it).
const { nameTemplateProblem } = (await import(
  /* @vite-ignore */ fileURLToPath(
    new URL('../../../src/renderer/lib/name-template.ts', import.meta.url),
  )
)) as {
  nameTemplateProblem(template: string): string | undefined;
};

describe('output names before start', () => {
  it('names files as the engine will', () => {
    const cases: [string, string, { scale: number; model: string; alpha?: number }, string][] = [
      ['{name}_x{scale}', '/p/beach.jpg', { scale: 4, model: 'photo-x4' }, 'beach_x4.jpg'],
      ['{name}_x{scale}', '/p/beach.final.PNG', { scale: 1.5, model: 'm' }, 'beach.final_x1.5.png'],
      [
        '{name}-{model}-a{alpha}',
        'C:/p/IMG_1.webp',
        { scale: 2, model: 'dial', alpha: 0.63 },
        'IMG_1-dial-a0.63.webp',
      ],
      ['{name}-{alpha}', '/p/x.tiff', { scale: 2, model: 'one' }, 'x-.tif'],
      ['{name}', '/p/IMG_0001.HEIC', { scale: 2, model: 'one' }, 'IMG_0001.jpg'],
      ['{name}', '/p/anim.gif', { scale: 2, model: 'one' }, 'anim.png'],
    ];
    for (const [template, input, values, want] of cases) {
      const format = defaultFormatFor(input);
      expect(outputFileName(template, input, values, format)).toBe(want);
    }
  });

  it('accepts and refuses the templates the engine does', () => {
    for (const t of [
      '{name}',
      '{name}_x{scale}',
      'up-{name}-{model}-{alpha}',
      '{nam}',
      'a/{name}',
      '..{name}',
      'x',
      '{name}{size}',
    ]) {
      let engine: string | undefined;
      try {
        checkNameTemplate(t);
      } catch (err) {
        engine = (err as Error).message;
      }
      expect(nameTemplateProblem(t) === undefined, t).toBe(engine === undefined);
    }
  });
});
