import type { UpresBridge } from '../../shared/ipc-reply';
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
      failures.push(`${transport.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const tried = transports.map((t) => t.name).join(', ');
  const detail = failures.length > 0 ? ` (${failures.join('; ')})` : '';
  return {
    kind: 'disconnected',
    reason: `This page is not running inside the Upres app, and no other way to reach the engine worked. Tried: ${tried}${detail}.`,
  };
}
