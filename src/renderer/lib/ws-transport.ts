import { API_METHODS, type EngineEvent } from '../../shared/api';
import { ErrorPayload, UpresError } from '../../shared/errors';
import { t } from '../i18n/translate';
import type { EngineApi, Transport } from './connection';
import { uploadModelFiles } from './model-upload';

// DOM-free on purpose (typed structurally, read through globalThis): this module is also loaded
// and tested under Node.

/** The WebSocket surface used here (the browser's WebSocket fits). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  close(): void;
}

/** What the client needs from the page it runs in. */
export interface PageEnv {
  location: { href: string; protocol: string; host: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url: string): void };
  storage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  fetch(
    url: string,
    init: { method: string; headers: Record<string, string>; body: string },
  ): Promise<{
    ok: boolean;
    status: number;
    json(): Promise<unknown>;
  }>;
  openSocket(url: string): SocketLike;
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const STORAGE_KEY = 'upres-session';
/** Where the server's launch redirect puts the page secret (a fragment is never sent anywhere). */
const SESSION_FRAGMENT = 'upres-session';
const SESSION_HEADER = 'X-Upres-Session';

/** The page's environment, or undefined where this is not a page served over http(s). */
export function pageEnv(): PageEnv | undefined {
  const g = globalThis as unknown as {
    location?: PageEnv['location'];
    history?: PageEnv['history'];
    localStorage?: PageEnv['storage'];
    fetch?: PageEnv['fetch'];
    WebSocket?: new (url: string) => SocketLike;
  };
  const { location, history, fetch, WebSocket } = g;
  if (!location || !history || !fetch || !WebSocket) return undefined;
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return undefined;
  let storage: PageEnv['storage'];
  try {
    // Scoped to this origin, port included (unlike the cookie), and shared by its tabs.
    storage = g.localStorage;
  } catch {
    storage = undefined; // storage disabled by the browser: reloads then need a new address
  }
  return {
    location,
    history,
    storage,
    fetch: (url, init) => fetch.call(globalThis, url, init),
    openSocket: (url) => new WebSocket(url),
    setTimeout: (f, ms) => globalThis.setTimeout(f, ms),
    clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  };
}

/**
 * The page secret of this browser's session with the server: from the fragment the launch
 * redirect put it in (then taken out of the visible URL and kept in the origin's storage, so a
 * reload or another tab still works), else from storage.
 */
export function takeSession(env: PageEnv): string | undefined {
  const url = new URL(env.location.href);
  const fragment = new URLSearchParams(url.hash.slice(1));
  const fromUrl = fragment.get(SESSION_FRAGMENT);
  if (fromUrl) {
    try {
      env.storage?.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // Storage full or disabled: this page works until it is reloaded.
    }
    fragment.delete(SESSION_FRAGMENT);
    const rest = fragment.toString();
    const hash = rest ? `#${rest}` : '';
    env.history.replaceState(env.history.state, '', `${url.pathname}${url.search}${hash}`);
    return fromUrl;
  }
  return env.storage?.getItem(STORAGE_KEY) ?? undefined;
}

/**
 * The error of a failed call as an UpresError: the server's typed `{ code, message }`, or, from a
 * server that sends only words, the code its status implies (400: the request was refused).
 */
function serverError(method: string, status: number, error: unknown): UpresError {
  const typed = ErrorPayload.safeParse(error);
  if (typed.success) return UpresError.fromPayload(typed.data);
  const message =
    typeof error === 'string' ? error : t('app.serverAnswered', { method, status: String(status) });
  return new UpresError(status === 400 ? 'request.invalid' : 'internal', message);
}

/**
 * The API over the loopback server: one `fetch` per call (`POST /api/<method>`: the session's
 * cookie goes by itself, the page secret in a header) and one WebSocket for events, opened with
 * the first subscriber and reopened after a drop. A drop is told to `onEventsLost` listeners;
 * each (re)connection starts with a `queue` event, after which no event is lost.
 */
export function createLoopbackApi(env: PageEnv, session: string): EngineApi {
  const listeners = new Set<(e: EngineEvent) => void>();
  const lostListeners = new Set<() => void>();
  let socket: SocketLike | undefined;
  let timer: unknown;
  let attempt = 0;

  const call = async (method: string, request: unknown): Promise<unknown> => {
    const res = await env.fetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [SESSION_HEADER]: session },
      body: JSON.stringify(request ?? {}),
    });
    const body = (await res.json().catch(() => undefined)) as { error?: unknown } | undefined;
    if (!res.ok) throw serverError(method, res.status, body?.error);
    return body;
  };

  const connect = (): void => {
    timer = undefined;
    const scheme = env.location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = env.openSocket(
      `${scheme}://${env.location.host}/events?session=${encodeURIComponent(session)}`,
    );
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
    };
    ws.onmessage = (m) => {
      let event: EngineEvent;
      try {
        event = JSON.parse(String(m.data)) as EngineEvent;
      } catch {
        return;
      }
      for (const listener of [...listeners]) listener(event);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      if (listeners.size === 0) return;
      // Whatever the engine sends until the next connection's first event is lost.
      for (const listener of [...lostListeners]) listener();
      const delay = Math.min(10_000, 500 * 2 ** attempt++);
      timer = env.setTimeout(connect, delay);
    };
  };

  const entries = API_METHODS.map((method) => [
    method,
    (request: unknown) => call(method, request),
  ]);
  const extras: Pick<EngineApi, 'onEvent' | 'onEventsLost' | 'imageUrl' | 'uploadModel'> = {
    onEvent(listener) {
      listeners.add(listener);
      if (!socket && timer === undefined) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        if (timer !== undefined) env.clearTimeout(timer);
        timer = undefined;
        const ws = socket;
        socket = undefined;
        ws?.close();
      };
    },
    onEventsLost(listener) {
      lostListeners.add(listener);
      return () => void lostListeners.delete(listener);
    },
    // The image token is the whole capability (one image, a few minutes): nothing else is added.
    imageUrl: (imageToken) => `/image/${encodeURIComponent(imageToken)}`,
    // A model dropped or picked in the page goes as bytes (model-upload.ts).
    uploadModel: (files, onProgress) =>
      uploadModelFiles({ header: SESSION_HEADER, value: session }, files, onProgress),
  };
  // No choosePaths: a browser cannot hand over paths; the UI offers a path field instead.
  return Object.freeze({ ...Object.fromEntries(entries), ...extras }) as EngineApi;
}

/** The loopback server's page (`upres serve`): applies wherever the page came over http(s). */
export const loopbackTransport: Transport = {
  name: 'loopback server',
  connect: async () => {
    const env = pageEnv();
    if (!env) return undefined;
    const session = takeSession(env);
    if (!session) throw new Error(t('app.noSession'));
    const api = createLoopbackApi(env, session);
    // Checks the server and the session before the UI starts.
    await api.engineInfo({});
    return api;
  },
};
