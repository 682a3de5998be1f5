// Engine failures as the UI shows them. The engine words each message in English, complete and
// naming its file ("beach.jpg: not a readable image …"), under a code (shared/errors.ts). In
// English that message is shown as it is; in another language a translated headline for the
// code comes first, and the engine's sentence follows as the detail (the file and the specifics).
import { ERROR_CODES, ErrorPayload, type ErrorCode } from '../../shared/errors';
import type { EngineMessage } from '../../shared/engine-message';
import { ENGINE_LOCALE, engineText } from './engine-text';
import { locale, t, tMaybe } from './translate';

const isCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);

/** The headline for an error code in the UI language ("Datei nicht lesbar"). */
export function errorTitle(code: ErrorCode): string {
  return tMaybe(`errors.title.${code}`) ?? t('errors.title.internal');
}

/**
 * An engine message with its code, in the UI language: the headline for the code, then the
 * message itself, translated when it came with its catalogue key (`detail`).
 */
export function errorText(
  code: string | undefined,
  message: string,
  detail?: EngineMessage,
): string {
  if (locale() === ENGINE_LOCALE) return message;
  const title = errorTitle(isCode(code) ? code : 'internal');
  const said = detail ? engineText({ ...detail, text: message }) : message;
  return said ? t('errors.withDetail', { title, detail: said }) : title;
}

/**
 * What a caught failure says to the user: an UpresError (or its wire form) by its code, any other
 * error by its message under `internal`.
 */
export function errorMessage(err: unknown): string {
  const payload = ErrorPayload.safeParse(err);
  if (err instanceof Error || payload.success) {
    const code = payload.success ? payload.data.code : (err as { code?: unknown }).code;
    const message = payload.success ? payload.data.message : (err as Error).message;
    const detail = payload.success
      ? payload.data.detail
      : (err as { detail?: EngineMessage }).detail;
    return errorText(typeof code === 'string' ? code : undefined, message, detail);
  }
  return errorText(undefined, String(err));
}
