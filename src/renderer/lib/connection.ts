import type { UpresApi } from '../../shared/api';

// The shapes both transports and the session share, apart from the transports themselves so that
// neither transport module imports the other.

/** One way of reaching the engine. `connect` resolves to undefined where it does not apply. */
export interface Transport {
  name: string;
  connect(): Promise<EngineApi | undefined>;
}

export type Connection =
  | { kind: 'connected'; transport: string; api: EngineApi }
  | { kind: 'disconnected'; reason: string };

/** What a transport may add to the contract: word that pushed events were lost. */
export interface EventStream {
  /**
   * Calls `listener` when the event stream dropped (events sent until the next `queue` event, the
   * first on the new connection, are lost); returns the unsubscribe function. Absent where the
   * stream cannot drop (Electron IPC).
   */
  onEventsLost?(listener: () => void): () => void;
}

/** The engine's API as the renderer holds it. */
export type EngineApi = UpresApi & EventStream;
