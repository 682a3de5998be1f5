// The image token store: a token opens its one image, for as long as the transport allows; the
// images outlive their tokens in the cache; retired, replaced or evicted images open nothing.
import { describe, expect, it } from 'vitest';
import {
  IMAGE_TOKEN_TTL_MS,
  ImageTokens,
  imageHeaders,
} from '../../../src/main/engine/service/image-tokens';

const size = { width: 2, height: 1 };
const bytes = (n: number, fill = 1): Buffer => Buffer.alloc(n, fill);

/** A store on a clock the test moves. */
function store(budget?: number, maxEntries?: number) {
  const clock = { now: 1_000_000 };
  return { clock, tokens: new ImageTokens(budget, maxEntries, () => clock.now) };
}

describe('ImageTokens', () => {
  it('hands out random tokens, each opening its own image only', () => {
    const { tokens } = store();
    const a = tokens.putBytes(bytes(4, 1), 'image/png', size);
    const b = tokens.putBytes(bytes(4, 2), 'image/png', size);
    expect(a.token).toMatch(/^[0-9a-f]{32}$/);
    expect(a.token).not.toBe(b.token);
    expect(tokens.open(a.token)).toEqual({ kind: 'bytes', data: bytes(4, 1), type: 'image/png' });
    expect(tokens.open(b.token)).toMatchObject({ data: bytes(4, 2) });
    expect(tokens.open('0'.repeat(32))).toBeUndefined();
    expect(a).toMatchObject(size);
  });

  it('refuses a token older than the age the transport allows; without one, it stays', () => {
    const { clock, tokens } = store();
    const { token } = tokens.putBytes(bytes(4), 'image/png', size, 'k');
    clock.now += IMAGE_TOKEN_TTL_MS - 1;
    expect(tokens.open(token, IMAGE_TOKEN_TTL_MS)).toBeDefined();
    clock.now += 2;
    expect(tokens.open(token, IMAGE_TOKEN_TTL_MS)).toBeUndefined();
    // Electron's own scheme is reachable from the app's page only: it asks for no limit.
    expect(tokens.open(token)).toBeDefined();
  });

  it('keeps the image past its token: asking again gives a token with at least half its life', () => {
    const { clock, tokens } = store();
    const first = tokens.putBytes(bytes(4), 'image/png', size, 'k');
    clock.now += IMAGE_TOKEN_TTL_MS / 2 - 1;
    expect(tokens.cached('k')?.token).toBe(first.token);
    clock.now += 2;
    const second = tokens.cached('k');
    expect(second?.token).toBeDefined();
    expect(second?.token).not.toBe(first.token);
    expect(second).toMatchObject(size);
    clock.now += IMAGE_TOKEN_TTL_MS / 2;
    expect(tokens.open(first.token, IMAGE_TOKEN_TTL_MS)).toBeUndefined();
    expect(tokens.open(second!.token, IMAGE_TOKEN_TTL_MS)).toMatchObject({ data: bytes(4) });
    expect(tokens.cached('missing')).toBeUndefined();
  });

  it('retires an image once it is no longer valid, and a replaced key', () => {
    const { tokens } = store();
    let known = true;
    const file = tokens.putFile('/photos/a.png', 'image/png', size, 'f', () => known);
    expect(tokens.open(file.token)).toEqual({
      kind: 'file',
      path: '/photos/a.png',
      type: 'image/png',
    });
    known = false;
    expect(tokens.open(file.token)).toBeUndefined();
    expect(tokens.cached('f')).toBeUndefined();
    const old = tokens.putBytes(bytes(4, 1), 'image/png', size, 'k');
    const now = tokens.putBytes(bytes(4, 2), 'image/png', size, 'k');
    expect(tokens.open(old.token)).toBeUndefined();
    expect(tokens.open(now.token)).toMatchObject({ data: bytes(4, 2) });
  });

  it('evicts the least recently used images past its byte budget and entry count', () => {
    const { tokens } = store(10, 3);
    const a = tokens.putBytes(bytes(4), 'image/png', size, 'a');
    const b = tokens.putBytes(bytes(4), 'image/png', size, 'b');
    expect(tokens.open(a.token)).toBeDefined(); // a is now the most recent
    const c = tokens.putBytes(bytes(4), 'image/png', size, 'c');
    expect(tokens.open(b.token)).toBeUndefined();
    expect(tokens.open(a.token)).toBeDefined();
    expect(tokens.open(c.token)).toBeDefined();
    const files = [1, 2, 3].map((i) =>
      tokens.putFile(`/p/${i}.png`, 'image/png', size, `f${i}`, () => true),
    );
    expect(tokens.open(a.token)).toBeUndefined();
    expect(files.map((f) => tokens.open(f.token) !== undefined)).toEqual([true, true, true]);
    tokens.clear();
    expect(tokens.open(files[0].token)).toBeUndefined();
  });

  it('lets a private cache keep an image, never a shared one', () => {
    expect(imageHeaders({ kind: 'bytes', data: bytes(1), type: 'image/jpeg' })).toEqual({
      'Content-Type': 'image/jpeg',
      'Cache-Control': 'private, max-age=86400, immutable',
    });
  });
});
