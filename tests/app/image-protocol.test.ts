import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageResponse } from '../../src/main/app/image-protocol';
import { ImageTokens } from '../../src/main/engine/service/image-tokens';

let dir: string;
const images = new ImageTokens(1000);
let known = true;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-protocol-'));
  await writeFile(join(dir, 'a.png'), 'png bytes');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('upres-image:// protocol', () => {
  it('serves the bytes and files of tokens, and 404s anything else', async () => {
    const bytes = images.putBytes(Buffer.from('preview'), 'image/png', { width: 1, height: 1 });
    const res = await imageResponse(images, `upres-image://${bytes.token}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(await res.text()).toBe('preview');

    const file = images.putFile(
      join(dir, 'a.png'),
      'image/png',
      { width: 1, height: 1 },
      'k',
      () => known,
    );
    expect(await (await imageResponse(images, `upres-image://${file.token}`)).text()).toBe(
      'png bytes',
    );
    for (const url of [
      'upres-image://00000000000000000000000000000000/',
      `file://${join(dir, 'a.png')}`,
      `upres-image://${file.token}/../../etc/passwd`.replace(file.token, '..'),
      'not a url',
    ])
      expect((await imageResponse(images, url)).status, url).toBe(404);
    expect((await imageResponse(undefined, `upres-image://${bytes.token}`)).status).toBe(404);
  });

  it('stops serving a file once the queue forgets it', async () => {
    const file = images.putFile(
      join(dir, 'a.png'),
      'image/png',
      { width: 1, height: 1 },
      'k2',
      () => known,
    );
    known = false;
    expect((await imageResponse(images, `upres-image://${file.token}`)).status).toBe(404);
  });

  it('keeps in-memory images within its byte budget, oldest out first', () => {
    const store = new ImageTokens(10);
    const a = store.putBytes(Buffer.alloc(6), 'image/png', { width: 1, height: 1 });
    const b = store.putBytes(Buffer.alloc(6), 'image/png', { width: 1, height: 1 });
    expect(store.open(a.token)).toBeUndefined();
    expect(store.open(b.token)).toBeDefined();
  });
});
