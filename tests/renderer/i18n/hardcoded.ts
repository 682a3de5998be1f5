// Finds user-visible text written into a Svelte component instead of taken from a catalogue:
// text nodes, and the literal parts of attributes people read (aria-label, title, placeholder,
// alt…), parsed with Svelte's own compiler so that script, style and class names never count.
import { parse } from 'svelte/compiler';

/** Attributes whose value is read by people or screen readers (on elements and components). */
const READ_ATTRIBUTES = new Set([
  'aria-label',
  'aria-description',
  'aria-valuetext',
  'aria-roledescription',
  'aria-placeholder',
  'title',
  'placeholder',
  'alt',
  'label',
  'legend',
  // Component props this app passes text through.
  'heading',
  'summary',
  'text',
  'message',
  'what',
  'hint',
  'caption',
  'description',
]);

/**
 * Text with letters that is still no word to translate: the dial's Greek letter α, which reads
 * the same in every language, and the brand name.
 */
export const ALLOWED = new Set(['α', 'Upres']);

export interface Finding {
  line: number;
  text: string;
}

interface Node {
  type?: string;
  start?: number;
  [key: string]: unknown;
}

// Keys of template nodes that hold more template (never JavaScript such as an #if's test).
const TEMPLATE_KEYS = [
  'attributes',
  'fragment',
  'nodes',
  'consequent',
  'alternate',
  'body',
  'fallback',
  'pending',
  'then',
  'catch',
];

const hasWords = (s: string): boolean => {
  const trimmed = s.replace(/\s+/g, ' ').trim();
  return /\p{L}/u.test(trimmed) && !ALLOWED.has(trimmed);
};

/** The string literals of an expression that end up shown: `a ? 'Yes' : 'No'`, `x || 'None'`. */
function shownLiterals(expr: Node | null | undefined): string[] {
  if (!expr) return [];
  switch (expr.type) {
    case 'Literal':
      return typeof expr.value === 'string' ? [expr.value] : [];
    case 'TemplateLiteral':
      return [
        ...(expr.quasis as { value: { cooked: string } }[]).map((q) => q.value.cooked),
        ...(expr.expressions as Node[]).flatMap(shownLiterals),
      ];
    case 'ConditionalExpression':
      return [...shownLiterals(expr.consequent as Node), ...shownLiterals(expr.alternate as Node)];
    case 'LogicalExpression':
      return [...shownLiterals(expr.left as Node), ...shownLiterals(expr.right as Node)];
    case 'BinaryExpression':
      return expr.operator === '+'
        ? [...shownLiterals(expr.left as Node), ...shownLiterals(expr.right as Node)]
        : [];
    default:
      // Calls (t('key'), format(…)), identifiers and members: their text comes from elsewhere.
      return [];
  }
}

/** Every hard-coded user-visible string of a component, with its line. */
export function hardcodedStrings(source: string, filename = 'component.svelte'): Finding[] {
  const ast = parse(source, { modern: true, filename });
  const found: Finding[] = [];
  const lineOf = (offset: number | undefined): number =>
    offset === undefined ? 0 : source.slice(0, offset).split('\n').length;
  const report = (text: string, at: Node): void => {
    if (hasWords(text)) found.push({ line: lineOf(at.start), text: text.trim() });
  };

  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const node = value as Node;
    if (node.type === 'Text') return report(String(node.data), node);
    if (node.type === 'ExpressionTag') {
      for (const s of shownLiterals(node.expression as Node)) report(s, node);
      return;
    }
    if (node.type === 'Attribute') {
      if (!READ_ATTRIBUTES.has(String(node.name))) return;
      const parts = Array.isArray(node.value) ? node.value : [node.value];
      for (const part of parts as Node[]) {
        if (part?.type === 'Text') report(String(part.data), node);
        else if (part?.type === 'ExpressionTag')
          for (const s of shownLiterals(part.expression as Node)) report(s, node);
      }
      return;
    }
    for (const key of TEMPLATE_KEYS) if (key in node) visit(node[key]);
  };
  visit(ast.fragment);
  return found;
}
