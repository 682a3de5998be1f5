import {
  API_METHODS,
  CHOOSE_PATHS_CHANNEL,
  IMAGE_SCHEME,
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
): UpresBridge {
  const call = replying(invoke);
  const entries = API_METHODS.map((method) => [
    method,
    (request: unknown) => call(channelOf(method), request),
  ]);
  const extras: Pick<UpresBridge, 'onEvent' | 'imageUrl' | 'choosePaths' | 'pathForFile'> = {
    onEvent: (listener) => subscribe(listener),
    pathForFile,
    imageUrl: (token) => `${IMAGE_SCHEME}://${encodeURIComponent(token)}`,
    choosePaths: async (kind) => (await call(CHOOSE_PATHS_CHANNEL, kind)) as IpcReply<string[]>,
  };
  return Object.freeze({ ...Object.fromEntries(entries), ...extras }) as UpresBridge;
}
