// The one composition root: the Electron app, `upres serve` and the command line build the engine
// here, from the same folders, and transports see only the `Engine` interface.
import type { EngineEvent } from '../../shared/api';
import { ModelRegistry } from './models/model-registry';
import type { ApiHandlers } from './service/api-dispatch';
import { createEngineHandlers } from './service/api-handlers';
import { AppEngine } from './service/app-engine';
import type { ImageSource } from './service/image-tokens';
import { resolveUserDirs, type UserDirs } from './storage/user-dirs';

/** The engine as a transport (Electron IPC, the loopback server) sees it. */
export interface Engine {
  /** The API contract's implementation; transports call it through dispatchApi / dispatchReply. */
  readonly handlers: ApiHandlers;
  /**
   * The image tokens handed out by `preview` / `itemImage`: all a transport may serve (a token
   * older than `maxAgeMs`, where given, opens nothing).
   */
  readonly images: { open(token: string, maxAgeMs?: number): ImageSource | undefined };
  /** Problems found while opening (already logged and, once subscribed, sent as warnings). */
  readonly warnings: readonly string[];
  /** Subscribes to the engine's events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** The queue's state as an event: the first thing a new subscriber is sent. */
  queueState(): EngineEvent;
  /** Pauses the queue (journaled), waits briefly for the running tile, disposes every session. */
  close(): Promise<void>;
}

export interface CreateEngineOptions {
  /** Defaults to resolveUserDirs() (the environment and the platform's usual places). */
  dirs?: UserDirs;
  version: string;
  /** Diagnostics for a terminal or a log file. */
  log?: (line: string) => void;
}

/** The model registry over the shipped and the user's model folders. */
export function openModelRegistry(dirs: UserDirs = resolveUserDirs()): Promise<ModelRegistry> {
  return ModelRegistry.open({ shipped: dirs.shippedModels, user: dirs.userModels });
}

/** The transport-facing face of an opened AppEngine. */
export function engineOf(app: AppEngine): Engine {
  return {
    handlers: createEngineHandlers(app),
    images: app.images,
    warnings: app.warnings,
    onEvent(listener) {
      app.on('event', listener);
      return () => void app.off('event', listener);
    },
    queueState: () => app.queueState(),
    close: () => app.close(),
  };
}

/**
 * Builds the engine: the model registry (shipped + user models), the app's queue and settings in
 * the per-user folder, and the API handlers over them.
 */
export async function createEngine(opt: CreateEngineOptions): Promise<Engine> {
  const dirs = opt.dirs ?? resolveUserDirs();
  const registry = await openModelRegistry(dirs);
  const app = await AppEngine.open({
    userData: dirs.userData,
    registry,
    version: opt.version,
    log: opt.log,
  });
  return engineOf(app);
}
