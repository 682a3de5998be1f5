import { API_METHODS, channelOf } from '../../shared/api';
import { dispatchApi, type ApiHandlers } from '../engine/service/api-dispatch';
import type { IpcEventLike } from './renderer-origin';

export type { ApiHandlers } from '../engine/service/api-dispatch';

type Listener = (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>;

/** The slice of Electron's `ipcMain` used here, so tests can pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: Listener): void;
  removeHandler(channel: string): void;
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
    ipc.handle(channelOf(method), async (event, ...args) => {
      if (!isTrustedSender(event)) {
        const from = event.senderFrame?.url ?? 'a destroyed frame';
        throw new Error(`${method}: refused a call from an untrusted sender (${from})`);
      }
      return dispatchApi(handlers, method, args[0]);
    });
  }
  return () => {
    for (const method of API_METHODS) ipc.removeHandler(channelOf(method));
  };
}
