import { OPENED_PATHS_CHANNEL } from '../../shared/api';
import { replyOf } from '../../shared/ipc-reply';
import type { IpcMainLike } from './ipc-handlers';
import type { IpcEventLike } from './renderer-origin';

/**
 * Photos and folders the OS asked the app to open, kept until the window's page takes them: a
 * request can come before the page (or the app) is ready, and only the page knows the settings a
 * drop adds photos with, so they are added there, exactly as dropped ones, refusals included.
 */
export class OpenRequests {
  #pending: string[] = [];
  readonly #listeners = new Set<() => void>();

  /** Keeps paths for the page (each once) and tells the listeners. */
  add(paths: readonly string[]): void {
    const fresh = paths.filter((p) => !this.#pending.includes(p));
    if (fresh.length === 0) return;
    this.#pending.push(...new Set(fresh));
    for (const listener of [...this.#listeners]) listener();
  }

  /** The paths waiting, in the order asked; they are handed out once. */
  take(): string[] {
    return this.#pending.splice(0);
  }

  /** Calls `listener` after paths were added; returns the unsubscribe function. */
  onAdded(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}

/**
 * The page takes the waiting paths on OPENED_PATHS_CHANNEL (when it starts, and on each
 * PATHS_OPENED_CHANNEL notice); only a trusted sender gets them. Replies like the API.
 */
export function registerOpenRequests(
  ipc: IpcMainLike,
  requests: OpenRequests,
  isTrustedSender: (event: IpcEventLike) => boolean,
): () => void {
  ipc.handle(OPENED_PATHS_CHANNEL, async (event) => {
    if (!isTrustedSender(event)) throw new Error('openedPaths: refused an untrusted sender');
    return replyOf(() => requests.take());
  });
  return () => ipc.removeHandler(OPENED_PATHS_CHANNEL);
}
