#!/usr/bin/env node
// Runs the command line from its JavaScript build in out/cli (made at install by `prepare`, and made
// again here when a source file changed since), or from source through tsx when it cannot be built.
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freshCli } from '../scripts/cli-build.mjs';

// Start-up marks (UPRES_STARTUP_TRACE) from before the CLI's own code runs (startup-trace.ts
// keeps its marks in this same global list).
const trace = (globalThis[Symbol.for('upres.startupTrace')] ??= []);
const mark = (name) =>
  process.env.UPRES_STARTUP_TRACE &&
  trace.push({ name, at: performance.timeOrigin + performance.now() });
mark('bin: started');
const built = await freshCli();
mark('bin: build checked');
if (built) {
  // The inference child starts now, while the CLI's bundle loads (engine/runtime/early-session.ts).
  try {
    const early = await import(pathToFileURL(join(dirname(built), 'early-start.js')).href);
    early.startEarly(process.argv);
  } catch {
    // an older build without it: the engine starts its child itself
  }
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
