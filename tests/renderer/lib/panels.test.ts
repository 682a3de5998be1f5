import { describe, expect, it } from 'vitest';
import { loadSvelteModule, rendererLib } from '../helpers/svelte-module';

// ---- the surface used, restated (tsconfig.node.json does not list the renderer) ----

type PanelName = 'queue' | 'inspector';
interface Panels {
  collapsed(panel: PanelName): boolean;
  toggle(panel: PanelName): void;
}
type PanelStorage = Pick<Storage, 'getItem' | 'setItem'>;

const { Panels, PANELS_KEY } = (await loadSvelteModule(rendererLib('panels.svelte.ts'))) as {
  Panels: new (storage: PanelStorage | undefined) => Panels;
  PANELS_KEY: string;
};

/** A Web Storage stand-in over a Map (optionally one that refuses writes). */
function memoryStorage(entries: Record<string, string> = {}, refuse = false) {
  const map = new Map(Object.entries(entries));
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => {
      if (refuse) throw new Error('QuotaExceededError');
      map.set(k, v);
    },
  };
}

describe('Panels: collapsible side panels, remembered in the window', () => {
  it('starts with both open, toggles one at a time and remembers the choice', () => {
    const storage = memoryStorage();
    const p = new Panels(storage);
    expect([p.collapsed('queue'), p.collapsed('inspector')]).toEqual([false, false]);
    p.toggle('inspector');
    expect([p.collapsed('queue'), p.collapsed('inspector')]).toEqual([false, true]);
    expect(JSON.parse(storage.map.get(PANELS_KEY)!)).toEqual({ queue: false, inspector: true });
    // A new window (a reload) reads what the last one left.
    const again = new Panels(storage);
    expect([again.collapsed('queue'), again.collapsed('inspector')]).toEqual([false, true]);
    again.toggle('inspector');
    expect(new Panels(storage).collapsed('inspector')).toBe(false);
  });

  it('forgets a damaged entry and works without storage or when writes are refused', () => {
    for (const bad of ['{not json', '[1,2]', '{"queue":"yes","inspector":1}', 'null']) {
      const p = new Panels(memoryStorage({ [PANELS_KEY]: bad }));
      expect([p.collapsed('queue'), p.collapsed('inspector')], bad).toEqual([false, false]);
    }
    const none = new Panels(undefined);
    none.toggle('queue');
    expect(none.collapsed('queue')).toBe(true);
    const refusing = new Panels(memoryStorage({}, true));
    refusing.toggle('queue');
    expect(refusing.collapsed('queue')).toBe(true);
  });
});
