import { IMAGE_SCHEME } from '../../shared/api';

/**
 * The renderer's Content-Security-Policy. The built page needs nothing inline; Vite's dev server
 * injects <style> elements for hot reload and talks to its page over a WebSocket, so dev relaxes
 * exactly those two directives.
 */
export function rendererCsp({ dev }: { dev: boolean }): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    // The Electron app's image tokens; the loopback server serves them from 'self'.
    'img-src': ["'self'", 'data:', 'blob:', `${IMAGE_SCHEME}:`],
    'font-src': ["'self'"],
    'connect-src': dev ? ["'self'", 'ws://localhost:*', 'ws://127.0.0.1:*'] : ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}
