import { utilityProcess } from 'electron';
import type { ProbeLauncher } from '../engine';

/**
 * The packaged app's way to start an imported model's trial run in a child it can kill: with the
 * RunAsNode fuse off (electron-builder.yml) `child_process.fork` cannot run Electron as Node, so the
 * child is an Electron utility process, which the engine's probe-process answers over parentPort.
 */
export const utilityProbeLauncher: ProbeLauncher = (modulePath, args, heapMb) => {
  const child = utilityProcess.fork(modulePath, args, {
    serviceName: 'Upres model check',
    stdio: ['ignore', 'ignore', 'inherit'],
    execArgv: heapMb ? [`--max-old-space-size=${heapMb}`] : [],
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  return {
    send: (msg) => child.postMessage(msg),
    on: (event: 'message' | 'exit' | 'error', cb: (...a: never[]) => void) => {
      if (event === 'message') child.on('message', cb as (m: unknown) => void);
      else if (event === 'exit')
        child.on('exit', (code) =>
          (cb as (c: number | null, s: string | null) => void)(code, null),
        );
      else
        child.on('error', (type, location) =>
          (cb as (e: Error) => void)(new Error(`${type} at ${location}`)),
        );
    },
    once: (event: 'exit', cb: () => void) => child.once(event, cb),
    kill: () => {
      if (!exited) child.kill();
    },
  } as ReturnType<ProbeLauncher>;
};
