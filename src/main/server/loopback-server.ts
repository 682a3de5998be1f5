import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { API_METHODS, MODEL_UPLOAD_PATH, type ApiMethod, type EngineEvent } from '../../shared/api';
import { errorCode, toErrorPayload, UpresError, type ErrorCode } from '../../shared/errors';
import {
  dispatchApi,
  IMAGE_TOKEN_TTL_MS,
  imageHeaders,
  type ApiHandlers,
  type Engine,
} from '../engine';
import {
  allowedHosts,
  allowedOrigins,
  newAccessToken,
  setSecurityHeaders,
  tokenMatches,
} from './http-guard';
import { httpStatusOf } from './http-status';
import {
  BrowserSessions,
  LAUNCH_PARAM,
  SESSION_FRAGMENT,
  SESSION_HEADER,
  SESSION_QUERY,
} from './session';
import { findStaticFile } from './static-files';
import { receiveModelUpload } from './model-upload';

/** Loopback only, always: the engine reads and writes the user's files. */
const HOST = '127.0.0.1';
const MAX_BODY = 1024 * 1024;
/** A client this far behind on events is sent no more progress until it catches up. */
const SLOW_CLIENT_BYTES = 8 * 1024 * 1024;

export interface LoopbackOptions {
  engine: Engine;
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The header credential of non-browser clients; defaults to a new random token. */
  token?: string;
  /** Defaults to the engine's own. */
  handlers?: ApiHandlers;
  /** Called each time a browser spends a launch address (e.g. to print another). */
  onLaunch?: () => void;
}

export interface LoopbackServer {
  port: number;
  /**
   * For non-browser clients in this process (tests, scripts): sent as `X-Upres-Token` or
   * `Authorization: Bearer`, it authorises API calls and the event socket. Never printed, never
   * in a URL or a cookie.
   */
  token: string;
  /** The address to open (printed by `upres serve`): the page with a one-time launch secret. */
  url: string;
  /** Another one-time address, for another browser. */
  launchUrl(): string;
  /** Stops listening, closes every connection and socket. */
  close(): Promise<void>;
}

/** A request refused by the server itself, before the engine sees it. */
class HttpError extends UpresError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

/** The status of any failure: the server's own, else from the error's code. */
function statusOf(err: unknown): number {
  return err instanceof HttpError ? err.status : httpStatusOf(errorCode(err));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(`${text}\n`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'request.invalid', 'request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Serves the renderer and the API contract on http://127.0.0.1:PORT, for a browser on this
 * machine (or through an SSH tunnel): the built page, `POST /api/<method>`, a WebSocket of engine
 * events at `/events` and image tokens at `/image/<token>`. A browser opens the printed address
 * once: its launch secret is exchanged for a session (see session.ts), whose cookie loads the
 * page and whose page secret, with the cookie, authorises API calls and the socket. Images need
 * only their token, which opens one image for IMAGE_TOKEN_TTL_MS. Non-browser clients send the
 * access token in a header instead. The Host header must name this loopback address (no DNS
 * rebinding), a request with an Origin must come from this page, and no CORS is offered. A call
 * answers 200 with the response, or `{ error: { code, message } }` with the status of its code
 * (400 a refused request, 404 an unknown id or model, 500 the engine's own failure; see
 * http-status.ts). docs/security.md says what this does and does not defend against.
 */
export async function startLoopbackServer(opt: LoopbackOptions): Promise<LoopbackServer> {
  const { engine, rendererDir } = opt;
  const token = opt.token ?? newAccessToken();
  const handlers = opt.handlers ?? engine.handlers;
  let port = 0;
  const sessions = new BrowserSessions(() => port);

  const hostOk = (req: IncomingMessage): boolean =>
    allowedHosts(port).has((req.headers.host ?? '').toLowerCase());
  const originOk = (req: IncomingMessage): boolean =>
    req.headers.origin === undefined || allowedOrigins(port).has(req.headers.origin);

  /**
   * The checks every call from the page passes, in this order: POST, an authorised session or
   * token, the page's own origin, the expected body type.
   */
  function guard(
    req: IncomingMessage,
    res: ServerResponse,
    what: { post: string; body: string; type: string },
  ): void {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      throw new HttpError(405, 'request.invalid', `${what.post} POST requests`);
    }
    if (!authorised(req, req.headers[SESSION_HEADER]))
      throw new HttpError(
        401,
        'request.refused',
        'no session or access token: open the address `upres serve` printed',
      );
    if (!originOk(req))
      throw new HttpError(403, 'request.refused', 'cross-origin requests are refused');
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== what.type)
      throw new HttpError(415, 'request.invalid', `send the ${what.body} as ${what.type}`);
  }

  async function api(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    guard(req, res, { post: 'the API takes', body: 'request', type: 'application/json' });
    if (!(API_METHODS as string[]).includes(name))
      throw new HttpError(404, 'not-found', `no API method ${name}`);
    let body: unknown;
    const text = await readBody(req);
    try {
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new HttpError(400, 'request.invalid', `${name}: the request body is not JSON`);
    }
    // Failures (the engine's too) reach the request handler's catch: status from the code.
    sendJson(res, 200, await dispatchApi(handlers, name as ApiMethod, body));
  }

  /** Model files from the page (see model-upload.ts): authorised as an API call. */
  async function upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    guard(req, res, { post: 'uploads are', body: 'files', type: 'application/octet-stream' });
    sendJson(res, 200, await receiveModelUpload(req, url, handlers));
  }

  /**
   * The header token where one is presented (non-browser clients), else this server's session:
   * its cookie and, from the page, the page secret.
   */
  function authorised(req: IncomingMessage, pageSecret: unknown): boolean {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const presented = (req.headers['x-upres-token'] as string | undefined) ?? bearer;
    if (presented !== undefined) return tokenMatches(presented, token);
    return sessions.authorises(req, typeof pageSecret === 'string' ? pageSecret : undefined);
  }

  function redirect(res: ServerResponse, location: string): void {
    res.writeHead(303, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
    res.end();
  }

  /**
   * The printed address: an unspent launch secret becomes a session (cookie, and the page secret
   * in the fragment of the redirect, which takes the secret out of the address bar). A spent one
   * only redirects a browser that already has a session (the address opened twice).
   */
  function launch(req: IncomingMessage, res: ServerResponse, secret: string): void {
    // HEAD (a link preview) never spends the secret.
    if (req.method === 'GET' && sessions.spendLaunch(secret)) {
      const session = sessions.newSession();
      res.setHeader('Set-Cookie', sessions.setCookieHeaders(session.cookie));
      redirect(res, `/#${SESSION_FRAGMENT}=${session.pageSecret}`);
      opt.onLaunch?.();
      return;
    }
    if (sessions.sessionOf(req) !== undefined) return redirect(res, '/');
    throw new HttpError(
      401,
      'request.refused',
      'This Upres address has been used already (each one opens one browser, once). Open the ' +
        'newest address `upres serve` printed, or restart it.',
    );
  }

  function image(req: IncomingMessage, res: ServerResponse, imageToken: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, 'request.invalid', 'GET only');
    // The token is the capability: one image, for a few minutes; nothing else is asked for, so
    // a copied image address works (briefly) and grants nothing more.
    const source = engine.images.open(imageToken, IMAGE_TOKEN_TTL_MS);
    if (!source) throw new HttpError(404, 'not-found', 'no such image (it may have expired)');
    const headers = imageHeaders(source);
    if (source.kind === 'bytes') {
      res.writeHead(200, { ...headers, 'Content-Length': source.data.byteLength });
      res.end(req.method === 'HEAD' ? undefined : source.data);
      return;
    }
    const stream = createReadStream(source.path);
    stream.once('error', () => {
      if (!res.headersSent) sendText(res, 404, 'the image file is gone');
      else res.destroy();
    });
    stream.once('open', () => {
      res.writeHead(200, headers);
      if (req.method === 'HEAD') {
        stream.destroy();
        res.end();
      } else stream.pipe(res);
    });
  }

  async function page(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, 'request.invalid', 'GET only');
    const secret = url.searchParams.get(LAUNCH_PARAM);
    if (secret !== null) return launch(req, res, secret);
    // The cookie alone loads the page (public code, no data): it grants no API call.
    if (sessions.sessionOf(req) === undefined) {
      throw new HttpError(
        401,
        'request.refused',
        'Upres needs a session: open the address `upres serve` printed (…/?launch=…).',
      );
    }
    const file = await findStaticFile(rendererDir, url.pathname);
    if (!file && url.pathname === '/favicon.ico') {
      // Browsers ask for it unprompted; an empty answer keeps a 404 out of the page's console.
      res.writeHead(204, { 'Cache-Control': 'max-age=86400' });
      res.end();
      return;
    }
    if (!file) throw new HttpError(404, 'not-found', 'not found');
    const html = file.type.startsWith('text/html');
    setSecurityHeaders(res, port, html);
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.size,
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file.path).pipe(res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res, port, false);
    if (!hostOk(req)) throw new HttpError(403, 'request.refused', 'unexpected Host header');
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const path = url.pathname;
    if (path === MODEL_UPLOAD_PATH) return upload(req, res, url);
    if (path.startsWith('/api/')) return api(req, res, path.slice('/api/'.length));
    const img = /^\/image\/([A-Za-z0-9_-]+)$/.exec(path);
    if (img) return image(req, res, img[1]);
    if (path === '/events') throw new HttpError(426, 'request.invalid', 'connect with a WebSocket');
    return page(req, res, url);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = statusOf(err);
      const payload = toErrorPayload(err);
      if (res.headersSent) res.destroy();
      // The same { code, message } payload as over IPC (shared/errors.ts), under `error`.
      else if (req.url?.startsWith('/api/')) sendJson(res, status, { error: payload });
      else sendText(res, status, payload.message);
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const refuse = (socket: Socket, status: number, text: string): void => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    if (!hostOk(req)) return refuse(socket, 403, 'Forbidden');
    if (url.pathname !== '/events') return refuse(socket, 404, 'Not Found');
    // Browsers cannot set headers on a WebSocket: the page secret comes in the query.
    if (!authorised(req, url.searchParams.get(SESSION_QUERY)))
      return refuse(socket, 401, 'Unauthorized');
    if (!originOk(req)) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => subscribe(ws));
  });

  const send = (ws: WebSocket, e: EngineEvent, text = JSON.stringify(e)): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (e.kind === 'progress' && ws.bufferedAmount > SLOW_CLIENT_BYTES) return;
    ws.send(text);
  };
  const sockets = new Set<WebSocket>();

  function subscribe(ws: WebSocket): void {
    send(ws, engine.queueState());
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    // The socket only carries events to the page; anything the page sends is ignored.
  }

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(opt.port ?? 0, HOST, () => {
      server.off('error', fail);
      done();
    });
  });
  port = (server.address() as AddressInfo).port;
  const launchUrl = (): string =>
    `http://${HOST}:${port}/?${LAUNCH_PARAM}=${sessions.newLaunchSecret()}`;
  // One engine listener for every socket, not one each (past the engine's listener limit, a
  // hundred pages made Node print MaxListenersExceededWarning); each event serialised once.
  const unsubscribe = engine.onEvent((e) => {
    if (sockets.size === 0) return;
    const text = JSON.stringify(e);
    for (const ws of sockets) send(ws, e, text);
  });

  return {
    port,
    token,
    url: launchUrl(),
    launchUrl,
    close: async () => {
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((done) => wss.close(() => done()));
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
    },
  };
}
