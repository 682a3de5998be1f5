import { API_METHODS, channelOf, type UpresApi } from '../shared/api';

/** Electron's `ipcRenderer.invoke`, reduced to what the bridge uses. */
export type Invoke = (channel: string, request: unknown) => Promise<unknown>;

// ipcRenderer.invoke wraps a handler's error as "Error invoking remote method 'ch': Error: msg";
// the renderer should see the handler's own words.
const REMOTE_ERROR_PREFIX = /^Error invoking remote method '[^']*': (?:\w*Error: )?/;

/** Strips Electron's invoke wrapper from an error message. */
export function remoteErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(REMOTE_ERROR_PREFIX, '');
}

/** The object exposed as `window.upres`: one function per API method, nothing else. */
export function createBridge(invoke: Invoke): UpresApi {
  const entries = API_METHODS.map((method) => [
    method,
    async (request: unknown) => {
      try {
        return await invoke(channelOf(method), request);
      } catch (err) {
        throw new Error(remoteErrorMessage(err), { cause: err });
      }
    },
  ]);
  return Object.freeze(Object.fromEntries(entries)) as UpresApi;
}
