// Inputs refused when added carry a code beside their message, so the app can word a headline in
// its own language (the message stays the engine's, naming the path).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInputs } from '../../../src/main/engine/queue/collect-inputs';
import { problemOf } from '../../../src/main/engine/queue/add-items';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-problem-codes-'));
  await writeFile(join(dir, 'notes.txt'), 'no picture here\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('problem codes', () => {
  it('a missing path is input.missing, a folder without images input.unsupported', async () => {
    const missing = join(dir, 'nowhere');
    const { problems } = await collectInputs([missing, dir]);
    expect(problems).toEqual([
      {
        path: missing,
        error: `${missing}: no such file or folder`,
        code: 'input.missing',
        detail: {
          key: 'batch.inputMissing',
          params: { file: missing },
          text: `${missing}: no such file or folder`,
        },
      },
      {
        path: dir,
        error: `${dir}: folder holds no supported images (add --recursive for sub-folders)`,
        code: 'input.unsupported',
        detail: {
          key: 'batch.folderEmptyFlat',
          params: { file: dir },
          text: `${dir}: folder holds no supported images (add --recursive for sub-folders)`,
        },
      },
    ]);
  });

  it('problemOf keeps a code and names the path once', () => {
    expect(problemOf('/a.png', 'not an image', 'input.unreadable')).toEqual({
      path: '/a.png',
      error: '/a.png: not an image',
      code: 'input.unreadable',
    });
    expect(problemOf('/a.png', '/a.png: not an image')).toEqual({
      path: '/a.png',
      error: '/a.png: not an image',
    });
  });
});
