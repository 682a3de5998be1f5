// `upres serve`'s server over real HTTP and WebSocket on a free port: the launch address and
// browser sessions, the header token, the Host guard, the API boundary, events, image tokens, and
// the browser client (ws-transport) against it.
import { request as httpRequest } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { EngineEvent, UpresApi } from '../../src/shared/api';
import { engineOf, IMAGE_TOKEN_TTL_MS, type Engine } from '../../src/main/engine';
import { startLoopbackServer, type LoopbackServer } from '../../src/main/server/loopback-server';
import { engineWorld, type EngineWorld } from '../helpers/app-engine';

// The browser client, loaded by path as app-renderer-lib.test.ts does; its surface restated here.
interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  close(): void;
}
interface PageEnv {
  location: { href: string; protocol: string; host: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url: string): void };
  storage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  fetch(
    url: string,
    init: { method: string; headers: Record<string, string>; body: string },
  ): Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;
  openSocket(url: string): SocketLike;
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
const client = (await import(
  /* @vite-ignore */ fileURLToPath(
    new URL('../../src/renderer/lib/ws-transport.ts', import.meta.url),
  )
)) as {
  takeSession(env: PageEnv): string | undefined;
  createLoopbackApi(env: PageEnv, session: string): UpresApi;
};

let world: EngineWorld;
let engine: Engine;
let server: LoopbackServer;
let base: string;
let rendererDir: string;

beforeAll(async () => {
  world = await engineWorld('upres-server-');
  engine = engineOf(await world.open());
  rendererDir = join(world.dir, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Upres</title>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(world.dir, 'secret.txt'), 'secret');
  server = await startLoopbackServer({ engine, rendererDir, port: 0 });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  await engine?.close();
  await world?.cleanup();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request (fetch cannot set Host or send unnormalised paths). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
  port = server.port,
): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', fail);
    req.end(body);
  });
}

const json = { 'Content-Type': 'application/json' };
const tokenHeader = (): Record<string, string> => ({ 'X-Upres-Token': server.token });
const auth = (): Record<string, string> => ({ ...json, ...tokenHeader() });

/** A browser's session: what its cookie jar sends, and the page secret from the fragment. */
interface Session {
  cookie: string;
  pageSecret: string;
  setCookie: string[];
}

/** Opens a server's printed address as a browser does (one GET), keeping what it is given. */
async function launch(srv: LoopbackServer = server, url = srv.launchUrl()): Promise<Session> {
  const { pathname, search } = new URL(url);
  const r = await raw('GET', pathname + search, {}, undefined, srv.port);
  expect(r.status).toBe(303);
  const setCookie = (r.headers['set-cookie'] as string[] | undefined) ?? [];
  const location = String(r.headers.location);
  const pageSecret = /^\/#upres-session=([\w-]+)$/.exec(location)?.[1];
  if (!pageSecret) throw new Error(`no page secret in ${location}`);
  return { cookie: setCookie.map((c) => c.split(';')[0]).join('; '), pageSecret, setCookie };
}

const asPage = (s: Session): Record<string, string> => ({
  ...json,
  Cookie: s.cookie,
  'X-Upres-Session': s.pageSecret,
});

async function call(method: string, body: unknown, headers = auth()) {
  const res = await fetch(`${base}/api/${method}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the page', () => {
  it('prints a loopback URL with a one-time launch secret, not the access token', () => {
    expect(server.url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?launch=[\\w-]{32}$`),
    );
    expect(server.url).not.toContain(server.token);
    expect(server.token).toMatch(/^[\w-]{32}$/);
    expect(server.launchUrl()).not.toBe(server.launchUrl());
  });

  it('exchanges the launch secret once for a session cookie and a page secret', async () => {
    expect((await raw('GET', '/')).status).toBe(401);
    expect((await raw('GET', '/?launch=wrong')).status).toBe(401);
    expect((await raw('GET', `/?token=${server.token}`)).status).toBe(401);
    const url = server.launchUrl();
    const { pathname, search } = new URL(url);
    // A HEAD (a link preview) does not spend it.
    expect((await raw('HEAD', pathname + search)).status).toBe(401);
    const s = await launch(server, url);
    expect(s.setCookie).toHaveLength(2);
    for (const c of s.setCookie) {
      expect(c).toMatch(/; Path=\/; HttpOnly; SameSite=Strict/);
      expect(c).not.toContain(server.token);
      expect(c).not.toContain(s.pageSecret);
    }
    expect(s.setCookie[0]).toMatch(
      new RegExp(`^__Host-upres-${server.port}=[\\w-]+\\.[\\w-]+; .*; Secure$`),
    );
    expect(s.setCookie[1]).toMatch(new RegExp(`^upres-${server.port}=`));
    // Spent: the same address again makes no session; a browser that has one is sent home.
    const again = await raw('GET', pathname + search);
    expect(again.status).toBe(401);
    expect(again.body.toString()).toMatch(/used already/);
    expect(again.headers['set-cookie']).toBeUndefined();
    const home = await raw('GET', pathname + search, { Cookie: s.cookie });
    expect(home).toMatchObject({ status: 303, headers: { location: '/' } });
    expect(home.headers['set-cookie']).toBeUndefined();
  });

  it('is served with the cookie, with a strict policy', async () => {
    const s = await launch();
    const ok = await raw('GET', '/', { Cookie: s.cookie });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toContain('<title>Upres</title>');
    const csp = String(ok.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect(ok.headers['referrer-policy']).toBe('no-referrer');
    expect(ok.headers['access-control-allow-origin']).toBeUndefined();
    expect((await raw('GET', '/assets/app.js', { Cookie: s.cookie })).status).toBe(200);
    // Either cookie does (a browser may keep only one of them).
    for (const one of s.cookie.split('; '))
      expect((await raw('GET', '/assets/app.js', { Cookie: one })).status).toBe(200);
    expect((await raw('GET', '/assets/app.js')).status).toBe(401);
    const forged = s.cookie.replace(/\.[\w-]+/g, '.AAAA');
    expect((await raw('GET', '/assets/app.js', { Cookie: forged })).status).toBe(401);
  });

  it('answers API calls only with both halves of a session of this server', async () => {
    const s = await launch();
    expect((await call('listModels', {}, asPage(s))).status).toBe(200);
    // The cookie alone (what every other port on 127.0.0.1 is sent), in any header.
    expect((await call('listModels', {}, { ...json, Cookie: s.cookie })).status).toBe(401);
    for (const value of [...s.cookie.split('; ').map((c) => c.split('=')[1]), s.cookie]) {
      expect((await call('listModels', {}, { ...json, 'X-Upres-Token': value })).status).toBe(401);
      const bearer = { ...json, Authorization: `Bearer ${value}` };
      expect((await call('listModels', {}, bearer)).status).toBe(401);
      const asSecret = { ...json, Cookie: s.cookie, 'X-Upres-Session': value };
      expect((await call('listModels', {}, asSecret)).status).toBe(401);
    }
    // The page secret alone, or with another session's cookie.
    expect(
      (await call('listModels', {}, { ...json, 'X-Upres-Session': s.pageSecret })).status,
    ).toBe(401);
    const other = await launch();
    expect((await call('listModels', {}, { ...asPage(s), Cookie: other.cookie })).status).toBe(401);
    // A session of another server instance (or of this port after a restart) is worthless here.
    const second = await startLoopbackServer({ engine, rendererDir });
    try {
      const foreign = await launch(second);
      const renamed = foreign.cookie.replaceAll(`-${second.port}=`, `-${server.port}=`);
      expect((await call('listModels', {}, { ...asPage(foreign), Cookie: renamed })).status).toBe(
        401,
      );
      expect((await raw('GET', '/', { Cookie: renamed })).status).toBe(401);
    } finally {
      await second.close();
    }
    // The Origin check still applies to sessions.
    const cross = await raw(
      'POST',
      '/api/listModels',
      { ...asPage(s), Origin: 'http://127.0.0.1:1' },
      '{}',
    );
    expect(cross.status).toBe(403);
  });

  it('refuses a Host other than its loopback address (DNS rebinding)', async () => {
    const s = await launch();
    const c = { Cookie: s.cookie };
    expect((await raw('GET', '/', { ...c, Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await raw('GET', '/', { ...c, Host: '127.0.0.1:1' })).status).toBe(403);
    expect((await raw('GET', '/', { ...c, Host: `localhost:${server.port}` })).status).toBe(200);
    const { pathname, search } = new URL(server.launchUrl());
    const rebound = await raw('GET', pathname + search, { Host: `evil.example:${server.port}` });
    expect(rebound.status).toBe(403);
    const api = await raw('POST', '/api/listModels', { ...auth(), Host: 'evil.example' }, '{}');
    expect(api.status).toBe(403);
  });

  it('serves nothing outside the renderer folder', async () => {
    const c = { Cookie: (await launch()).cookie };
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt'])
      expect((await raw('GET', path, c)).status, path).toBe(404);
    expect((await raw('GET', '/nope.js', c)).status).toBe(404);
  });
});

describe('POST /api/<method>', () => {
  it('answers a valid call', async () => {
    const r = await call('listModels', {});
    expect(r.status).toBe(200);
    expect((r.body as unknown as { id: string }[]).map((m) => m.id)).toContain('tiny-ab');
  });

  it('requires the token in a header', async () => {
    expect((await call('listModels', {}, json)).status).toBe(401);
    expect((await call('listModels', {}, { ...json, 'X-Upres-Token': 'x' })).status).toBe(401);
    const bearer = { ...json, Authorization: `Bearer ${server.token}` };
    expect((await call('listModels', {}, bearer)).status).toBe(200);
    const viaQuery = await fetch(`${base}/api/listModels?token=${server.token}`, {
      method: 'POST',
      headers: json,
      body: '{}',
    });
    expect(viaQuery.status).toBe(401);
  });

  it("validates bodies with the contract's schema: 400 request.invalid with the zod message", async () => {
    const r = await call('queueControl', { action: 'explode' });
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({
      code: 'request.invalid',
      message: expect.stringMatching(
        /^queueControl: invalid request: action: Invalid discriminator value/,
      ),
      // The sentence's key travels with it, for the UI's language.
      detail: expect.objectContaining({
        key: 'batch.requestInvalid',
        text: expect.stringMatching(/^queueControl: invalid request: action/),
      }),
    });
    const extra = await call('engineInfo', { x: 1 });
    expect(extra).toEqual({
      status: 400,
      body: {
        error: {
          code: 'request.invalid',
          message: 'engineInfo: invalid request: (root): Unrecognized key: "x"',
          detail: {
            key: 'batch.requestInvalid',
            params: { method: 'engineInfo', issue: '(root): Unrecognized key: "x"' },
            text: 'engineInfo: invalid request: (root): Unrecognized key: "x"',
          },
        },
      },
    });
    const notJson = await raw('POST', '/api/listModels', auth(), '{oops');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body.toString())).toMatchObject({
      error: { code: 'request.invalid' },
    });
  });

  it('answers unknown ids and models 404 with their code', async () => {
    for (const request of [
      { action: 'cancel', id: 'nope' },
      { action: 'move', id: 'nope', index: 0 },
    ])
      expect(await call('queueControl', request)).toEqual({
        status: 404,
        body: {
          error: {
            code: 'not-found',
            message: 'no queue item nope',
            detail: { key: 'batch.noItem', params: { id: 'nope' }, text: 'no queue item nope' },
          },
        },
      });
    const image = await call('itemImage', { id: 'nope', which: 'input' });
    expect(image).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } });
    const pair = await call('pairModels', { id: 'p', fidelity: 'tiny-a', perceptual: 'nope' });
    expect(pair).toMatchObject({
      status: 404,
      body: { error: { code: 'model.unknown', message: expect.stringMatching(/"nope"/) } },
    });
  });

  it('refuses other methods, verbs, content types and origins; engine errors are 500', async () => {
    const unknown = await call('deleteEverything', {});
    expect(unknown.body).toEqual({
      error: { code: 'not-found', message: 'no API method deleteEverything' },
    });
    const unauthorised = await call('listModels', {}, json);
    expect(unauthorised).toMatchObject({
      status: 401,
      body: { error: { code: 'request.refused' } },
    });
    expect((await call('deleteEverything', {})).status).toBe(404);
    expect((await raw('GET', '/api/listModels', auth())).status).toBe(405);
    const text = { 'X-Upres-Token': server.token, 'Content-Type': 'text/plain' };
    expect((await raw('POST', '/api/listModels', text, '{}')).status).toBe(415);
    // The media type is compared whole: parameters are fine, a look-alike type is not.
    const withCharset = { ...text, 'Content-Type': 'Application/JSON; charset=utf-8' };
    expect((await raw('POST', '/api/listModels', withCharset, '{}')).status).toBe(200);
    const lookAlike = { ...text, 'Content-Type': 'application/json-seq' };
    expect((await raw('POST', '/api/listModels', lookAlike, '{}')).status).toBe(415);
    const cross = { ...auth(), Origin: 'https://evil.example' };
    expect((await raw('POST', '/api/listModels', cross, '{}')).status).toBe(403);
    const same = { ...auth(), Origin: base };
    expect((await raw('POST', '/api/listModels', same, '{}')).status).toBe(200);
    const failing = await startLoopbackServer({
      engine,
      rendererDir,
      handlers: {
        ...engine.handlers,
        engineInfo: async () => {
          throw new Error('onnxruntime failed');
        },
      },
    });
    try {
      const res = await fetch(`http://127.0.0.1:${failing.port}/api/engineInfo`, {
        method: 'POST',
        headers: { ...json, 'X-Upres-Token': failing.token },
        body: '{}',
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({
        error: { code: 'internal', message: 'onnxruntime failed' },
      });
    } finally {
      await failing.close();
    }
  });
});

/** Opens the events socket; resolves with it and the events it gets. */
function socket(query: string, headers: Record<string, string> = {}) {
  const events: EngineEvent[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events${query}`, { headers });
  ws.on('message', (m) => events.push(JSON.parse(String(m)) as EngineEvent));
  const opened = new Promise<void>((done, fail) => {
    ws.once('open', () => done());
    ws.once('unexpected-response', (_req, res) => fail(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', fail);
  });
  return { ws, events, opened };
}

async function until<T>(check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('events and images', () => {
  it('refuses a socket without a session or token, or from another Host or Origin', async () => {
    const s = await launch();
    await expect(socket('').opened).rejects.toThrow('HTTP 401');
    await expect(socket('', { 'X-Upres-Token': 'wrong' }).opened).rejects.toThrow('HTTP 401');
    // The token in the query grants nothing; nor the cookie alone, nor the secret alone.
    await expect(socket(`?token=${server.token}`).opened).rejects.toThrow('HTTP 401');
    await expect(socket('', { Cookie: s.cookie }).opened).rejects.toThrow('HTTP 401');
    await expect(socket(`?session=${s.pageSecret}`).opened).rejects.toThrow('HTTP 401');
    await expect(
      socket('', { ...tokenHeader(), Host: `evil.example:${server.port}` }).opened,
    ).rejects.toThrow('HTTP 403');
    await expect(
      socket('', { ...tokenHeader(), Origin: 'https://evil.example' }).opened,
    ).rejects.toThrow('HTTP 403');
    await expect(
      socket(`?session=${s.pageSecret}`, { Cookie: s.cookie, Origin: 'http://127.0.0.1:1' }).opened,
    ).rejects.toThrow('HTTP 403');
    const page = socket(`?session=${s.pageSecret}`, { Cookie: s.cookie, Origin: base });
    await page.opened;
    page.ws.close();
  });

  it('pushes engine events while a folder is processed, then serves its images by token', async () => {
    const s = socket('', tokenHeader());
    await s.opened;
    await until(() => s.events.find((e) => e.kind === 'queue'));
    const added = await call('queueAdd', { paths: [world.photos], settings: { model: 'tiny-a' } });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    await call('queueControl', { action: 'start' });
    // Stopped: the last event is the queue's, not running.
    await until(() => {
      const last = s.events.at(-1);
      return s.events.length > 4 && last?.kind === 'queue' && !last.running ? true : undefined;
    });
    const done = s.events.filter((e) => e.kind === 'item' && e.item.state === 'done');
    expect(done).toHaveLength(2);
    expect(s.events.some((e) => e.kind === 'progress' && e.fraction === 1)).toBe(true);
    s.ws.close();

    const item = (done[0] as Extract<EngineEvent, { kind: 'item' }>).item;
    const img = (await call('itemImage', { id: item.id, which: 'output' })).body as {
      token: string;
    };
    // The image token alone opens that image (no cookie, no access token)…
    const got = await raw('GET', `/image/${img.token}`);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.body.equals(await readFile(item.output!))).toBe(true);
    expect((await raw('GET', `/image/${'0'.repeat(32)}`)).status).toBe(404);
    const t = `t=${server.token}&token=${server.token}`;
    const c = { Cookie: (await launch()).cookie };
    expect((await raw('GET', `/image/..%2f..%2fsecret.txt?${t}`, c)).status).toBe(404);
    // …and nothing else: no API call, no page, no socket.
    const asToken = { ...json, 'X-Upres-Token': img.token };
    expect((await call('listModels', {}, asToken)).status).toBe(401);
    expect((await raw('GET', `/?launch=${img.token}`)).status).toBe(401);
    await expect(socket(`?session=${img.token}`).opened).rejects.toThrow('HTTP 401');
    // Asked again soon, the same token; after IMAGE_TOKEN_TTL_MS it opens nothing, and asking
    // again gives a new one.
    const again = (await call('itemImage', { id: item.id, which: 'output' })).body as typeof img;
    expect(again.token).toBe(img.token);
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + IMAGE_TOKEN_TTL_MS + 1000);
    try {
      expect((await raw('GET', `/image/${img.token}`)).status).toBe(404);
      const fresh = (await call('itemImage', { id: item.id, which: 'output' })).body as typeof img;
      expect(fresh.token).not.toBe(img.token);
      expect((await raw('GET', `/image/${fresh.token}`)).status).toBe(200);
    } finally {
      clock.mockRestore();
    }
  });
});

describe('many pages at once', () => {
  it('sends every event to 150 sockets through one engine listener, with no warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    const clients = Array.from({ length: 150 }, () => socket('', tokenHeader()));
    try {
      await Promise.all(clients.map((c) => c.opened));
      // Each gets the queue's state on connecting, then the one a control action sends.
      await until(() => (clients.every((c) => c.events.length >= 1) ? true : undefined));
      await call('queueControl', { action: 'pause' });
      await until(() => (clients.every((c) => c.events.length >= 2) ? true : undefined));
      for (const c of clients) expect(c.events.map((e) => e.kind)).toEqual(['queue', 'queue']);
      // Node emits its warnings on a later tick.
      await new Promise((done) => setTimeout(done, 50));
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      for (const c of clients) c.ws.close();
    }
  });
});

describe('the browser client (ws-transport)', () => {
  /** A page's environment as a browser gives it: its cookie jar goes with every request. */
  function env(
    href: string,
    store = new Map<string, string>(),
    cookie = '',
  ): PageEnv & { url: string } {
    const e = {
      url: href,
      location: { href, protocol: 'http:', host: `127.0.0.1:${server.port}` },
      history: {
        state: null,
        replaceState: (_d: unknown, _u: string, url: string) => {
          e.url = url;
        },
      },
      storage: {
        getItem: (k: string) => store.get(k) ?? null,
        setItem: (k: string, v: string) => void store.set(k, v),
      },
      fetch: (
        url: string,
        init: { method: string; headers: Record<string, string>; body: string },
      ) =>
        fetch(`${base}${url}`, {
          ...init,
          headers: { ...init.headers, Cookie: cookie, Origin: base },
        }),
      openSocket: (url: string) =>
        new WebSocket(url, { headers: { Cookie: cookie, Origin: base } }) as unknown as SocketLike,
      setTimeout: (f: () => void, ms: number) => setTimeout(f, ms),
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    };
    return e;
  }

  it('takes the page secret out of the address and keeps it for reloads', () => {
    const store = new Map<string, string>();
    const first = env(`${base}/?x=1#upres-session=abc`, store);
    expect(client.takeSession(first)).toBe('abc');
    expect(first.url).toBe('/?x=1');
    const other = env(`${base}/#view=2&upres-session=def`);
    expect(client.takeSession(other)).toBe('def');
    expect(other.url).toBe('/#view=2');
    expect(client.takeSession(env(`${base}/`, store))).toBe('abc');
    expect(client.takeSession(env(`${base}/`))).toBeUndefined();
    // The old `?token=` address is no longer read.
    expect(client.takeSession(env(`${base}/?token=${server.token}`))).toBeUndefined();
  });

  it('calls the API, shows its errors, subscribes to events and names images', async () => {
    const s = await launch();
    const page = env(`${base}/#upres-session=${s.pageSecret}`, new Map(), s.cookie);
    const api = client.createLoopbackApi(page, client.takeSession(page)!);
    expect((await api.listModels({})).map((m) => m.id)).toContain('tiny-ab');
    const explode = api.queueControl({ action: 'explode' } as unknown as { action: 'start' });
    await expect(explode).rejects.toThrow(/^queueControl: invalid request: action/);
    await expect(explode).rejects.toMatchObject({ code: 'request.invalid' });
    await expect(api.itemImage({ id: 'nope', which: 'input' })).rejects.toMatchObject({
      code: 'not-found',
      message: 'no queue item nope',
    });
    const seen: EngineEvent[] = [];
    const off = api.onEvent((e) => seen.push(e));
    await until(() => seen.find((e) => e.kind === 'queue'));
    off();
    expect(api.imageUrl('abc')).toBe('/image/abc');
    expect(api.choosePaths).toBeUndefined();
    const wrong = client.createLoopbackApi(env(`${base}/`, new Map(), s.cookie), 'wrong');
    await expect(wrong.listModels({})).rejects.toMatchObject({
      code: 'request.refused',
      message: expect.stringMatching(/open the address `upres serve` printed/),
    });
  });
});
