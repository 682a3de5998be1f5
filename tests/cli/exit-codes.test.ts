// Exit codes are decided from error codes in one place (src/cli/exit-codes.ts); the real `upres`
// executable is run as a user would, and the mapping itself is checked against the documented table.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, exitCodeOf } from '../../src/cli/exit-codes';
import { UsageError } from '../../src/cli/usage-error';
import { writeModel } from '../../src/main/engine/models/write-model';
import { ERROR_CODES, UpresError } from '../../src/shared/errors';
import { TINY_SRVGG, randomWeights } from '../helpers/random-models';
import { runCli } from '../helpers/run-cli';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-exit-'));
  const models = join(dir, 'shipped');
  await writeModel(models, {
    id: 'tiny',
    name: 'tiny',
    role: 'general',
    spec: TINY_SRVGG,
    weights: randomWeights(TINY_SRVGG, 1),
    provenance: { source: 'test', sourceFiles: [], licence: 'CC0-1.0', credit: 'tests' },
    dtype: 'float32',
  });
  env = { UPRES_MODELS_DIR: models, UPRES_USER_DIR: join(dir, 'user') };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('upres exit codes', () => {
  it('exits 2 for an unknown model, naming it', async () => {
    const res = await runCli(['upscale', join(dir, 'x.png'), '-o', dir, '--model', 'nope'], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/unknown model "nope"/);
    const remove = await runCli(['models', 'remove', 'nope'], env);
    expect(remove.code).toBe(2);
  });

  it('exits 1 for a refused model file, and for a missing one', async () => {
    const bad = join(dir, 'garbage.pth');
    await writeFile(bad, 'this is not a checkpoint');
    const refused = await runCli(['models', 'import', bad], env);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain('garbage.pth');
    const missing = await runCli(['models', 'import', join(dir, 'absent.pth')], env);
    expect(missing.code, missing.stderr).toBe(1);
    expect(missing.stderr).toContain('absent.pth');
  });

  it('exits 2 for an import under an id that is taken', async () => {
    const bad = join(dir, 'other.pth');
    await writeFile(bad, 'not read: the id is checked first');
    const res = await runCli(['models', 'import', bad, '--id', 'tiny'], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/"tiny" already exists/);
  });

  it('exits 1 when an input file is missing, with the file in the report', async () => {
    const missing = join(dir, 'missing.png');
    const res = await runCli(
      ['upscale', missing, '-o', join(dir, 'out'), '--model', 'tiny', '--json'],
      env,
    );
    expect(res.code).toBe(1);
    const items = (JSON.parse(res.stdout) as { items: { input: string; status: string }[] }).items;
    expect(items).toEqual([expect.objectContaining({ input: missing, status: 'error' })]);
  });
});

describe('exitCodeOf', () => {
  const usage = new Set(['request.invalid', 'model.unknown', 'model.incompatible']);

  it('maps every error code: bad usage 2, cancelled 130, any other failure 1', () => {
    for (const code of ERROR_CODES) {
      const expected = usage.has(code) ? 2 : code === 'cancelled' ? 130 : 1;
      expect(exitCodeOf(new UpresError(code, code)), code).toBe(expected);
    }
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, cancelled: 130 });
  });

  it('treats untyped errors as failures, usage errors and parse errors as bad usage', () => {
    // The words of a message do not matter, only its code.
    expect(exitCodeOf(new Error('unknown model "x"'))).toBe(1);
    expect(exitCodeOf(new UsageError('give an output folder'))).toBe(2);
    expect(exitCodeOf(new CommanderError(1, 'commander.unknownOption', 'unknown option'))).toBe(2);
    expect(exitCodeOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(0);
  });
});
