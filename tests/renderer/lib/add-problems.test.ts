import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const lib = fileURLToPath(new URL('../../../src/renderer/lib/add-problems.ts', import.meta.url));
const { problemLines } = (await import(/* @vite-ignore */ lib)) as {
  problemLines(problems: { path: string; error: string }[]): { message: string; paths: string[] }[];
};

describe('problemLines: one line per kind of problem', () => {
  it('says "already in the queue" once for a folder added twice, without repeating paths', () => {
    const dup = (p: string) => ({
      path: p,
      error: `${p}: already in the queue with the same settings; not added again`,
    });
    const lines = problemLines([
      dup('/photos/a.jpg'),
      { path: '/photos/notes.md', error: '/photos/notes.md: not an image' },
      dup('/photos/b.jpg'),
      dup('/photos/a.jpg'),
    ]);
    expect(lines).toEqual([
      {
        message: 'already in the queue with the same settings; not added again',
        paths: ['/photos/a.jpg', '/photos/b.jpg'],
      },
      { message: 'not an image', paths: ['/photos/notes.md'] },
    ]);
  });

  it('keeps a message that does not start with its path whole', () => {
    expect(problemLines([{ path: '/x', error: 'no such file' }])).toEqual([
      { message: 'no such file', paths: ['/x'] },
    ]);
  });
});
