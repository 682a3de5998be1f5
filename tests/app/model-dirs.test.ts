import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appModelDirs } from '../../src/main/app/model-dirs';

const base = {
  resourcesPath: join('/opt', 'Upres', 'resources'),
  appPath: join('/src', 'upres'),
  userDataPath: join('/home', 'me', '.config', 'Upres'),
  env: {},
};

describe('appModelDirs', () => {
  it('reads shipped models from the package resources when packaged', () => {
    expect(appModelDirs({ ...base, isPackaged: true })).toEqual({
      shipped: join('/opt', 'Upres', 'resources', 'models'),
      user: join('/home', 'me', '.config', 'Upres', 'models'),
    });
  });

  it('reads them from the repository otherwise', () => {
    expect(appModelDirs({ ...base, isPackaged: false }).shipped).toBe(
      join('/src', 'upres', 'resources', 'models'),
    );
  });

  it('honours UPRES_MODELS_DIR like the CLI', () => {
    const env = { UPRES_MODELS_DIR: '/data/models' };
    expect(appModelDirs({ ...base, env, isPackaged: true }).shipped).toBe('/data/models');
    const empty = { UPRES_MODELS_DIR: '' };
    expect(appModelDirs({ ...base, env: empty, isPackaged: true }).shipped).toBe(
      join('/opt', 'Upres', 'resources', 'models'),
    );
  });
});
