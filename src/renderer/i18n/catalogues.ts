// One file per area per locale, so that people can add keys to different areas at the same time.
// A new area is one JSON file in each locale folder and one line in each list below.
import enA11y from './messages/en/a11y.json';
import enApp from './messages/en/app.json';
import enCommon from './messages/en/common.json';
import enCompare from './messages/en/compare.json';
import enErrors from './messages/en/errors.json';
import enFormat from './messages/en/format.json';
import enInspector from './messages/en/inspector.json';
import enModels from './messages/en/models.json';
import enOs from './messages/en/os.json';
import enQueue from './messages/en/queue.json';
import enSettings from './messages/en/settings.json';
import deA11y from './messages/de/a11y.json';
import deApp from './messages/de/app.json';
import deCommon from './messages/de/common.json';
import deCompare from './messages/de/compare.json';
import deErrors from './messages/de/errors.json';
import deFormat from './messages/de/format.json';
import deInspector from './messages/de/inspector.json';
import deModels from './messages/de/models.json';
import deOs from './messages/de/os.json';
import deQueue from './messages/de/queue.json';
import deSettings from './messages/de/settings.json';
import type { Locale } from './locales';
import { ENGINE_MESSAGES_DE, ENGINE_MESSAGES_EN } from '../../shared/messages';

/** English is the source: its keys are the keys every locale must have. */
const en = {
  a11y: enA11y,
  app: enApp,
  common: enCommon,
  compare: enCompare,
  errors: enErrors,
  format: enFormat,
  inspector: enInspector,
  models: enModels,
  os: enOs,
  queue: enQueue,
  settings: enSettings,
  // The engine's own sentences (notes, warnings, error details): src/shared/messages.
  ...ENGINE_MESSAGES_EN,
};

type Areas = typeof en;
export type Area = keyof Areas;

/** Every message key: `<area>.<key in that area's file>`, e.g. "queue.addPhotos". */
export type MessageKey = { [A in Area]: `${A}.${keyof Areas[A] & string}` }[Area];

/** A locale's area files; `string` values, so a locale may lag (the locale test catches it). */
export type AreaFiles = Record<Area, Record<string, string>>;

/** The area files of each locale, as written (the locale test compares them). */
export const AREA_FILES: Record<Locale, AreaFiles> = {
  en,
  de: {
    a11y: deA11y,
    app: deApp,
    common: deCommon,
    compare: deCompare,
    errors: deErrors,
    format: deFormat,
    inspector: deInspector,
    models: deModels,
    os: deOs,
    queue: deQueue,
    settings: deSettings,
    ...ENGINE_MESSAGES_DE,
  },
};

/** A locale's messages, keyed `<area>.<key>`. */
export function flatCatalogue(locale: Locale): Map<string, string> {
  const out = new Map<string, string>();
  for (const [area, messages] of Object.entries(AREA_FILES[locale]))
    for (const [key, text] of Object.entries(messages)) out.set(`${area}.${key}`, text);
  return out;
}
