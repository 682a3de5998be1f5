import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSvelteModule, rendererLib } from '../helpers/svelte-module';

// Loaded by path (tsconfig.node.json does not list the renderer); the surface is restated here.
const src = (p: string): string =>
  fileURLToPath(new URL(`../../../src/renderer/${p}`, import.meta.url));

interface Shortcut {
  id: string;
  combos: readonly (readonly string[])[];
  what: string;
  where?: string;
}
const sheet = (await import(/* @vite-ignore */ src('lib/compare-shortcuts.ts'))) as {
  SHORTCUT_GROUPS: readonly { title: string; shortcuts: readonly Shortcut[] }[];
  keyCap(key: string, mac?: boolean): string | { word: string };
};
type KeyEvent = { key: string; ctrlKey: boolean; altKey: boolean; metaKey: boolean };
const keys = (await import(/* @vite-ignore */ src('lib/compare-keys.ts'))) as {
  FLICKER_KEY: string;
  zoomKeyAction(key: string): string | undefined;
  panKeyMove(key: string, shift: boolean): [number, number] | undefined;
  dividerKeyMove(key: string, shift: boolean, divider: number): number | undefined;
  isFlickerKey(e: KeyEvent): boolean;
  isShortcutsKey(e: Pick<KeyEvent, 'key' | 'ctrlKey' | 'metaKey'>): boolean;
  isChooseKey(key: string): boolean;
};

const all = sheet.SHORTCUT_GROUPS.flatMap((g) => g.shortcuts);
const byId = (id: string): Shortcut => all.find((s) => s.id === id)!;
const singles = (id: string): string[] =>
  byId(id)
    .combos.filter((c) => c.length === 1)
    .map((c) => c[0]);
/** Every key a handler could be asked about: printable ASCII and the named keys. */
const CANDIDATES = [
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
  ...['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'],
  ...['Enter', 'Escape', 'Delete', 'Backspace', 'Tab'],
];
const plain = (key: string): KeyEvent => ({ key, ctrlKey: false, altKey: false, metaKey: false });

describe('the shortcuts sheet lists the keys the handlers have', () => {
  it('zoom: exactly the keys zoomKeyAction takes, each under what it does', () => {
    const listed = new Map<string, string>();
    for (const [id, action] of [
      ['zoom-in', 'in'],
      ['zoom-out', 'out'],
      ['zoom-fit', 'fit'],
      ['zoom-actual', 'actual'],
    ])
      for (const k of singles(id)) listed.set(k, action);
    const handled = new Map(
      CANDIDATES.filter((k) => keys.zoomKeyAction(k)).map((k) => [k, keys.zoomKeyAction(k)!]),
    );
    expect(listed).toEqual(handled);
  });

  it('panning, the divider, the flicker, the sheet and a strip pane', () => {
    expect(new Set(singles('pan-keys'))).toEqual(
      new Set(CANDIDATES.filter((k) => keys.panKeyMove(k, false))),
    );
    expect(byId('pan-keys-far').combos[0][0]).toBe('Shift');
    const divider = [...singles('divider'), ...singles('divider-ends')];
    expect(new Set(divider)).toEqual(
      new Set(CANDIDATES.filter((k) => keys.dividerKeyMove(k, false, 0.5) !== undefined)),
    );
    expect(singles('flicker')).toEqual(CANDIDATES.filter((k) => keys.isFlickerKey(plain(k))));
    expect(singles('flicker')).toEqual([keys.FLICKER_KEY]);
    expect(singles('shortcuts')).toEqual(CANDIDATES.filter((k) => keys.isShortcutsKey(plain(k))));
    expect(new Set(singles('strip-choose').filter((k) => k !== 'Click'))).toEqual(
      new Set(CANDIDATES.filter(keys.isChooseKey)),
    );
  });

  it('the queue: every key its handler reads is listed, and none it does not', () => {
    // The queue's keys are read from its handler's source (they live in a component).
    const panel = readFileSync(src('components/queue/QueuePanel.svelte'), 'utf8');
    const handler = panel.slice(panel.indexOf('function onkey'), panel.indexOf('</script>'));
    const read = new Set(
      [...handler.matchAll(/e\.key(?:\.toLowerCase\(\))? === '([^']+)'/g)].map((m) => m[1]),
    );
    const queue = sheet.SHORTCUT_GROUPS.find((g) => g.title === 'compare.groupQueue')!.shortcuts;
    const listed = new Set(
      queue
        .filter((s) => s.id !== 'add-path' && s.id !== 'queue-click')
        .flatMap((s) => s.combos.map((c) => c[c.length - 1])),
    );
    expect(listed).toEqual(read);
    expect(handler).toContain('e.altKey');
    expect(handler).toContain('e.shiftKey');
    expect(handler).toMatch(/e\.ctrlKey \|\| e\.metaKey/);
  });

  it('every word is in the English and the German catalogue', () => {
    const en = JSON.parse(readFileSync(src('i18n/messages/en/compare.json'), 'utf8')) as Record<
      string,
      string
    >;
    const de = JSON.parse(readFileSync(src('i18n/messages/de/compare.json'), 'utf8')) as Record<
      string,
      string
    >;
    const used = [
      ...sheet.SHORTCUT_GROUPS.map((g) => g.title),
      ...all.flatMap((s) => [s.what, ...(s.where ? [s.where] : [])]),
      ...all
        .flatMap((s) => s.combos.flat())
        .flatMap((k) => {
          const c = sheet.keyCap(k);
          return typeof c === 'string' ? [] : [c.word];
        }),
    ];
    for (const key of used) {
      expect(key.startsWith('compare.'), key).toBe(true);
      expect(en[key.slice('compare.'.length)], key).toBeTypeOf('string');
      expect(de[key.slice('compare.'.length)], key).toBeTypeOf('string');
    }
    expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
  });

  it('key caps: arrows as arrows, Ctrl as ⌘ and Alt as ⌥ on a Mac, punctuation as itself', () => {
    expect(sheet.keyCap('ArrowLeft')).toBe('←');
    expect(sheet.keyCap('Mod')).toEqual({ word: 'compare.keyCtrl' });
    expect(sheet.keyCap('Mod', true)).toBe('⌘');
    expect(sheet.keyCap('Alt', true)).toBe('⌥');
    expect(sheet.keyCap('\\')).toBe('\\');
    expect(sheet.keyCap('-')).toBe('−');
  });
});

describe('the flicker and sheet keys', () => {
  it('\\ alone or with AltGr (Ctrl+Alt) flickers; with Ctrl or ⌘ it does not', () => {
    expect(keys.isFlickerKey(plain('\\'))).toBe(true);
    expect(keys.isFlickerKey({ key: '\\', ctrlKey: true, altKey: true, metaKey: false })).toBe(
      true,
    );
    expect(keys.isFlickerKey({ key: '\\', ctrlKey: true, altKey: false, metaKey: false })).toBe(
      false,
    );
    expect(keys.isFlickerKey({ key: '\\', ctrlKey: false, altKey: false, metaKey: true })).toBe(
      false,
    );
    expect(keys.isShortcutsKey({ key: '?', ctrlKey: false, metaKey: false })).toBe(true);
    expect(keys.isShortcutsKey({ key: '?', ctrlKey: true, metaKey: false })).toBe(false);
  });

  it('the original is on show while the key or the button holds it', async () => {
    const { CompareState } = (await loadSvelteModule(rendererLib('compare-state.svelte.ts'))) as {
      CompareState: new () => {
        readonly showingOriginal: boolean;
        holdOriginal(by: 'key' | 'button', on: boolean): void;
      };
    };
    const c = new CompareState();
    expect(c.showingOriginal).toBe(false);
    c.holdOriginal('key', true);
    c.holdOriginal('button', true);
    c.holdOriginal('key', false);
    expect(c.showingOriginal).toBe(true);
    c.holdOriginal('button', false);
    expect(c.showingOriginal).toBe(false);
  });
});

describe('the dial’s preview while the strip is on show', () => {
  it('asks for no exact render of its own until the strip lets go', async () => {
    const { PreviewState } = (await loadSvelteModule(rendererLib('preview-state.svelte.ts'))) as {
      PreviewState: new (opts: unknown) => {
        setTarget(t: unknown): void;
        setRegion(r: unknown): void;
        holdExact(held: boolean): void;
        dispose(): void;
      };
    };
    const asked: unknown[] = [];
    const p = new PreviewState({
      api: {
        preview: (r: unknown) => {
          asked.push(r);
          return new Promise(() => undefined);
        },
        previewEnds: () => new Promise(() => undefined),
        previewCancel: async () => ({ ok: true }),
        imageUrl: (t: string) => t,
        onEvent: () => () => undefined,
      },
      loadBitmap: async () => ({}),
      decode: async () => undefined,
      onSettle: () => undefined,
    });
    p.holdExact(true);
    p.setTarget({ id: 'a', done: false, pair: false, exportAlpha: undefined });
    p.setRegion({ x: 0, y: 0, w: 8, h: 8 });
    await new Promise((r) => setTimeout(r, 0));
    expect(asked).toHaveLength(0);
    p.holdExact(false);
    expect(asked).toEqual([{ id: 'a', region: { x: 0, y: 0, w: 8, h: 8 } }]);
    p.dispose();
  });
});
