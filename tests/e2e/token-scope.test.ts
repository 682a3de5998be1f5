// What Chromium sends to another server on 127.0.0.1 grants nothing on `upres serve`. Browsers
// scope cookies by host, not by port, so an unrelated local server (another program, or a page an
// attacker runs on another port) is sent Upres's session cookie; whatever it gets, and whatever
// image address a user copies from the page, must not authorise a single API call.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { addPath, rows, waitConnected } from './helpers/app-page';
import { useServedApp } from './helpers/served-app';

let photo: string;
/** A photo only the other server's page asks Upres to add. */
let decoy: string;
let other: Server;
let otherBase: string;
/** The Cookie header of every request the unrelated server got. */
const cookiesSeen: string[] = [];

const app = useServedApp('upres-e2e-scope-', async (world) => {
  photo = join(world.dir, 'photos', 'dunes.png');
  const w = 400;
  const h = 300;
  const pixels = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) pixels.set([(i % w) % 256, (i / w) % 256, 90], i * 3);
  await sharp(pixels, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(photo);
  decoy = join(world.dir, 'decoy', 'decoy.png');
  await mkdir(dirname(decoy));
  await sharp(photo).toFile(decoy);
});

beforeAll(async () => {
  // The unrelated server: a page that also tries the API of every port it is told about, from
  // inside the browser (no-cors, so it cannot read the answers, only send the cookie along).
  other = createServer((req: IncomingMessage, res) => {
    cookiesSeen.push(req.headers.cookie ?? '');
    const upres = new URL(req.url ?? '/', 'http://x').searchParams.get('upres');
    const add = JSON.stringify(JSON.stringify({ paths: [decoy] }));
    const attempt = upres
      ? `<script>fetch('${upres}/api/queueAdd', { method: 'POST', mode: 'no-cors',
           credentials: 'include', body: ${add} });</script>`
      : '';
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><title>other</title><img src="/pixel.png">${attempt}`);
  });
  await new Promise<void>((done) => other.listen(0, '127.0.0.1', () => done()));
  otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (!other) return;
  const closed = new Promise((done) => other.close(done));
  other.closeAllConnections();
  await closed;
});

/** Every API call a replay tries, each with one received value in one place a credential goes. */
async function replays(upres: string, cookieHeader: string, value: string) {
  const origin = { Origin: upres, 'Content-Type': 'application/json' };
  const tries: [string, RequestInit, string][] = [
    ['cookie', { headers: { ...origin, Cookie: cookieHeader } }, ''],
    ['token header', { headers: { ...origin, 'X-Upres-Token': value } }, ''],
    ['bearer', { headers: { ...origin, Authorization: `Bearer ${value}` } }, ''],
    [
      'cookie + value as page secret',
      { headers: { ...origin, Cookie: cookieHeader, 'X-Upres-Session': value } },
      '',
    ],
    ['token query', { headers: { ...origin, Cookie: cookieHeader } }, `?token=${value}`],
  ];
  const statuses: Record<string, number> = {};
  for (const [name, init, query] of tries) {
    const res = await fetch(`${upres}/api/listModels${query}`, {
      method: 'POST',
      body: '{}',
      ...init,
    });
    statuses[name] = res.status;
  }
  const socket = new WebSocket(
    `${upres.replace('http', 'ws')}/events?session=${encodeURIComponent(value)}`,
    { headers: { Cookie: cookieHeader, Origin: upres } },
  );
  statuses.socket = await new Promise<number>((done) => {
    socket.once('open', () => {
      socket.close();
      done(101);
    });
    socket.once('unexpected-response', (_req, res) => done(res.statusCode ?? 0));
    socket.once('error', () => done(0));
  });
  return statuses;
}

describe('the session and image tokens of upres serve, against another port', () => {
  it('give the unrelated server nothing that authorises an API call, and the UI works', async () => {
    const upres = new URL(app.served.url).origin;
    // The UI works: a photo is added, its thumbnail shown.
    await addPath(app.page, photo);
    const row = rows(app.page, 'dunes.png');
    await row.waitFor();
    const thumb = row.locator('img');
    await expect
      .poll(() =>
        thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBeGreaterThan(0);
    const imageUrls = (await app.page.evaluate(
      '[...document.images].map((i) => i.src).filter((s) => s.includes("/image/"))',
    )) as string[];
    expect(imageUrls.length).toBeGreaterThan(0);

    // The same browser visits the unrelated server: navigation, a sub-resource, and a request
    // its page makes to Upres.
    const visit = await app.page.context().newPage();
    await visit.goto(`${otherBase}/?upres=${encodeURIComponent(upres)}`);
    await visit.waitForLoadState('networkidle');
    await visit.close();
    // Chromium did send it Upres's cookie: the leak this defends against is real.
    const port = new URL(upres).port;
    const received = cookiesSeen.filter((c) => c.includes(`upres-${port}=`));
    expect(received.length).toBeGreaterThan(0);

    const values = new Set<string>();
    for (const header of received)
      for (const pair of header.split(/;\s*/)) values.add(pair.slice(pair.indexOf('=') + 1));
    for (const url of imageUrls) {
      values.add(url);
      values.add(new URL(url).pathname.split('/').pop()!);
    }
    for (const value of values) {
      const statuses = await replays(upres, received[0], value);
      for (const [how, status] of Object.entries(statuses))
        expect([401, 403], `${how} with ${value}`).toContain(status);
    }
    // The printed address was spent by the browser: replayed, it makes no session.
    const again = await fetch(app.served.url, { redirect: 'manual' });
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toBeNull();

    // A copied image address shows that one image (for a few minutes), nothing else.
    const image = await fetch(imageUrls[0]);
    expect(image.status).toBe(200);
    expect((await sharp(Buffer.from(await image.arrayBuffer())).metadata()).width).toBe(96);

    // The page on the other port could not add anything; the UI still works after a reload.
    await app.page.reload();
    await waitConnected(app.page);
    await rows(app.page, 'dunes.png').waitFor();
    expect(await rows(app.page).count()).toBe(1);
    expect(await rows(app.page, 'decoy.png').count()).toBe(0);
    expect(app.errors).toEqual([]);
  });
});
