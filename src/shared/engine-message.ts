import { IntlMessageFormat } from 'intl-messageformat';
import { z } from 'zod';
import { ENGINE_MESSAGES_EN, type EngineMessageKey } from './messages';

export type { EngineMessageKey } from './messages';

/** The values a message's placeholders take (plain data: they cross IPC, HTTP and the journal). */
export const MessageParams = z.record(z.string(), z.union([z.string(), z.number()]));
export type MessageParams = z.infer<typeof MessageParams>;

/**
 * A sentence the engine shows a user (a note on an item, a warning, an error's detail): its
 * catalogue key and values, so the UI can say it in its own language, and its English text, which
 * the CLI prints and logs keep. Without a key it is text only (journals written before keys, and
 * sentences quoted from elsewhere, such as a library's own message).
 */
export const EngineMessage = z.object({
  key: z.string().optional(),
  params: MessageParams.optional(),
  text: z.string(),
});
export type EngineMessage = z.infer<typeof EngineMessage>;

/** A note as a journal holds it: journals written before keys hold plain strings. */
export const NoteEntry = z.union([
  z.string().transform((text): EngineMessage => ({ text })),
  EngineMessage,
]);

const flat = new Map<string, string>();
for (const [area, messages] of Object.entries(ENGINE_MESSAGES_EN))
  for (const [key, text] of Object.entries(messages as Record<string, string>))
    flat.set(`${area}.${key}`, text);
const compiled = new Map<string, IntlMessageFormat>();

/**
 * The engine's sentence for `key` with its values, worded in English from the catalogue. A key or
 * value the catalogue does not take still gives a sentence (the key and the values as they are),
 * never a throw: a note must not fail the photo it is about.
 */
export function msg(key: EngineMessageKey, params?: MessageParams): EngineMessage {
  const out: EngineMessage = params ? { key, params, text: '' } : { key, text: '' };
  out.text = englishText(key, params);
  return out;
}

function englishText(key: string, params?: MessageParams): string {
  const source = flat.get(key);
  if (source === undefined) return fallbackText(key, params);
  try {
    let f = compiled.get(key);
    if (!f) {
      f = new IntlMessageFormat(source, 'en');
      compiled.set(key, f);
    }
    const text = f.format(params);
    return typeof text === 'string' ? text : String(text);
  } catch {
    return fallbackText(key, params);
  }
}

function fallbackText(key: string, params?: MessageParams): string {
  return params ? `${key} ${JSON.stringify(params)}` : key;
}

/** The English text of a message or of a plain string. */
export function textOf(m: EngineMessage | string): string {
  return typeof m === 'string' ? m : m.text;
}

/** A message as it is, or a plain string as a text-only message. */
export function asMessage(m: EngineMessage | string): EngineMessage {
  return typeof m === 'string' ? { text: m } : m;
}
