// Which side panels of the work screen are open. A window preference, not a setting of the
// engine's: kept in the browser's storage so it survives a reload in that window.

export type PanelName = 'queue' | 'inspector';

/** The storage key the panel state is kept under. */
export const PANELS_KEY = 'upres.panels';

/** The part of the Web Storage API the panels use (absent storage: nothing is remembered). */
export type PanelStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** Open or collapsed side panels, remembered in `storage`. */
export class Panels {
  #collapsed = $state<Record<PanelName, boolean>>({ queue: false, inspector: false });
  readonly #storage: PanelStorage | undefined;

  constructor(storage: PanelStorage | undefined) {
    this.#storage = storage;
    try {
      const saved: unknown = JSON.parse(storage?.getItem(PANELS_KEY) ?? '{}');
      if (saved && typeof saved === 'object') {
        const s = saved as Partial<Record<PanelName, unknown>>;
        this.#collapsed = { queue: s.queue === true, inspector: s.inspector === true };
      }
    } catch {
      // A damaged entry is forgotten: both panels open.
    }
  }

  /** Whether a panel is collapsed. */
  collapsed(panel: PanelName): boolean {
    return this.#collapsed[panel];
  }

  /** Opens a collapsed panel, collapses an open one; remembered at once. */
  toggle(panel: PanelName): void {
    this.#collapsed = { ...this.#collapsed, [panel]: !this.#collapsed[panel] };
    try {
      this.#storage?.setItem(PANELS_KEY, JSON.stringify(this.#collapsed));
    } catch {
      // Storage full or refused: the choice holds for this session only.
    }
  }
}
