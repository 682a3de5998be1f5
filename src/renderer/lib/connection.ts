import type { UpresApi } from '../../shared/api';

// The shapes both transports and the session share, apart from the transports themselves so that
// neither transport module imports the other.

/** One way of reaching the engine. `connect` resolves to undefined where it does not apply. */
export interface Transport {
  name: string;
  connect(): Promise<UpresApi | undefined>;
}

export type Connection =
  | { kind: 'connected'; transport: string; api: UpresApi }
  | { kind: 'disconnected'; reason: string };
