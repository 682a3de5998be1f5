// The engine's own sentences (item notes, queue warnings, error details) in the UI language. The
// engine sends each with its catalogue key and values beside its English text (shared/
// engine-message.ts); a sentence without a key (an old journal's note, a library's own message)
// is shown as the engine wrote it.
import type { EngineMessage, MessageParams } from '../../shared/engine-message';
import { locale, t, tMaybe } from './translate';

/** The language the engine writes its sentences in. */
export const ENGINE_LOCALE = 'en';

/**
 * Values that are another program's own words (libvips's, onnxruntime's, the system's: "premature
 * end of JPEG image"): they have no translation, so in another language they are quoted as what
 * they are, never passed off as the UI's sentence.
 */
const VERBATIM = new Set(['reason', 'error']);

function quoteVerbatim(params: MessageParams | undefined): MessageParams | undefined {
  if (!params) return params;
  const out: MessageParams = {};
  for (const [name, value] of Object.entries(params))
    out[name] =
      VERBATIM.has(name) && typeof value === 'string' && value !== ''
        ? t('common.verbatim', { text: value })
        : value;
  return out;
}

/** A sentence from the engine, in the UI language when its key is known. */
export function engineText(m: EngineMessage | string | undefined): string {
  if (m === undefined) return '';
  if (typeof m === 'string') return m;
  if (!m.key || locale() === ENGINE_LOCALE) return m.text;
  return tMaybe(m.key, quoteVerbatim(m.params)) ?? m.text;
}
