// The words of the α strip, the A/B flicker and the shortcuts sheet, from the `compare` catalogue
// (src/renderer/i18n/messages/*/compare.json). Getters and functions, so that a template reading
// them follows a switch of language.

import { t } from '../i18n/translate';
import type { PaneKind, StripRefusal } from './compare-strip';
import { formatAlpha, formatNumber } from './format';

const KINDS = {
  exact: 'compare.kindExact',
  blend: 'compare.kindBlend',
  stale: 'compare.kindRendering',
  rendering: 'compare.kindRendering',
  waiting: 'compare.kindWaiting',
  failed: 'compare.kindFailed',
  original: 'compare.kindOriginal',
} as const;

export const STRIP_TEXT = {
  get mode(): string {
    return t('compare.stripMode');
  },
  get modeTitle(): string {
    return t('compare.stripModeTitle');
  },
  /** Why the strip cannot be shown for a photo whose model is not a pair. */
  unavailable: (model: string | undefined): string =>
    model ? t('compare.stripUnavailable', { model }) : t('compare.stripUnavailableNoModel'),
  unavailableTitle: (model: string | undefined): string =>
    model
      ? t('compare.stripUnavailableTitle', { model })
      : t('compare.stripUnavailableTitleNoModel'),
  get zoomIn(): string {
    return t('compare.stripZoomIn');
  },
  /** The toolbar's words while the strip renders and once it has. */
  progress: (done: number, total: number): string => t('compare.stripProgress', { done, total }),
  finished: (total: number, seconds: number | undefined): string =>
    seconds === undefined
      ? t('compare.stripFinished', { total })
      : t('compare.stripFinishedIn', {
          total,
          seconds: formatNumber(seconds, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
        }),
  get failed(): string {
    return t('compare.stripFailed');
  },
  get barLabel(): string {
    return t('compare.stripBarLabel');
  },
  valueLabel: (a: number): string => t('compare.stripValueLabel', { alpha: formatAlpha(a) }),
  remove: (a: number): string => t('compare.stripRemove', { alpha: formatAlpha(a) }),
  get add(): string {
    return t('compare.stripAdd');
  },
  addFull: (max: number): string => t('compare.stripFull', { max }),
  get reset(): string {
    return t('compare.stripReset');
  },
  get resetTitle(): string {
    return t('compare.stripResetTitle');
  },
  refusal: (r: StripRefusal): string => {
    switch (r.kind) {
      case 'not-a-number':
        return t('compare.refusalNotANumber', { text: r.text });
      case 'out-of-range':
        return t('compare.refusalOutOfRange', { value: formatNumber(r.value) });
      case 'duplicate':
        return t('compare.refusalDuplicate', { alpha: formatAlpha(r.value) });
      case 'too-many':
        return t('compare.stripFull', { max: r.max });
      case 'too-few':
        return t('compare.refusalTooFew', { min: r.min });
    }
  },
  paneLabel: (a: number): string => t('compare.paneLabel', { alpha: formatAlpha(a) }),
  paneName: (a: number, current: boolean): string =>
    t(current ? 'compare.paneNameCurrent' : 'compare.paneName', { alpha: formatAlpha(a) }),
  get paneLocked(): string {
    return t('compare.paneLocked');
  },
  get current(): string {
    return t('compare.paneCurrent');
  },
  /** The word for what a pane shows. */
  kind: (k: PaneKind | 'blend' | 'original'): string => t(KINDS[k]),
  get viewport(): string {
    return t('compare.stripViewport');
  },
};

export const FLICKER_TEXT = {
  get button(): string {
    return t('compare.flickerButton');
  },
  get title(): string {
    return t('compare.flickerTitle');
  },
  get original(): string {
    return t('compare.flickerOriginal');
  },
};

export const SHORTCUTS_TEXT = {
  /** The button's face: a symbol, the same in every language. */
  button: '?',
  get title(): string {
    return t('compare.shortcutsTitle');
  },
  get heading(): string {
    return t('compare.shortcutsHeading');
  },
  get close(): string {
    return t('compare.shortcutsClose');
  },
  get keys(): string {
    return t('compare.shortcutsKeys');
  },
  get action(): string {
    return t('compare.shortcutsAction');
  },
  get or(): string {
    return t('compare.shortcutsOr');
  },
  where: (where: string): string => t('compare.shortcutsWhere', { where }),
};
