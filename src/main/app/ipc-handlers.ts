import type { z } from 'zod';
import { API_METHODS, api, channelOf, type ApiContract, type ApiMethod } from '../../shared/api';
import type { IpcEventLike } from './renderer-origin';

/** One implementation per API method; they receive requests already validated. */
export type ApiHandlers = {
  [M in ApiMethod]: (
    request: z.output<ApiContract[M]['request']>,
  ) => Promise<z.input<ApiContract[M]['response']>>;
};

type Listener = (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>;

/** The slice of Electron's `ipcMain` used here, so tests can pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: Listener): void;
  removeHandler(channel: string): void;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unknown problem';
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${where}: ${issue.message}`;
}

/**
 * Registers one `ipcMain.handle` per API method: checks the sender, validates the request,
 * calls the handler and validates its response. Returns a function that unregisters them all.
 */
export function registerApiHandlers(
  ipc: IpcMainLike,
  handlers: ApiHandlers,
  isTrustedSender: (event: IpcEventLike) => boolean,
): () => void {
  for (const method of API_METHODS) {
    const { request, response } = api[method] as { request: z.ZodType; response: z.ZodType };
    const handler = handlers[method] as (this: ApiHandlers, req: unknown) => Promise<unknown>;
    ipc.handle(channelOf(method), async (event, ...args) => {
      if (!isTrustedSender(event)) {
        const from = event.senderFrame?.url ?? 'a destroyed frame';
        throw new Error(`${method}: refused a call from an untrusted sender (${from})`);
      }
      const parsed = request.safeParse(args[0]);
      if (!parsed.success) {
        throw new Error(`${method}: invalid request: ${describeIssue(parsed.error)}`);
      }
      const result = response.safeParse(await handler.call(handlers, parsed.data));
      if (!result.success) {
        throw new Error(
          `${method}: the engine returned an invalid response: ${describeIssue(result.error)}`,
        );
      }
      return result.data;
    });
  }
  return () => {
    for (const method of API_METHODS) ipc.removeHandler(channelOf(method));
  };
}
