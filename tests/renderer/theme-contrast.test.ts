// The theme's colour pairs against WCAG 2.x AA, computed here with the formula of WCAG's
// definition of relative luminance (an oracle independent of axe-core, which only sees the pairs
// one run happens to render): text ≥ 4.5:1 on every surface, field edges, the focus ring and the
// progress fill ≥ 3:1 (1.4.11). Every colour a component writes text in must be one checked here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RENDERER = fileURLToPath(new URL('../../src/renderer/', import.meta.url));
const THEME = readFileSync(join(RENDERER, 'styles/theme.css'), 'utf8');

type Rgb = [number, number, number];

/** The `--name: #rrggbb` custom properties of the theme's :root. */
function themeColours(css: string): Map<string, Rgb> {
  const out = new Map<string, Rgb>();
  for (const m of css.matchAll(/--([\w-]+):\s*#([0-9a-f]{6})\b/gi))
    out.set(m[1], [0, 2, 4].map((i) => parseInt(m[2].slice(i, i + 2), 16)) as Rgb);
  return out;
}

/** WCAG 2.x relative luminance of an sRGB colour (0–255 channels). */
function luminance([r, g, b]: Rgb): number {
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio, 1–21. */
function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** `over` at `alpha` composited on `under`, as the browser paints a translucent box. */
function composite(over: Rgb, alpha: number, under: Rgb): Rgb {
  return over.map((c, i) => Math.round(c * alpha + under[i] * (1 - alpha))) as Rgb;
}

function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? svelteFiles(join(dir, e.name))
      : e.name.endsWith('.svelte')
        ? [join(dir, e.name)]
        : [],
  );
}

const colours = themeColours(THEME);
const c = (name: string): Rgb => {
  const rgb = colours.get(name);
  if (!rgb) throw new Error(`theme.css has no --${name}`);
  return rgb;
};

/** Where text sits: the window, panels, raised boxes, the image canvas, a selected row. */
const SURFACES = ['bg', 'panel', 'panel-raised', 'canvas', 'selected'];
/** The colours text is written in. */
const TEXT = ['text', 'text-dim', 'text-faint', 'accent', 'error', 'ok'];

describe('the contrast formula', () => {
  it('gives the known figures', () => {
    expect(contrast([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrast([255, 255, 255], [255, 255, 255])).toBe(1);
    // #767676 is the lightest grey with 4.5:1 on white; #777777 just misses it.
    expect(contrast([0x76, 0x76, 0x76], [255, 255, 255])).toBeCloseTo(4.54, 2);
    expect(contrast([0x77, 0x77, 0x77], [255, 255, 255])).toBeLessThan(4.5);
  });
});

describe('theme.css meets WCAG AA', () => {
  it('every text colour on every surface: at least 4.5:1', () => {
    const low: string[] = [];
    for (const fg of TEXT)
      for (const bg of SURFACES) {
        const ratio = contrast(c(fg), c(bg));
        if (ratio < 4.5) low.push(`--${fg} on --${bg}: ${ratio.toFixed(2)}`);
      }
    expect(low).toEqual([]);
  });

  it('words on an accent face: at least 4.5:1', () => {
    expect(contrast(c('on-accent'), c('accent'))).toBeGreaterThanOrEqual(4.5);
  });

  it('a primary button’s words on its face: at least 4.5:1', () => {
    const face = /button\.primary\s*{[^}]*background:\s*#([0-9a-f]{6})/i.exec(THEME);
    expect(face).not.toBeNull();
    const rgb = [0, 2, 4].map((i) => parseInt(face![1].slice(i, i + 2), 16)) as Rgb;
    expect(contrast(c('text'), rgb)).toBeGreaterThanOrEqual(4.5);
  });

  it('field edges, the focus ring and the progress fill: at least 3:1 where they sit', () => {
    const low: string[] = [];
    const need = (fg: string, bgs: string[]): void => {
      for (const bg of bgs) {
        const ratio = contrast(c(fg), c(bg));
        if (ratio < 3) low.push(`--${fg} against --${bg}: ${ratio.toFixed(2)}`);
      }
    };
    need('border-field', ['bg', 'panel', 'panel-raised', 'canvas']);
    need('accent', [...SURFACES, 'track']);
    need('divider', ['canvas']);
    expect(low).toEqual([]);
    expect(THEME).toMatch(/input,\s*select\s*{[^}]*border:\s*1px solid var\(--border-field\)/);
    expect(THEME).toMatch(/:focus-visible\s*{[^}]*outline:\s*2px solid var\(--accent\)/);
  });

  it('labels over the photo keep 4.5:1 even over white', () => {
    const white: Rgb = [255, 255, 255];
    let seen = 0;
    for (const file of svelteFiles(RENDERER)) {
      const css = readFileSync(file, 'utf8');
      // A rule that writes theme-coloured text on a translucent box over the image.
      for (const rule of css.matchAll(/{([^{}]*)}/g)) {
        const fg = /(?:^|[;\s])color:\s*var\(--([\w-]+)\)/.exec(rule[1]);
        const box = /background:\s*rgb\((\d+) (\d+) (\d+) \/ ([\d.]+)\)/.exec(rule[1]);
        if (!fg || !box) continue;
        seen++;
        const bg = composite([+box[1], +box[2], +box[3]], +box[4], white);
        const at = `${file.slice(RENDERER.length)}: --${fg[1]} on ${box[0]}`;
        expect(contrast(c(fg[1]), bg), at).toBeGreaterThanOrEqual(4.5);
      }
    }
    expect(seen).toBeGreaterThanOrEqual(2);
  });

  it('components write text only in the colours checked above', () => {
    const strays: string[] = [];
    for (const file of svelteFiles(RENDERER)) {
      const style = /<style>([\s\S]*)<\/style>/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
      for (const m of style.matchAll(/(?:^|[;\s{])color:\s*([^;]+);/g)) {
        const value = m[1].trim();
        const theme = /^var\(--([\w-]+)\)$/.exec(value)?.[1];
        if (theme === undefined ? value !== 'inherit' : ![...TEXT, 'on-accent'].includes(theme))
          strays.push(`${file.slice(RENDERER.length)}: color: ${value}`);
      }
    }
    expect(strays).toEqual([]);
  });
});
