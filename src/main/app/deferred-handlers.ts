import { API_METHODS } from '../../shared/api';
import type { ApiHandlers } from '../engine';

/**
 * Handlers that wait for the engine to open. The window can show at once, and if opening fails
 * every call rejects with that error, which the renderer shows instead of a blank panel.
 */
export function deferHandlers(ready: Promise<ApiHandlers>): ApiHandlers {
  // Callers see the failure through the calls; this keeps it from also being an unhandled rejection.
  ready.catch(() => undefined);
  const entries = API_METHODS.map((method) => [
    method,
    async (request: unknown) =>
      ((await ready)[method] as (req: unknown) => Promise<unknown>)(request),
  ]);
  return Object.fromEntries(entries) as ApiHandlers;
}
