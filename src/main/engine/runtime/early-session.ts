// The inference child of a CLI start, started before the CLI's own code has loaded (~0.5 s of
// imports) and found out which graph it needs: bin/upres.js forks it first thing, and when the
// same command line loaded a saved optimised graph before (a hint kept in the user data folder),
// the child starts loading that graph at once. The first session the engine then creates adopts
// the child: its load in flight when the request is exactly the hinted one, else a fresh load in
// the already started child; a hinted load that does not match is killed. A wrong hint costs CPU
// time, never a wrong result. A child nobody adopts is killed once the first model is ready, and
// it never keeps the process alive (it is unref'd until adopted, and exits when we do).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExecutionDevice } from '../../../shared/device';
import { traceMark } from '../metrics/startup-trace';
import { cliUserData } from '../storage/user-data-dir';
import { forkChild } from './isolated-session';
import type { FaultInjection, WorkerRequest, WorkerResponse } from './worker-protocol';

/** A load of a saved optimised graph: what a hint remembers. */
export interface SavedGraphLoad {
  model: string;
  device: ExecutionDevice;
  threads?: number;
}

/** What InferenceSession.create is about to load. */
export interface LoadWanted {
  model: Uint8Array | string;
  device: ExecutionDevice;
  threads?: number;
  probe?: number;
  inject?: FaultInjection;
  saveOptimized?: string;
}

/** An early child handed to a session: its hinted load's answer when that load is the one wanted. */
export interface AdoptedChild {
  child: ChildProcess;
  answer?: Promise<WorkerResponse>;
}

interface Early {
  child: ChildProcess;
  preload?: { load: SavedGraphLoad; answer: Promise<WorkerResponse> };
}

/** The id of the hinted load's request (a session's own requests count from 1). */
const EARLY_ID = 0;
const MAX_HINTS = 16;

// Shared through globalThis: the early start runs from its own bundle (out/cli/early-start.js),
// the engine from the CLI's, and each has its own copy of this module.
interface State {
  early?: Early;
  /** The first saved graph this process loaded (what the next start's hint says). */
  noted?: SavedGraphLoad;
}
const state: State = ((globalThis as Record<symbol, State>)[Symbol.for('upres.earlySession')] ??=
  {});

const off = (env: NodeJS.ProcessEnv) =>
  env.UPRES_EARLY_SESSION === 'off' || env.UPRES_SESSION_HOST === 'thread';

/** Where the hints live (the CLI's user data folder: only the CLI starts early). */
export function hintFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(cliUserData(env), 'cache', 'early-start.json');
}

/**
 * What of a command line decides its first graph (command, model or chain, device, precision, the
 * models folder), read from the raw arguments before any parser has run; undefined for commands
 * that load no model up front. Only ever compared with itself: a misread costs a hint, not more.
 */
export function earlySignature(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const args = argv.slice(2);
  if (args[0] !== 'upscale' || args.includes('--resume')) return undefined;
  const names: Record<string, string[]> = {
    model: ['-m', '--model'],
    chain: ['--chain'],
    device: ['-d', '--device'],
    precision: ['--precision'],
  };
  const found: Record<string, string> = {};
  for (let i = 1; i < args.length; i++) {
    for (const [key, flags] of Object.entries(names)) {
      for (const flag of flags) {
        if (args[i] === flag && i + 1 < args.length) found[key] = args[i + 1];
        else if (flag.startsWith('--') && args[i].startsWith(`${flag}=`))
          found[key] = args[i].slice(flag.length + 1);
      }
    }
  }
  return JSON.stringify({ ...found, models: env.UPRES_MODELS_DIR ?? '' });
}

function readHints(file: string): Record<string, SavedGraphLoad> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { hints?: unknown };
    const hints = parsed.hints;
    return hints && typeof hints === 'object' ? (hints as Record<string, SavedGraphLoad>) : {};
  } catch {
    return {};
  }
}

function validHint(h: unknown): h is SavedGraphLoad {
  const x = h as SavedGraphLoad | undefined;
  return (
    typeof x?.model === 'string' &&
    typeof x.device === 'string' &&
    (x.threads === undefined || typeof x.threads === 'number')
  );
}

/**
 * Forks the inference child now (`entry`: its code), and starts its load when `argv` has a hint.
 * Nothing for commands that load no model, or with UPRES_EARLY_SESSION=off. Returns the child.
 */
export function startEarlySession(
  argv: readonly string[],
  entry: { path: string; args: string[] },
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess | undefined {
  if (state.early || off(env) || argv[2] !== 'upscale') return undefined;
  const signature = earlySignature(argv, env);
  const hint =
    signature !== undefined && env.UPRES_GRAPH_CACHE !== 'off'
      ? readHints(hintFile(env))[signature]
      : undefined;
  const child = forkChild(entry.path, entry.args);
  // Not adopted yet: it must not keep this process alive (it exits when our IPC channel closes).
  child.unref();
  child.channel?.unref();
  child.on('error', () => undefined);
  const early: Early = { child };
  traceMark('early: child forked');
  if (validHint(hint) && existsSync(hint.model)) {
    const load: SavedGraphLoad = { model: hint.model, device: hint.device, threads: hint.threads };
    const answer = new Promise<WorkerResponse>((resolve) => {
      const onMessage = (res: WorkerResponse) => {
        if (res.id !== EARLY_ID) return;
        child.off('message', onMessage);
        resolve(res);
      };
      child.on('message', onMessage);
      child.once('exit', (code, sig) =>
        resolve({
          id: EARLY_ID,
          ok: false,
          error: `inference process ended (${sig ?? `code ${code}`})`,
        }),
      );
    });
    const request: WorkerRequest = { type: 'load', id: EARLY_ID, ...load };
    child.send(request);
    early.preload = { load, answer };
    traceMark('early: hinted load sent');
  }
  state.early = early;
  return child;
}

const sameLoad = (a: SavedGraphLoad, w: LoadWanted): boolean =>
  typeof w.model === 'string' &&
  w.model === a.model &&
  w.device === a.device &&
  w.threads === a.threads &&
  w.probe === undefined &&
  w.inject === undefined &&
  w.saveOptimized === undefined;

/**
 * The early child for the session about to load `wanted`, if there is one: with the answer of its
 * hinted load when that is exactly `wanted` (else the hinted load is killed and nothing adopted).
 * Taken once; the child is ref'd again, as any session's child is.
 */
export function adoptEarlyChild(wanted: LoadWanted): AdoptedChild | undefined {
  const early = state.early;
  if (!early) return undefined;
  state.early = undefined;
  const { child, preload } = early;
  if (child.exitCode !== null || child.signalCode !== null || !child.connected) return undefined;
  if (preload && !sameLoad(preload.load, wanted)) {
    child.kill('SIGKILL');
    traceMark('early: hinted load not wanted (killed)');
    return undefined;
  }
  child.ref();
  child.channel?.ref();
  traceMark(preload ? 'early: hinted load adopted' : 'early: child adopted');
  return { child, answer: preload?.answer };
}

/** Kills the early child if no session adopted it (the first model is ready, or the command ended). */
export function disposeEarlySession(): void {
  const early = state.early;
  state.early = undefined;
  if (early && early.child.exitCode === null && early.child.signalCode === null)
    early.child.kill('SIGKILL');
}

/** Whether an early child waits for adoption (tests, diagnostics). */
export function earlySessionPending(): boolean {
  return state.early !== undefined;
}

/** Records a saved graph this process loaded or wrote; the first one is what a hint keeps. */
export function noteSavedGraphLoad(load: SavedGraphLoad): void {
  state.noted ??= { ...load };
}

/**
 * Keeps, for the next start of this command line, the saved graph this process loaded first (when
 * it differs from what the hint already says). Best effort: a hint is an optimisation.
 */
export function rememberEarlyLoad(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): void {
  const noted = state.noted;
  const signature = earlySignature(argv, env);
  if (!noted || signature === undefined || off(env)) return;
  try {
    const file = hintFile(env);
    const hints = readHints(file);
    const kept = hints[signature];
    if (kept && JSON.stringify(kept) === JSON.stringify(noted)) return;
    delete hints[signature];
    const entries = [...Object.entries(hints), [signature, noted] as const].slice(-MAX_HINTS);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ hints: Object.fromEntries(entries) }));
    renameSync(tmp, file);
  } catch {
    // not kept: the next start loads as it would without a hint
  }
}

/** Forgets this process's early-start state (tests). */
export function resetEarlySession(): void {
  disposeEarlySession();
  state.noted = undefined;
}
