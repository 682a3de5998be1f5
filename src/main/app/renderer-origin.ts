import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_SCHEME } from '../../shared/api';

/** Where the window loads the renderer from: the built page on disk, or Vite's dev server. */
export type RendererLocation = { kind: 'file'; path: string } | { kind: 'dev-server'; url: string };

/** The part of an IPC event the sender check reads (Electron's `IpcMainInvokeEvent` fits). */
export interface IpcEventLike {
  senderFrame: { url: string } | null;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Picks the renderer location. The dev-server URL comes from an environment variable, so it is
 * honoured only in an unpackaged app and only on loopback: a packaged build never loads a page it
 * did not ship.
 */
export function rendererLocation(opts: {
  isPackaged: boolean;
  devServerUrl: string | undefined;
  builtIndexHtml: string;
}): RendererLocation {
  if (!opts.isPackaged && opts.devServerUrl) {
    const url = new URL(opts.devServerUrl);
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
      throw new Error(`refusing a renderer dev server that is not http on loopback: ${url.href}`);
    }
    return { kind: 'dev-server', url: url.href };
  }
  return { kind: 'file', path: opts.builtIndexHtml };
}

/** The local path of a file: URL, or undefined for anything else (remote hosts included). */
function localPath(url: URL): string | undefined {
  if (url.protocol !== 'file:') return undefined;
  try {
    return fileURLToPath(url);
  } catch {
    return undefined; // a remote host or an encoded separator
  }
}

/** Parses a URL, or undefined where it is not one. */
function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Whether `url` is the app's own renderer page (its query and fragment aside). */
export function isRendererUrl(location: RendererLocation, url: string): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (location.kind === 'dev-server') return parsed.origin === new URL(location.url).origin;
  // Compared as paths, so the two sides' percent-encoding choices cannot differ.
  return localPath(parsed) === resolve(location.path);
}

/** A sender check for `registerApiHandlers`: the calling frame must show the app's renderer. */
export function trustedSenderCheck(location: RendererLocation): (event: IpcEventLike) => boolean {
  return (event) => event.senderFrame !== null && isRendererUrl(location, event.senderFrame.url);
}

// Image tokens are served by the app's own protocol handler (image-protocol.ts), never from disk.
const ALWAYS_ALLOWED = new Set(['data:', 'blob:', 'devtools:', `${IMAGE_SCHEME}:`]);

/**
 * Whether the renderer's session may load `url`. No remote content: only the built renderer's own
 * folder (or the dev server), plus in-memory data and blob URLs, image tokens and the developer
 * tools.
 */
export function isAllowedResource(location: RendererLocation, url: string): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (ALWAYS_ALLOWED.has(parsed.protocol)) return true;
  if (location.kind === 'dev-server') {
    const server = new URL(location.url);
    return ['http:', 'ws:'].includes(parsed.protocol) && parsed.host === server.host;
  }
  const path = localPath(parsed);
  return path !== undefined && path.startsWith(dirname(resolve(location.path)) + sep);
}
