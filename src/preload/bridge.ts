import {
  API_METHODS,
  CHOOSE_PATHS_CHANNEL,
  IMAGE_SCHEME,
  channelOf,
  type EngineEvent,
  type UpresApi,
} from '../shared/api';

/** Electron's `ipcRenderer.invoke`, reduced to what the bridge uses. */
export type Invoke = (channel: string, request: unknown) => Promise<unknown>;

/** Subscribes to the engine's events (ipcRenderer.on of EVENT_CHANNEL); returns the unsubscribe. */
export type Subscribe = (listener: (event: EngineEvent) => void) => () => void;

// ipcRenderer.invoke wraps a handler's error as "Error invoking remote method 'ch': Error: msg";
// the renderer should see the handler's own words.
const REMOTE_ERROR_PREFIX = /^Error invoking remote method '[^']*': (?:\w*Error: )?/;

/** Strips Electron's invoke wrapper from an error message. */
export function remoteErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(REMOTE_ERROR_PREFIX, '');
}

function unwrapped(invoke: Invoke): Invoke {
  return async (channel, request) => {
    try {
      return await invoke(channel, request);
    } catch (err) {
      throw new Error(remoteErrorMessage(err), { cause: err });
    }
  };
}

/**
 * The object exposed as `window.upres`: one function per API method, the event subscription, image
 * URLs and the native pickers; nothing else (no generic send or invoke).
 */
export function createBridge(
  invoke: Invoke,
  subscribe: Subscribe,
  pathForFile?: (file: File) => string,
): UpresApi {
  const call = unwrapped(invoke);
  const entries = API_METHODS.map((method) => [
    method,
    (request: unknown) => call(channelOf(method), request),
  ]);
  const extras: Pick<UpresApi, 'onEvent' | 'imageUrl' | 'choosePaths' | 'pathForFile'> = {
    onEvent: (listener) => subscribe(listener),
    pathForFile,
    imageUrl: (token) => `${IMAGE_SCHEME}://${encodeURIComponent(token)}`,
    choosePaths: async (kind) => (await call(CHOOSE_PATHS_CHANNEL, kind)) as string[],
  };
  return Object.freeze({ ...Object.fromEntries(entries), ...extras }) as UpresApi;
}
