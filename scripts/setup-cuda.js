#!/usr/bin/env node
// Opt-in for Linux CUDA users: fetches onnxruntime-node's CUDA 12 execution provider, which the
// default install skips (package.json `allowScripts`, .npmrc) because it comes from outside the npm
// registry. The preload in .npmrc sets ONNXRUNTIME_NODE_INSTALL only when it is unset, so this wins.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(
    'setup:cuda is for Linux x64; on Windows onnxruntime-node already ships DirectML, on macOS CoreML.',
  );
  process.exit(1);
}
const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
const result = spawnSync(process.execPath, [join(pkg, 'script', 'install.js')], {
  cwd: pkg,
  stdio: 'inherit',
  env: {
    ...process.env,
    ONNXRUNTIME_NODE_INSTALL: 'cuda12',
    npm_config_onnxruntime_node_install: 'cuda12',
  },
});
if (result.status === 0)
  console.log(
    'CUDA provider installed; `--device auto` will now use it when a CUDA 12 GPU is present.',
  );
process.exit(result.status ?? 1);
