import type { Session, WebContents } from 'electron';
import { isAllowedResource, isRendererUrl, type RendererLocation } from './renderer-origin';

/**
 * Locks down the renderer's session: no permissions, no request outside the app's own files (or
 * the dev server), and the CSP also sent as a header with the renderer's page (and only it, so
 * DevTools keeps its own policy).
 */
export function hardenSession(session: Session, location: RendererLocation, csp: string): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedResource(location, details.url) });
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isRendererUrl(location, details.url)) return callback({});
    const headers = { ...details.responseHeaders };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    }
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [csp] } });
  });
}

/** Denies new windows, webviews and navigation away from the renderer, for every web contents. */
export function guardWebContents(contents: WebContents, location: RendererLocation): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  const stayHome = (event: { preventDefault(): void; url: string }): void => {
    if (!isRendererUrl(location, event.url)) event.preventDefault();
  };
  contents.on('will-frame-navigate', stayHome);
  contents.on('will-redirect', stayHome);
}
