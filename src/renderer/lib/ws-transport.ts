import { API_METHODS, type EngineEvent, type UpresApi } from '../../shared/api';
import { ErrorPayload, UpresError } from '../../shared/errors';
import type { Transport } from './connection';

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

const STORAGE_KEY = 'upres-token';
const TOKEN_HEADER = 'X-Upres-Token';

/** The page's environment, or undefined where this is not a page served over http(s). */
export function pageEnv(): PageEnv | undefined {
  const g = globalThis as unknown as {
    location?: PageEnv['location'];
    history?: PageEnv['history'];
    sessionStorage?: PageEnv['storage'];
    fetch?: PageEnv['fetch'];
    WebSocket?: new (url: string) => SocketLike;
  };
  const { location, history, fetch, WebSocket } = g;
  if (!location || !history || !fetch || !WebSocket) return undefined;
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return undefined;
  let storage: PageEnv['storage'];
  try {
    storage = g.sessionStorage;
  } catch {
    storage = undefined; // storage disabled by the browser: reloads then need the printed URL
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
 * The access token: from `?token=` in the address (then taken out of the visible URL and kept in
 * sessionStorage, so a reload still works), else from sessionStorage.
 */
export function takeToken(env: PageEnv): string | undefined {
  const url = new URL(env.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      env.storage?.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // Storage full or disabled: the cookie set with the page still lets a reload in.
    }
    url.searchParams.delete('token');
    env.history.replaceState(env.history.state, '', `${url.pathname}${url.search}${url.hash}`);
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
  const message = typeof error === 'string' ? error : `${method}: the server answered ${status}`;
  return new UpresError(status === 400 ? 'request.invalid' : 'internal', message);
}

/**
 * The API over the loopback server: one `fetch` per call (`POST /api/<method>`, token in a header)
 * and one WebSocket for events, opened with the first subscriber and reopened after a drop (each
 * (re)connection starts with a `queue` event, the cue to refetch the queue).
 */
export function createLoopbackApi(env: PageEnv, token: string): UpresApi {
  const listeners = new Set<(e: EngineEvent) => void>();
  let socket: SocketLike | undefined;
  let timer: unknown;
  let attempt = 0;

  const call = async (method: string, request: unknown): Promise<unknown> => {
    const res = await env.fetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: token },
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
      `${scheme}://${env.location.host}/events?token=${encodeURIComponent(token)}`,
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
      const delay = Math.min(10_000, 500 * 2 ** attempt++);
      timer = env.setTimeout(connect, delay);
    };
  };

  const entries = API_METHODS.map((method) => [
    method,
    (request: unknown) => call(method, request),
  ]);
  const extras: Pick<UpresApi, 'onEvent' | 'imageUrl'> = {
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
    imageUrl: (imageToken) =>
      `/image/${encodeURIComponent(imageToken)}?t=${encodeURIComponent(token)}`,
  };
  // No choosePaths: a browser cannot hand over paths; the UI offers a path field instead.
  return Object.freeze({ ...Object.fromEntries(entries), ...extras }) as UpresApi;
}

/** The loopback server's page (`upres serve`): applies wherever the page came over http(s). */
export const loopbackTransport: Transport = {
  name: 'loopback server',
  connect: async () => {
    const env = pageEnv();
    if (!env) return undefined;
    const token = takeToken(env);
    if (!token)
      throw new Error(
        'no access token: open the address that `upres serve` printed (it ends in ?token=…)',
      );
    const api = createLoopbackApi(env, token);
    // Checks the server and the token before the UI starts.
    await api.engineInfo({});
    return api;
  },
};
