// The α values the strip shows. A window preference like the side panels: kept in the browser's
// storage, so the set survives the compare view being made anew and a reload.

import {
  addAlpha,
  DEFAULT_STRIP_ALPHAS,
  editAlpha,
  MAX_STRIP,
  nextAlpha,
  normaliseAlphas,
  removeAlpha,
  type StripEdit,
  type StripRefusal,
} from './compare-strip';

/** The storage key the set is kept under. */
export const STRIP_ALPHAS_KEY = 'upres.strip-alphas';

export type StripStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The strip's α set with its last refusal; changed only through the methods. */
export class StripAlphas {
  #alphas = $state.raw<readonly number[]>([...DEFAULT_STRIP_ALPHAS]);
  #refusal = $state.raw<StripRefusal | undefined>(undefined);
  readonly #storage: StripStorage | undefined;

  constructor(storage: StripStorage | undefined) {
    this.#storage = storage;
    try {
      const saved: unknown = JSON.parse(storage?.getItem(STRIP_ALPHAS_KEY) ?? 'null');
      if (Array.isArray(saved)) this.#alphas = normaliseAlphas(saved);
    } catch {
      // A damaged entry is forgotten: the default set.
    }
  }

  /** The values, ascending. */
  get alphas(): readonly number[] {
    return this.#alphas;
  }

  /** Why the last edit was refused (cleared by the next one that is not). */
  get refusal(): StripRefusal | undefined {
    return this.#refusal;
  }

  /** Whether "Add" can add a value. */
  get canAdd(): boolean {
    return this.#alphas.length < MAX_STRIP && nextAlpha(this.#alphas) !== undefined;
  }

  /** Adds the value `nextAlpha` proposes (or `value`). */
  add(value?: number): boolean {
    const v = value ?? nextAlpha(this.#alphas);
    if (v === undefined) return this.#apply(addAlpha(this.#alphas, 0));
    return this.#apply(addAlpha(this.#alphas, v));
  }

  remove(index: number): boolean {
    return this.#apply(removeAlpha(this.#alphas, index));
  }

  /** Replaces the value at `index` with a typed one. */
  edit(index: number, text: string): boolean {
    return this.#apply(editAlpha(this.#alphas, index, text));
  }

  reset(): void {
    this.#apply({ ok: true, alphas: [...DEFAULT_STRIP_ALPHAS] });
  }

  #apply(r: StripEdit): boolean {
    this.#refusal = r.ok ? undefined : r.reason;
    if (!r.ok) return false;
    this.#alphas = r.alphas;
    try {
      this.#storage?.setItem(STRIP_ALPHAS_KEY, JSON.stringify(r.alphas));
    } catch {
      // Storage full or refused: the set holds for this session only.
    }
    return true;
  }
}
