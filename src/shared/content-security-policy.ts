import { IMAGE_SCHEME } from './api';

/**
 * Where the renderer page runs: inside the Electron app (images come over `IMAGE_SCHEME`; Vite's
 * dev server when `dev`), or served by the loopback server on `port` (images and the event socket
 * on its own origin).
 */
export type CspTarget =
  { transport: 'electron'; dev?: boolean } | { transport: 'loopback'; port: number };

/**
 * The renderer's Content-Security-Policy for one transport: nothing inline, nothing remote. Vite's
 * dev server injects <style> elements for hot reload and talks to its page over a WebSocket, so
 * dev relaxes exactly those two directives; the loopback page names its own WebSocket (not every
 * browser's `'self'` covers ws:) and refuses to be framed.
 */
export function rendererCsp(target: CspTarget): string {
  const dev = target.transport === 'electron' && target.dev === true;
  const sockets =
    target.transport === 'loopback'
      ? [`ws://127.0.0.1:${target.port}`, `ws://localhost:${target.port}`]
      : dev
        ? ['ws://localhost:*', 'ws://127.0.0.1:*']
        : [];
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    'img-src': [
      "'self'",
      'data:',
      'blob:',
      ...(target.transport === 'electron' ? [`${IMAGE_SCHEME}:`] : []),
    ],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...sockets],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    ...(target.transport === 'loopback' ? { 'frame-ancestors': ["'none'"] } : {}),
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}
