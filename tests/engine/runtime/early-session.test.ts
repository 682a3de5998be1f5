import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../../src/main/engine/models/build-graph';
import { clearTrace, tracePhases } from '../../../src/main/engine/metrics/startup-trace';
import {
  disposeEarlySession,
  earlySessionPending,
  earlySignature,
  hintFile,
  noteSavedGraphLoad,
  rememberEarlyLoad,
  resetEarlySession,
  startEarlySession,
} from '../../../src/main/engine/runtime/early-session';
import { InferenceSession } from '../../../src/main/engine/runtime/inference-session';
import { openSession } from '../../../src/main/engine/runtime/open-session';
import { OptimizedGraphCache } from '../../../src/main/engine/runtime/optimized-graph-cache';
import { inferenceProcessEntry } from '../../../src/main/engine/runtime/worker-entry';
import { randomImage, randomWeights, TINY_SRVGG } from '../../helpers/random-models';
import { referenceSrvgg } from '../../helpers/reference-forward';

const weights = randomWeights(TINY_SRVGG, 21);
const input = randomImage(3, 6, 5, 9);
const expected = referenceSrvgg(TINY_SRVGG, weights, {
  c: 3,
  h: 6,
  w: 5,
  d: Float64Array.from(input),
}).d;

let dir: string;
let env: NodeJS.ProcessEnv;
/** Two saved optimised graphs (two sets of weights' worth of cache entries). */
let savedA: string;
let savedB: string;
const argv = ['node', 'upres', 'upscale', 'in.png', '-o', 'out', '--model', 'tiny', '-d', 'cpu'];

async function saveGraph(cacheDir: string, seed: number): Promise<string> {
  const cache = new OptimizedGraphCache(cacheDir, 'test-build');
  const w = seed === 21 ? weights : randomWeights(TINY_SRVGG, seed);
  const { session } = await openSession(() => buildGraph(TINY_SRVGG, w, { fp16: false }), {
    device: 'cpu',
    graphCache: { cache, identity: { seed } },
  });
  await session.dispose();
  const [name] = (await readdir(cacheDir)).filter((n) => n.endsWith('.onnx'));
  return join(cacheDir, name);
}

const phases = () => tracePhases().map((p) => p.name);
const exited = (child: ChildProcess) =>
  new Promise<string | null>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done(child.signalCode);
    else child.once('exit', (_code, signal) => done(signal));
  });

async function runOn(session: InferenceSession): Promise<Float32Array> {
  try {
    return (await session.run({ data: input.slice(), dims: [1, 3, 6, 5] })).data;
  } finally {
    await session.dispose();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-early-'));
  env = { ...process.env, UPRES_USER_DIR: join(dir, 'user'), UPRES_GRAPH_CACHE: '' };
  savedA = await saveGraph(join(dir, 'a'), 21);
  savedB = await saveGraph(join(dir, 'b'), 22);
  process.env.UPRES_STARTUP_TRACE = '1';
});
afterEach(() => {
  resetEarlySession();
  clearTrace();
});
afterAll(async () => {
  delete process.env.UPRES_STARTUP_TRACE;
  await rm(dir, { recursive: true, force: true });
});

/** Leaves a hint that `argv` loads `model`. */
function hint(model: string): void {
  resetEarlySession();
  noteSavedGraphLoad({ model, device: 'cpu' });
  rememberEarlyLoad(argv, env);
  resetEarlySession();
}

describe('the signature of a command line', () => {
  it('reads model, device and precision whichever way they are written; nothing for other commands', () => {
    const sig = earlySignature(argv, env);
    expect(sig).toBeDefined();
    expect(earlySignature(['n', 'u', 'upscale', 'x', '--model=tiny', '--device', 'cpu'], env)).toBe(
      sig,
    );
    expect(earlySignature(['n', 'u', 'upscale', '-m', 'tiny', '-o', 'o', '-d', 'cpu'], env)).toBe(
      sig,
    );
    expect(earlySignature(['n', 'u', 'upscale', 'x', '-m', 'tiny', '-d', 'webgpu'], env)).not.toBe(
      sig,
    );
    expect(earlySignature(['n', 'u', 'upscale', '--resume'], env)).toBeUndefined();
    expect(earlySignature(['n', 'u', 'models'], env)).toBeUndefined();
  });
});

describe('the early inference child', () => {
  it('a hinted load is adopted by the session that wants it and gives the same bits', async () => {
    hint(savedA);
    const child = startEarlySession(argv, inferenceProcessEntry(), env);
    expect(child).toBeDefined();
    expect(earlySessionPending()).toBe(true);
    const early = await runOn(await InferenceSession.create(savedA, 'cpu'));
    expect(phases()).toContain('early: hinted load adopted');
    expect(earlySessionPending()).toBe(false);
    const fresh = await runOn(await InferenceSession.create(savedA, 'cpu'));
    expect(Buffer.compare(Buffer.from(early.buffer), Buffer.from(fresh.buffer))).toBe(0);
    expect(early.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0)).toBeLessThan(1e-4);
    // Disposing the session ended the adopted child too.
    expect(await exited(child!)).toBe('SIGKILL');
  });

  it('a hinted load nobody wants is killed; the session loads its own graph in a new child', async () => {
    hint(savedB);
    const child = startEarlySession(argv, inferenceProcessEntry(), env)!;
    const out = await runOn(await InferenceSession.create(savedA, 'cpu'));
    expect(phases()).toContain('early: hinted load not wanted (killed)');
    expect(await exited(child)).toBe('SIGKILL');
    expect(out.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0)).toBeLessThan(1e-4);
  });

  it('without a hint the started child is adopted for whatever the first session loads', async () => {
    const child = startEarlySession(argv, inferenceProcessEntry(), {
      ...env,
      UPRES_USER_DIR: join(dir, 'nobody'),
    })!;
    const bytes = buildGraph(TINY_SRVGG, weights, { fp16: false });
    const out = await runOn(await InferenceSession.create(bytes, 'cpu'));
    expect(phases()).toContain('early: child adopted');
    expect(out.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0)).toBeLessThan(1e-4);
    expect(await exited(child)).toBe('SIGKILL');
  });

  it('an unadopted child is killed by disposeEarlySession; other commands start none', async () => {
    hint(savedA);
    const child = startEarlySession(argv, inferenceProcessEntry(), env)!;
    disposeEarlySession();
    expect(await exited(child)).toBe('SIGKILL');
    expect(startEarlySession(['n', 'u', 'models'], inferenceProcessEntry(), env)).toBeUndefined();
    expect(
      startEarlySession(argv, inferenceProcessEntry(), { ...env, UPRES_EARLY_SESSION: 'off' }),
    ).toBeUndefined();
  });

  it('a cancel while the hinted load runs fails the create with `cancelled` and kills the child', async () => {
    hint(savedA);
    const child = startEarlySession(argv, inferenceProcessEntry(), env)!;
    const ctl = new AbortController();
    const created = InferenceSession.create(savedA, 'cpu', undefined, { signal: ctl.signal });
    ctl.abort();
    await expect(created).rejects.toMatchObject({ code: 'cancelled' });
    expect(await exited(child)).toBe('SIGKILL');
  });

  it("a hinted graph that does not load fails the adopting create with onnxruntime's reason", async () => {
    const bad = join(dir, 'bad.onnx');
    await writeFile(bad, 'not a graph');
    hint(bad);
    const child = startEarlySession(argv, inferenceProcessEntry(), env)!;
    await expect(InferenceSession.create(bad, 'cpu')).rejects.toThrow(/protobuf|parse|load/i);
    expect(await exited(child)).toBe('SIGKILL');
  });

  it('the hint is rewritten only when the graph loaded changes', async () => {
    hint(savedA);
    const { readFileSync, statSync } = await import('node:fs');
    const file = hintFile(env);
    const before = statSync(file).mtimeMs;
    expect(readFileSync(file, 'utf8')).toContain(savedA);
    await new Promise((r) => setTimeout(r, 20));
    hint(savedA);
    expect(statSync(file).mtimeMs).toBe(before);
    hint(savedB);
    expect(readFileSync(file, 'utf8')).toContain(savedB);
    expect(readFileSync(file, 'utf8')).not.toContain(savedA);
  });

  it('never keeps the process that started it alive', async () => {
    hint(savedA);
    const mod = fileURLToPath(
      new URL('../../../src/main/engine/runtime/early-session.ts', import.meta.url),
    );
    const entry = inferenceProcessEntry();
    const script = `const m = await import(${JSON.stringify(mod)});
      const c = m.startEarlySession(${JSON.stringify(argv)}, ${JSON.stringify(entry)});
      console.log(c ? 'started' : 'none');`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // A guard against a hang, not a timing threshold: the process ends by itself or not at all.
    const code = await new Promise<number | null>((done) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        done(-1);
      }, 60_000);
      child.on('exit', (c) => {
        clearTimeout(t);
        done(c);
      });
    });
    expect(out.trim()).toBe('started');
    expect(code).toBe(0);
  });
});
