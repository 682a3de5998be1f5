import { API_METHODS, type UpresApi } from '../../shared/api';
import { unwrapReply, type IpcReply, type UpresBridge } from '../../shared/ipc-reply';

/**
 * The API over the preload's bridge: each reply unwrapped, a failure thrown as an UpresError with
 * its code (contextBridge would have dropped the code of an error thrown in the preload).
 */
export function apiFromBridge(bridge: UpresBridge): UpresApi {
  const calls = API_METHODS.map((method) => {
    const f = bridge[method] as (request: unknown) => Promise<IpcReply<unknown>>;
    return [method, async (request: unknown) => unwrapReply(await f(request))];
  });
  const extras: Pick<
    UpresApi,
    'onEvent' | 'imageUrl' | 'choosePaths' | 'pathForFile' | 'showInFolder' | 'onOpenPaths'
  > = {
    onEvent: (listener) => bridge.onEvent(listener),
    imageUrl: (token) => bridge.imageUrl(token),
    choosePaths: async (kind) => unwrapReply(await bridge.choosePaths(kind)),
    pathForFile: bridge.pathForFile,
    showInFolder: async (id) => void unwrapReply(await bridge.showInFolder(id)),
    onOpenPaths: (listener) => bridge.onOpenPaths(listener),
  };
  return Object.freeze({ ...Object.fromEntries(calls), ...extras }) as UpresApi;
}
