import { z } from 'zod';
import { EngineMessage } from './engine-message';

/**
 * Every failure the engine reports has one of these codes. A fault is classified once, where it
 * arises (the decoder, the model registry, the runtime, the writer), and carried as a code across
 * IPC and HTTP; exit codes and user-facing wording are decided from the code, never by matching
 * message text.
 */
export const ERROR_CODES = [
  /** A request did not match the API contract (bad usage on the command line). */
  'request.invalid',
  /** A caller the transport does not trust: a wrong access token, a foreign origin or frame. */
  'request.refused',
  /** An id the request names does not exist (model, pair, queue item, image token). */
  'not-found',
  'model.unknown',
  /** A model file was refused: unknown layout, unsafe pickle, duplicate, external data… */
  'model.refused',
  'model.incompatible',
  'input.missing',
  'input.unreadable',
  'input.unsupported',
  'input.too-large',
  'output.exists',
  'output.too-large',
  'output.invalid',
  'disk.full',
  'disk.read-only',
  'disk.permission',
  'disk.error',
  'device.out-of-memory',
  'device.provider',
  'engine.stopped',
  /** A queue journal is being run by another live process. */
  'queue.busy',
  /** The render farm's Redis cannot be reached (wrong address, down, refused the password). */
  'farm.unreachable',
  'cancelled',
  'internal',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/**
 * The wire form of an error: what IPC and HTTP carry. `detail` is the message as a catalogue key
 * with its values (see engine-message.ts), for the UI to say in its own language; `message` is its
 * English text.
 */
export const ErrorPayload = z.object({
  code: ErrorCode,
  message: z.string(),
  detail: EngineMessage.optional(),
});
export type ErrorPayload = z.infer<typeof ErrorPayload>;

/**
 * An error with a code; `message` is complete and names the file or id it concerns. Given as an
 * EngineMessage (`msg(key, params)`), its text is the message and the message itself is kept as
 * `detail`, which the UI translates.
 */
export class UpresError extends Error {
  override name = 'UpresError';
  readonly detail: EngineMessage | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string | EngineMessage,
    options?: { cause?: unknown },
  ) {
    super(typeof message === 'string' ? message : message.text, options);
    this.detail = typeof message === 'string' || message.key === undefined ? undefined : message;
  }

  toPayload(): ErrorPayload {
    return this.detail
      ? { code: this.code, message: this.message, detail: this.detail }
      : { code: this.code, message: this.message };
  }

  static fromPayload(p: ErrorPayload): UpresError {
    return new UpresError(p.code, p.detail ? { ...p.detail, text: p.message } : p.message);
  }
}

/** The code of any thrown value: an UpresError's own, `internal` for everything else. */
export function errorCode(err: unknown): ErrorCode {
  return err instanceof UpresError ? err.code : 'internal';
}

/** The payload for any thrown value (a plain Error keeps its message under `internal`). */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof UpresError) return err.toPayload();
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** Whether a thrown value is an UpresError with one of the given codes. */
export function isError(err: unknown, ...codes: ErrorCode[]): err is UpresError {
  return err instanceof UpresError && codes.includes(err.code);
}
