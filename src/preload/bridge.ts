import {
  API_METHODS,
  CHOOSE_PATHS_CHANNEL,
  IMAGE_SCHEME,
  OPENED_PATHS_CHANNEL,
  SHOW_IN_FOLDER_CHANNEL,
  channelOf,
  type EngineEvent,
} from '../shared/api';
import { asReply, type IpcReply, type UpresBridge } from '../shared/ipc-reply';

/** Electron's `ipcRenderer.invoke`, reduced to what the bridge uses. */
export type Invoke = (channel: string, request: unknown) => Promise<unknown>;

/** Subscribes to the engine's events (ipcRenderer.on of EVENT_CHANNEL); returns the unsubscribe. */
export type Subscribe = (listener: (event: EngineEvent) => void) => () => void;

/**
 * One IPC call as a reply that never throws. The handlers reply `{ ok, value | error }`; a call
 * that throws anyway (no handler on the channel, a refused sender) is a fault outside the contract
 * and comes back as an `internal` error with Electron's message as it is.
 */
function replying(
  invoke: Invoke,
): (channel: string, request: unknown) => Promise<IpcReply<unknown>> {
  return async (channel, request) => {
    try {
      return asReply(await invoke(channel, request), channel);
    } catch (err) {
      return {
        ok: false,
        error: { code: 'internal', message: err instanceof Error ? err.message : String(err) },
      };
    }
  };
}

/**
 * The object exposed as `window.upres`: one function per API method, the event subscription, image
 * URLs and the native pickers; nothing else (no generic send or invoke). Calls answer with replies
 * (see shared/ipc-reply.ts) that the renderer unwraps.
 */
export function createBridge(
  invoke: Invoke,
  subscribe: Subscribe,
  pathForFile?: (file: File) => string,
  pathsOpened?: (notice: () => void) => () => void,
): UpresBridge {
  const call = replying(invoke);
  const entries = API_METHODS.map((method) => [
    method,
    (request: unknown) => call(channelOf(method), request),
  ]);
  // Paths the OS asked to open wait in the main process: taken at once (those asked before the
  // page was ready) and again on each notice, so none is missed or handed out twice.
  const onOpenPaths: UpresBridge['onOpenPaths'] = (listener) => {
    const take = async (): Promise<void> => {
      const reply = await call(OPENED_PATHS_CHANNEL, undefined);
      const paths = reply.ok && Array.isArray(reply.value) ? (reply.value as string[]) : [];
      if (paths.length > 0) listener(paths);
    };
    const off = pathsOpened?.(() => void take()) ?? (() => undefined);
    void take();
    return off;
  };
  const extras: Pick<
    UpresBridge,
    'onEvent' | 'imageUrl' | 'choosePaths' | 'pathForFile' | 'showInFolder' | 'onOpenPaths'
  > = {
    onEvent: (listener) => subscribe(listener),
    pathForFile,
    imageUrl: (token) => `${IMAGE_SCHEME}://${encodeURIComponent(token)}`,
    choosePaths: async (kind) => (await call(CHOOSE_PATHS_CHANNEL, kind)) as IpcReply<string[]>,
    showInFolder: async (id) => (await call(SHOW_IN_FOLDER_CHANNEL, { id })) as IpcReply<null>,
    onOpenPaths,
  };
  return Object.freeze({ ...Object.fromEntries(entries), ...extras }) as UpresBridge;
}
