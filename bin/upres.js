#!/usr/bin/env node
// Runs the command line from its JavaScript build in out/cli (made at install by `prepare`, and made
// again here when a source file changed since), or from source through tsx when it cannot be built.
import { freshCli } from '../scripts/cli-build.mjs';

const built = await freshCli();
if (built) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
