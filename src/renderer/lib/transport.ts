import type { UpresApi } from '../../shared/api';
import { loopbackTransport } from './ws-transport';

/** One way of reaching the engine. `connect` resolves to undefined where it does not apply. */
export interface Transport {
  name: string;
  connect(): Promise<UpresApi | undefined>;
}

export type Connection =
  | { kind: 'connected'; transport: string; api: UpresApi }
  | { kind: 'disconnected'; reason: string };

/** Inside the Electron app the preload has exposed the API as `window.upres`. */
export const electronTransport: Transport = {
  name: 'Electron IPC',
  // Read through globalThis so this module also loads (and is tested) outside a browser.
  connect: async () => (globalThis as { upres?: UpresApi }).upres,
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
