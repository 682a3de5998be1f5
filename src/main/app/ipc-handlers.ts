import { API_METHODS, channelOf } from '../../shared/api';
import { dispatchReply, type ApiHandlers } from '../engine';
import type { IpcEventLike } from './renderer-origin';

export type { ApiHandlers } from '../engine';

type Listener = (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>;

/** The slice of Electron's `ipcMain` used here, so tests can pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: Listener): void;
  removeHandler(channel: string): void;
}

/**
 * Registers one `ipcMain.handle` per API method: checks the sender, validates the request,
 * calls the handler and validates its response. Each call replies `{ ok: true, value }` or
 * `{ ok: false, error: { code, message } }` (shared/ipc-reply.ts) and never rejects, so the
 * error's code crosses IPC; only a call from an untrusted sender is refused by throwing, outside
 * the contract. Returns a function that unregisters them all.
 */
export function registerApiHandlers(
  ipc: IpcMainLike,
  handlers: ApiHandlers,
  isTrustedSender: (event: IpcEventLike) => boolean,
): () => void {
  for (const method of API_METHODS) {
    ipc.handle(channelOf(method), async (event, ...args) => {
      if (!isTrustedSender(event)) {
        const from = event.senderFrame?.url ?? 'a destroyed frame';
        throw new Error(`${method}: refused a call from an untrusted sender (${from})`);
      }
      return dispatchReply(handlers, method, args[0]);
    });
  }
  return () => {
    for (const method of API_METHODS) ipc.removeHandler(channelOf(method));
  };
}
