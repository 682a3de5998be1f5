// Reads ICU messages the way the app does (intl-messageformat's parser) to compare locales.
import { IntlMessageFormat } from 'intl-messageformat';

interface AstNode {
  type: number;
  value?: string;
  options?: Record<string, { value: AstNode[] }>;
  children?: AstNode[];
}

// intl-messageformat's element types (TYPE in @formatjs/icu-messageformat-parser): argument,
// number, date, time, select, plural, and tag (`<code>…</code>`, listed as "<code>").
const ARGUMENT_TYPES = new Set([1, 2, 3, 4, 5, 6]);
const TAG = 8;
const PLURAL = 6;

/** The placeholder names a message uses, sorted; throws on an ICU syntax error. */
export function placeholders(text: string, locale: string): string[] {
  const names = new Set<string>();
  const walk = (nodes: AstNode[]): void => {
    for (const n of nodes) {
      if (ARGUMENT_TYPES.has(n.type) && n.value) names.add(n.value);
      if (n.type === TAG && n.value) names.add(`<${n.value}>`);
      for (const option of Object.values(n.options ?? {})) walk(option.value);
      if (n.children) walk(n.children);
    }
  };
  walk(new IntlMessageFormat(text, locale).getAst() as unknown as AstNode[]);
  return [...names].sort();
}

/** The plural arguments of a message with the categories it lists ("one", "other", "=0"…). */
export function pluralForms(text: string, locale: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (nodes: AstNode[]): void => {
    for (const n of nodes) {
      if (n.type === PLURAL && n.value) out.set(n.value, Object.keys(n.options ?? {}));
      for (const option of Object.values(n.options ?? {})) walk(option.value);
      if (n.children) walk(n.children);
    }
  };
  walk(new IntlMessageFormat(text, locale).getAst() as unknown as AstNode[]);
  return out;
}

/** Each problem of `other` against `source`, one line each, naming the area file and key. */
export function compareCatalogues(
  source: Record<string, Record<string, string>>,
  other: Record<string, Record<string, string>>,
  locale: string,
): string[] {
  const problems: string[] = [];
  const areas = new Set([...Object.keys(source), ...Object.keys(other)]);
  for (const area of areas) {
    const src = source[area] ?? {};
    const dst = other[area];
    if (!dst) {
      problems.push(`${locale}/${area}.json is missing`);
      continue;
    }
    for (const key of Object.keys(src)) {
      const where = `${locale}/${area}.json "${key}"`;
      if (!(key in dst)) {
        problems.push(`${where} is missing`);
        continue;
      }
      if (dst[key].trim() === '') {
        problems.push(`${where} is empty`);
        continue;
      }
      try {
        const want = placeholders(src[key], 'en').join(', ');
        const got = placeholders(dst[key], locale).join(', ');
        if (want !== got) problems.push(`${where} has placeholders {${got}}, English {${want}}`);
        // A count English inflects must be inflected in the translation too.
        const translated = pluralForms(dst[key], locale);
        for (const arg of pluralForms(src[key], 'en').keys())
          if (!translated.has(arg)) problems.push(`${where} does not pluralise {${arg}}`);
      } catch (err) {
        problems.push(`${where} does not parse: ${(err as Error).message}`);
      }
    }
    for (const key of Object.keys(dst))
      if (!(key in src)) problems.push(`${locale}/${area}.json "${key}" is not in English`);
  }
  return problems;
}
