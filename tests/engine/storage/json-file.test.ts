// The JSON document store behind the queue journal and the settings.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { diskError } from '../../../src/main/engine/storage/disk-errors';
import { JsonFile } from '../../../src/main/engine/storage/json-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'upres-json-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const Doc = z.object({ n: z.number() });

describe('JsonFile', () => {
  it('reads nothing from a missing file, writes in order, reads back what was written', async () => {
    const f = new JsonFile(join(dir, 'sub', 'doc.json'), Doc);
    expect(await f.read()).toEqual({});
    await Promise.all([f.write({ n: 1 }), f.write({ n: 2 })]);
    expect(JSON.parse(readFileSync(join(dir, 'sub', 'doc.json'), 'utf8'))).toEqual({ n: 2 });
    expect(await f.read()).toEqual({ value: { n: 2 } });
  });

  it('sets aside a file that does not parse or does not validate', async () => {
    for (const text of ['{"n": 1', '{"n": "one"}']) {
      const path = join(dir, 'doc.json');
      writeFileSync(path, text);
      const { value, setAside } = await new JsonFile(path, Doc).read();
      expect(value).toBeUndefined();
      expect(setAside).toMatch(/doc\.json\.corrupt-\d+$/);
      expect(readFileSync(setAside!, 'utf8')).toBe(text);
      rmSync(setAside!);
      expect(readdirSync(dir)).toEqual([]);
    }
  });
});

describe('diskError', () => {
  it('turns errno codes into disk codes with plain words', () => {
    const errno = (code: string) => Object.assign(new Error(`${code}: raw`), { code });
    // The payload carries the sentence's key and values, for the UI to say it in its language.
    const said = (key: string, message: string, extra: Record<string, string> = {}) => ({
      message,
      detail: { key: `pipeline.${key}`, params: { folder: '/out', ...extra }, text: message },
    });
    expect(diskError(errno('ENOSPC'), '/out').toPayload()).toEqual({
      code: 'disk.full',
      ...said('diskFull', 'cannot write to /out: the disk is full'),
    });
    expect(diskError(errno('EROFS'), '/out').code).toBe('disk.read-only');
    expect(diskError(errno('EACCES'), '/out').toPayload()).toEqual({
      code: 'disk.permission',
      ...said('diskPermission', 'cannot write to /out: permission denied'),
    });
    expect(diskError(errno('ENOTDIR'), '/out').toPayload()).toEqual({
      code: 'disk.error',
      ...said('diskOther', 'cannot write to /out: ENOTDIR: raw', { reason: 'ENOTDIR: raw' }),
    });
  });
});
