import { z } from 'zod';
import type { ApiMethod, ApiRequest, ApiResponse, UpresApi } from './api';
import { ErrorPayload, UpresError, toErrorPayload } from './errors';

// Electron's contextBridge copies only the message of an error thrown across it (its code would
// be lost) and ipcRenderer.invoke rewrites the message, so IPC handlers never throw: they reply
// with a value or a typed error, and the renderer turns the error back into an UpresError.

/** What every IPC handler (the API methods and the pickers) replies. */
export type IpcReply<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

const IpcReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorPayload }),
]);

/** Runs a handler and wraps its result or its failure (main side). */
export async function replyOf<T>(run: () => T | Promise<T>): Promise<IpcReply<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  }
}

/** Checks that a value crossing IPC is a reply; anything else becomes an `internal` error reply. */
export function asReply(reply: unknown, channel: string): IpcReply<unknown> {
  const r = IpcReplySchema.safeParse(reply);
  if (r.success) return r.data;
  return {
    ok: false,
    error: {
      code: 'internal',
      message: `${channel}: the main process sent no {ok, value | error} reply`,
    },
  };
}

/** The value of a reply, or its error thrown as an UpresError (renderer side). */
export function unwrapReply<T>(reply: IpcReply<T>): T {
  if (reply.ok) return reply.value;
  throw UpresError.fromPayload(reply.error);
}

/**
 * `window.upres` in the Electron app: the API's calls answering with replies instead of throwing,
 * the event subscription, image URLs, the native pickers and dropped-file paths; nothing else.
 */
export type UpresBridge = {
  [M in ApiMethod]: (request: ApiRequest<M>) => Promise<IpcReply<ApiResponse<M>>>;
} & Pick<UpresApi, 'onEvent' | 'imageUrl' | 'pathForFile'> & {
    choosePaths: (kind: 'files' | 'folder' | 'models') => Promise<IpcReply<string[]>>;
    showInFolder: (id: string) => Promise<IpcReply<null>>;
    onOpenPaths: NonNullable<UpresApi['onOpenPaths']>;
  };
