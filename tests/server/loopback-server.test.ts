// `upres serve`'s server over real HTTP and WebSocket on a free port: the token, the Host guard,
// the API boundary, events, image tokens, and the browser client (ws-transport) against it.
import { request as httpRequest } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EngineEvent, UpresApi } from '../../src/shared/api';
import { engineOf, type Engine } from '../../src/main/engine';
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
  takeToken(env: PageEnv): string | undefined;
  createLoopbackApi(env: PageEnv, token: string): UpresApi;
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
): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, method, path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

const json = { 'Content-Type': 'application/json' };
const auth = (): Record<string, string> => ({ ...json, 'X-Upres-Token': server.token });

async function call(method: string, body: unknown, headers = auth()) {
  const res = await fetch(`${base}/api/${method}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the page', () => {
  it('prints a loopback URL with a random token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[\w-]{32}$/);
  });

  it('is refused without the token and served with it, with a strict policy and a cookie', async () => {
    expect((await raw('GET', '/')).status).toBe(401);
    expect((await raw('GET', '/?token=wrong')).status).toBe(401);
    const ok = await raw('GET', `/?token=${server.token}`);
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toContain('<title>Upres</title>');
    const csp = String(ok.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect(ok.headers['referrer-policy']).toBe('no-referrer');
    expect(ok.headers['access-control-allow-origin']).toBeUndefined();
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    // The cookie alone lets the page reload and load its scripts.
    const jar = cookie.split(';')[0];
    expect((await raw('GET', '/assets/app.js', { Cookie: jar })).status).toBe(200);
    expect((await raw('GET', '/assets/app.js')).status).toBe(401);
  });

  it('refuses a Host other than its loopback address (DNS rebinding)', async () => {
    const q = `/?token=${server.token}`;
    expect((await raw('GET', q, { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await raw('GET', q, { Host: '127.0.0.1:1' })).status).toBe(403);
    expect((await raw('GET', q, { Host: `localhost:${server.port}` })).status).toBe(200);
    const api = await raw('POST', '/api/listModels', { ...auth(), Host: 'evil.example' }, '{}');
    expect(api.status).toBe(403);
  });

  it('serves nothing outside the renderer folder', async () => {
    const t = `?token=${server.token}`;
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt'])
      expect((await raw('GET', `${path}${t}`)).status, path).toBe(404);
    expect((await raw('GET', `/nope.js${t}`)).status).toBe(404);
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
    });
    const extra = await call('engineInfo', { x: 1 });
    expect(extra).toEqual({
      status: 400,
      body: {
        error: {
          code: 'request.invalid',
          message: 'engineInfo: invalid request: (root): Unrecognized key: "x"',
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
        body: { error: { code: 'not-found', message: 'no queue item nope' } },
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
  it('refuses a socket without the token or from another Host', async () => {
    await expect(socket('').opened).rejects.toThrow('HTTP 401');
    await expect(socket('?token=wrong').opened).rejects.toThrow('HTTP 401');
    await expect(
      socket(`?token=${server.token}`, { Host: `evil.example:${server.port}` }).opened,
    ).rejects.toThrow('HTTP 403');
    await expect(
      socket(`?token=${server.token}`, { Origin: 'https://evil.example' }).opened,
    ).rejects.toThrow('HTTP 403');
  });

  it('pushes engine events while a folder is processed, then serves its images by token', async () => {
    const s = socket(`?token=${server.token}`);
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
    const got = await raw('GET', `/image/${img.token}?t=${server.token}`);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.body.equals(await readFile(item.output!))).toBe(true);
    expect((await raw('GET', `/image/${img.token}`)).status).toBe(401);
    expect((await raw('GET', `/image/${'0'.repeat(32)}?t=${server.token}`)).status).toBe(404);
    const t = `t=${server.token}&token=${server.token}`;
    expect((await raw('GET', `/image/..%2f..%2fsecret.txt?${t}`)).status).toBe(404);
  });
});

describe('many pages at once', () => {
  it('sends every event to 150 sockets through one engine listener, with no warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    const clients = Array.from({ length: 150 }, () => socket(`?token=${server.token}`));
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
  function env(href: string, store = new Map<string, string>()): PageEnv & { url: string } {
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
      ) => fetch(`${base}${url}`, init),
      openSocket: (url: string) => new WebSocket(url) as unknown as SocketLike,
      setTimeout: (f: () => void, ms: number) => setTimeout(f, ms),
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    };
    return e;
  }

  it('takes the token out of the address and keeps it for reloads', () => {
    const store = new Map<string, string>();
    const first = env(`${base}/?token=abc&x=1#view`, store);
    expect(client.takeToken(first)).toBe('abc');
    expect(first.url).toBe('/?x=1#view');
    expect(client.takeToken(env(`${base}/`, store))).toBe('abc');
    expect(client.takeToken(env(`${base}/`))).toBeUndefined();
  });

  it('calls the API, shows its errors, subscribes to events and names images', async () => {
    const api = client.createLoopbackApi(env(server.url), server.token);
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
    expect(api.imageUrl('abc')).toBe(`/image/abc?t=${server.token}`);
    expect(api.choosePaths).toBeUndefined();
    const wrong = client.createLoopbackApi(env(server.url), 'wrong');
    await expect(wrong.listModels({})).rejects.toThrow(/access token/);
  });
});
