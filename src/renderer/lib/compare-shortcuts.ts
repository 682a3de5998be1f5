// Every keyboard shortcut of the work screen, as the shortcuts sheet (`?`) lists them. Keys are
// written as `KeyboardEvent.key` values (a test checks them against the handlers in compare-keys.ts
// and the queue's), shown through `keyCap`; the words are message keys of the `compare` catalogue.

import type { MessageKey } from '../i18n/translate';
import { FLICKER_KEY } from './compare-keys';

/** One shortcut: the combinations that do it (each a list of keys held together) and what it does. */
export interface Shortcut {
  id: ShortcutId;
  /** Each entry is one combination; the keys of a combination are pressed together. */
  combos: readonly (readonly string[])[];
  what: MessageKey;
  /** Where it applies, when narrower than its group (e.g. "the divider focused"). */
  where?: MessageKey;
}

export type ShortcutId =
  | 'zoom-in'
  | 'zoom-out'
  | 'zoom-fit'
  | 'zoom-actual'
  | 'zoom-wheel'
  | 'pan-keys'
  | 'pan-keys-far'
  | 'pan-drag'
  | 'flicker'
  | 'shortcuts'
  | 'divider'
  | 'divider-far'
  | 'divider-ends'
  | 'dial-step'
  | 'dial-big-step'
  | 'dial-ends'
  | 'strip-choose'
  | 'queue-move-focus'
  | 'queue-extend'
  | 'queue-first-last'
  | 'queue-reorder'
  | 'queue-remove'
  | 'queue-select-all'
  | 'queue-click'
  | 'add-path';

export interface ShortcutGroup {
  title: MessageKey;
  shortcuts: readonly Shortcut[];
}

/** Keys shown as a symbol, the same in every language. */
const SYMBOLS: Record<string, string> = {
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
  '-': '−',
};

/** Keys shown as a word of the user's language (Strg, Umschalt, …), or ⌘ / ⌥ on a Mac. */
const WORDS: Record<string, MessageKey> = {
  ' ': 'compare.keySpace',
  Shift: 'compare.keyShift',
  Mod: 'compare.keyCtrl',
  Alt: 'compare.keyAlt',
  PageUp: 'compare.keyPageUp',
  PageDown: 'compare.keyPageDown',
  Home: 'compare.keyHome',
  End: 'compare.keyEnd',
  Enter: 'compare.keyEnter',
  Delete: 'compare.keyDelete',
  Backspace: 'compare.keyBackspace',
  Escape: 'compare.keyEscape',
  Wheel: 'compare.keyWheel',
  Drag: 'compare.keyDrag',
  Click: 'compare.keyClick',
};

/**
 * How a key is shown on its key cap: a symbol, a message key to translate (`{ word }`), or the
 * key itself (letters, digits, punctuation).
 */
export function keyCap(key: string, mac = false): string | { word: MessageKey } {
  if (mac && key === 'Mod') return '⌘';
  if (mac && key === 'Alt') return '⌥';
  if (key in SYMBOLS) return SYMBOLS[key];
  if (key in WORDS) return { word: WORDS[key] };
  return key;
}

const ARROWS = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'];
const one = (...keys: string[]): string[][] => keys.map((k) => [k]);

/** The sheet's contents, in the order shown. */
export const SHORTCUT_GROUPS: readonly ShortcutGroup[] = [
  {
    title: 'compare.groupCompare',
    shortcuts: [
      { id: 'zoom-in', combos: one('+', '='), what: 'compare.scZoomIn' },
      { id: 'zoom-out', combos: one('-', '_'), what: 'compare.scZoomOut' },
      { id: 'zoom-fit', combos: one('0'), what: 'compare.scZoomFit' },
      { id: 'zoom-actual', combos: one('1'), what: 'compare.scZoomActual' },
      { id: 'zoom-wheel', combos: one('Wheel'), what: 'compare.scZoomWheel' },
      {
        id: 'pan-keys',
        combos: one(...ARROWS),
        what: 'compare.scPanKeys',
        where: 'compare.whereImage',
      },
      {
        id: 'pan-keys-far',
        combos: [['Shift', 'ArrowLeft']],
        what: 'compare.scPanKeysFar',
        where: 'compare.whereImage',
      },
      { id: 'pan-drag', combos: [['Drag'], [' ', 'Drag']], what: 'compare.scPanDrag' },
      { id: 'flicker', combos: one(FLICKER_KEY), what: 'compare.scFlicker' },
      { id: 'shortcuts', combos: one('?'), what: 'compare.scShortcuts' },
    ],
  },
  {
    title: 'compare.groupDivider',
    shortcuts: [
      {
        id: 'divider',
        combos: one('ArrowLeft', 'ArrowRight'),
        what: 'compare.scDivider',
        where: 'compare.whereDivider',
      },
      {
        id: 'divider-far',
        combos: [
          ['Shift', 'ArrowLeft'],
          ['Shift', 'ArrowRight'],
        ],
        what: 'compare.scDividerFar',
        where: 'compare.whereDivider',
      },
      {
        id: 'divider-ends',
        combos: one('Home', 'End'),
        what: 'compare.scDividerEnds',
        where: 'compare.whereDivider',
      },
    ],
  },
  {
    title: 'compare.groupDial',
    shortcuts: [
      {
        id: 'dial-step',
        combos: one(...ARROWS),
        what: 'compare.scDialStep',
        where: 'compare.whereDial',
      },
      {
        id: 'dial-big-step',
        combos: one('PageUp', 'PageDown'),
        what: 'compare.scDialBigStep',
        where: 'compare.whereDial',
      },
      {
        id: 'dial-ends',
        combos: one('Home', 'End'),
        what: 'compare.scDialEnds',
        where: 'compare.whereDial',
      },
      {
        id: 'strip-choose',
        combos: one('Click', 'Enter', ' '),
        what: 'compare.scStripChoose',
        where: 'compare.wherePane',
      },
    ],
  },
  {
    title: 'compare.groupQueue',
    shortcuts: [
      {
        id: 'queue-move-focus',
        combos: one('ArrowUp', 'ArrowDown'),
        what: 'compare.scQueueMoveFocus',
        where: 'compare.wherePhoto',
      },
      {
        id: 'queue-extend',
        combos: [
          ['Shift', 'ArrowUp'],
          ['Shift', 'ArrowDown'],
        ],
        what: 'compare.scQueueExtend',
        where: 'compare.wherePhoto',
      },
      {
        id: 'queue-first-last',
        combos: one('Home', 'End'),
        what: 'compare.scQueueFirstLast',
        where: 'compare.wherePhoto',
      },
      {
        id: 'queue-reorder',
        combos: [
          ['Alt', 'ArrowUp'],
          ['Alt', 'ArrowDown'],
        ],
        what: 'compare.scQueueReorder',
        where: 'compare.wherePhoto',
      },
      {
        id: 'queue-remove',
        combos: one('Delete', 'Backspace'),
        what: 'compare.scQueueRemove',
        where: 'compare.wherePhoto',
      },
      {
        id: 'queue-select-all',
        combos: [['Mod', 'a']],
        what: 'compare.scQueueSelectAll',
        where: 'compare.wherePhoto',
      },
      {
        id: 'queue-click',
        combos: [
          ['Shift', 'Click'],
          ['Mod', 'Click'],
        ],
        what: 'compare.scQueueClick',
      },
      {
        id: 'add-path',
        combos: one('Enter'),
        what: 'compare.scAddPath',
        where: 'compare.whereAddPath',
      },
    ],
  },
];
