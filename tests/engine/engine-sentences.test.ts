// Every sentence the engine can show a user comes from its message catalogues (src/shared/
// messages): an UpresError is given `msg(key, values)`, not a string written at the throw. This
// reads the engine's sources with the TypeScript parser and lists each `new UpresError(code, …)`
// whose message is literal text. `internal` errors (a bug, not something the user can act on) may
// stay English; so may `request.invalid` from the API's schema check, which only a program sees.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SCANNED = ['src/main', 'src/shared'];
const ENGLISH_ALLOWED = new Set(['internal', 'request.invalid']);

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Whether an expression is text written in place (a literal, a template, or one glued with +). */
function isLiteralText(e: ts.Expression): boolean {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isTemplateExpression(e))
    return true;
  if (ts.isParenthesizedExpression(e)) return isLiteralText(e.expression);
  if (ts.isConditionalExpression(e)) return isLiteralText(e.whenTrue) || isLiteralText(e.whenFalse);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken)
    return isLiteralText(e.left) || isLiteralText(e.right);
  return false;
}

/** `file:line code` for each UpresError whose message is literal text, in one source text. */
export function literalErrors(path: string, text: string): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'UpresError' &&
      node.arguments &&
      node.arguments.length >= 2
    ) {
      const [code, message] = node.arguments;
      const codeText = ts.isStringLiteralLike(code) ? code.text : '?';
      if (!ENGLISH_ALLOWED.has(codeText) && isLiteralText(message)) {
        const { line } = file.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${relative(ROOT, path)}:${line + 1} ${codeText}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('the engine’s sentences', () => {
  it('every UpresError a user can see is worded from the catalogues', () => {
    const found = SCANNED.flatMap(sources).flatMap((p) =>
      literalErrors(p, readFileSync(p, 'utf8')),
    );
    expect(found).toEqual([]);
  });

  it('the check finds literal, template and glued messages, and leaves msg() and internal ones', () => {
    const code = [
      "throw new UpresError('input.unreadable', 'not an image');",
      "throw new UpresError('input.unreadable', `${f}: not an image`);",
      "throw new UpresError('disk.full', f + ': full');",
      "throw new UpresError('input.missing', msg('pipeline.missing', { file }));",
      "throw new UpresError('internal', `unreachable ${x}`);",
      'throw new UpresError(code, message);',
    ].join('\n');
    expect(literalErrors(join(ROOT, 'x.ts'), code)).toEqual([
      'x.ts:1 input.unreadable',
      'x.ts:2 input.unreadable',
      'x.ts:3 disk.full',
    ]);
  });
});
