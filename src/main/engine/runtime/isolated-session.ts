// An onnxruntime session in a child process that can be killed at any moment, for graphs Upres
// does not trust yet (an imported model's trial run): the kill is the time limit that holds.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProbeRequest, ProbeResponse } from './probe-protocol';

type Pending = { resolve: (r: ProbeResponse) => void; reject: (e: Error) => void };

export interface IsolatedStart {
  /** Kills the child (a load or run in flight included) when it aborts. */
  signal?: AbortSignal;
  /** The child's JavaScript heap, in MB (onnxruntime's native memory is not bounded by it). */
  heapMb?: number;
}

/** What the session needs of a child process: Node's ChildProcess and an adapter both fit. */
export interface ProbeChild {
  send(msg: ProbeRequest): void;
  on(event: 'message', cb: (res: ProbeResponse) => void): void;
  on(event: 'exit', cb: (code: number | null, signal: string | null) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  once(event: 'exit', cb: () => void): void;
  /** Kills the process at once; a no-op once it has exited. */
  kill(): void;
}

/** Starts `modulePath` with `args` as a child process. */
export type ProbeLauncher = (modulePath: string, args: string[], heapMb?: number) => ProbeChild;

/** Node's fork as the engine starts its children: structured-clone IPC (typed arrays pass as they are). */
export function forkChild(modulePath: string, args: string[], heapMb?: number): ChildProcess {
  return fork(modulePath, args, {
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: heapMb ? [`--max-old-space-size=${heapMb}`] : [],
  });
}

/** A forked child as a ProbeChild. */
export function probeChildOf(child: ChildProcess): ProbeChild {
  return {
    send: (msg) => void child.send(msg),
    on: (event: string, cb: (...a: any[]) => void) => child.on(event, cb), // eslint-disable-line @typescript-eslint/no-explicit-any
    once: (event: string, cb: () => void) => child.once(event, cb),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  } as ProbeChild;
}

const forkLauncher: ProbeLauncher = (modulePath, args, heapMb) =>
  probeChildOf(forkChild(modulePath, args, heapMb));

let launcher: ProbeLauncher = forkLauncher;

/**
 * Replaces how probe processes start. The packaged Electron app must: with its RunAsNode fuse off,
 * `fork` cannot run Electron as Node, so the app passes an adapter over `utilityProcess.fork`
 * (probe-process.ts answers on either channel).
 */
export function setProbeLauncher(l: ProbeLauncher): void {
  launcher = l;
}

/**
 * The child's code: the bundled `probe-process.js` beside the built main process, or the source
 * through a bootstrap that registers tsx (CLI from source, tests).
 */
function entry(): { path: string; args: string[] } {
  const built = fileURLToPath(new URL('./probe-process.js', import.meta.url));
  if (existsSync(built)) return { path: built, args: [] };
  return {
    path: fileURLToPath(new URL('./ts-process-bootstrap.js', import.meta.url)),
    args: [new URL('./probe-process.ts', import.meta.url).href],
  };
}

/** One session in a killable child process: load, run (output dims only), kill. */
export class IsolatedSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;

  private constructor(private readonly child: ProbeChild) {
    child.on('message', (res: ProbeResponse) => {
      const p = this.pending.get(res.id);
      this.pending.delete(res.id);
      if (!p) return;
      if (res.ok) p.resolve(res);
      else p.reject(new Error(res.error));
    });
    const failAll = (err: Error): void => {
      this.failure ??= err;
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    child.on('error', failAll);
    child.on('exit', (code, signal) =>
      failAll(new Error(`the probe process ended (${signal ?? `code ${code}`})`)),
    );
  }

  /** Starts a child process and loads the model in it (CPU, one thread). */
  static async create(model: Uint8Array, opt: IsolatedStart = {}): Promise<IsolatedSession> {
    const { path, args } = entry();
    const child = launcher(path, args, opt.heapMb);
    const s = new IsolatedSession(child);
    const { signal } = opt;
    if (signal) {
      const stop = () => s.kill();
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      child.once('exit', () => signal.removeEventListener('abort', stop));
    }
    try {
      await s.call({ type: 'load', id: 0, model });
    } catch (err) {
      s.kill();
      throw err;
    }
    return s;
  }

  private call(req: ProbeRequest): Promise<ProbeResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...req, id });
    });
  }

  /** Runs one NCHW float32 tensor; only the output's dims come back. */
  async run(input: { data: Float32Array; dims: number[] }): Promise<{ dims: number[] }> {
    const res = await this.call({ type: 'run', id: 0, data: input.data, dims: input.dims });
    if (!res.ok || !res.dims) throw new Error('the probe returned no output');
    return { dims: res.dims };
  }

  /** Kills the child at once (SIGKILL): nothing it runs can outlive this. */
  kill(): void {
    this.failure ??= new Error('the probe process was stopped');
    this.child.kill();
  }
}

/**
 * Starts a child process the way probes are started (Node's fork, or the launcher the app set):
 * for other engine children that must be killable at once (inference-session.ts).
 */
export function launchChild(modulePath: string, args: string[], heapMb?: number): ProbeChild {
  return launcher(modulePath, args, heapMb);
}

/** Whether children start through Node's fork (not an adapter the app set). */
export function launchesByFork(): boolean {
  return launcher === forkLauncher;
}
