import { UpresError } from '../../shared/errors';
import type { UpresBridge } from '../../shared/ipc-reply';
import { errorMessage } from '../i18n/errors';
import { t } from '../i18n/translate';
import type { Connection, Transport } from './connection';
import { apiFromBridge } from './electron-api';
import { loopbackTransport } from './ws-transport';

export type { Connection, Transport } from './connection';

/** Inside the Electron app the preload has exposed the API as `window.upres`. */
export const electronTransport: Transport = {
  name: 'Electron IPC',
  // Read through globalThis so this module also loads (and is tested) outside a browser.
  connect: async () => {
    const bridge = (globalThis as { upres?: UpresBridge }).upres;
    return bridge ? apiFromBridge(bridge) : undefined;
  },
};

/** Transports in order of preference: inside the app, IPC; in a browser, `upres serve`. */
export const TRANSPORTS: readonly Transport[] = [electronTransport, loopbackTransport];

/** Connects through the first transport that applies. */
export async function connectEngine(
  transports: readonly Transport[] = TRANSPORTS,
): Promise<Connection> {
  const failures: string[] = [];
  for (const transport of transports) {
    try {
      const api = await transport.connect();
      if (api) return { kind: 'connected', transport: transport.name, api };
    } catch (err) {
      // A typed failure (the server refused the session…) in the UI language; a socket's own
      // error as it came.
      const why =
        err instanceof UpresError
          ? errorMessage(err)
          : err instanceof Error
            ? err.message
            : String(err);
      failures.push(`${transport.name}: ${why}`);
    }
  }
  const tried = transports.map((x) => x.name).join(', ');
  return {
    kind: 'disconnected',
    reason:
      failures.length > 0
        ? t('app.noConnectionReasonWhy', { tried, failures: failures.join('; ') })
        : t('app.noConnectionReason', { tried }),
  };
}
