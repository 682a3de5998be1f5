import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveUserDirs } from '../../../src/main/engine/storage/user-dirs';

const app = {
  resourcesPath: join('/opt', 'Upres', 'resources'),
  appPath: join('/src', 'upres'),
  userData: join('/home', 'me', '.config', 'Upres'),
};
const repoModels = resolve(import.meta.dirname, '..', '..', '..', 'resources', 'models');

describe('resolveUserDirs in the app', () => {
  it('reads shipped models from the package resources when packaged', () => {
    const dirs = resolveUserDirs({ env: {}, app: { ...app, isPackaged: true } });
    expect({ shipped: dirs.shippedModels, user: dirs.userModels }).toEqual({
      shipped: join('/opt', 'Upres', 'resources', 'models'),
      user: join('/home', 'me', '.config', 'Upres', 'models'),
    });
  });

  it('reads them from the repository otherwise', () => {
    expect(resolveUserDirs({ env: {}, app: { ...app, isPackaged: false } }).shippedModels).toBe(
      join('/src', 'upres', 'resources', 'models'),
    );
  });

  it('honours UPRES_MODELS_DIR like the CLI', () => {
    const env = { UPRES_MODELS_DIR: '/data/models' };
    const packaged = { ...app, isPackaged: true };
    expect(resolveUserDirs({ env, app: packaged }).shippedModels).toBe('/data/models');
    const empty = { UPRES_MODELS_DIR: '' };
    expect(resolveUserDirs({ env: empty, app: packaged }).shippedModels).toBe(
      join('/opt', 'Upres', 'resources', 'models'),
    );
  });

  it('honours UPRES_USER_DIR like the CLI: settings, queue and user models all move', () => {
    const env = { UPRES_USER_DIR: '/data/upres' };
    expect(resolveUserDirs({ env, app: { ...app, isPackaged: true } })).toEqual({
      userData: '/data/upres',
      shippedModels: join('/opt', 'Upres', 'resources', 'models'),
      userModels: join('/data/upres', 'models'),
      queue: join('/data/upres', 'queue'),
    });
  });
});

describe('resolveUserDirs on the command line', () => {
  it("uses Electron's userData folder for an app named Upres, per platform", () => {
    const home = '/home/me';
    const on = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}) =>
      resolveUserDirs({ env, platform, home }).userData;
    expect(on('linux')).toBe(join(home, '.config', 'Upres'));
    expect(on('linux', { XDG_CONFIG_HOME: '/xdg' })).toBe(join('/xdg', 'Upres'));
    expect(on('darwin')).toBe(join(home, 'Library', 'Application Support', 'Upres'));
    expect(on('win32', { APPDATA: 'C:/Users/me/AppData/Roaming' })).toBe(
      join('C:/Users/me/AppData/Roaming', 'Upres'),
    );
    expect(on('win32')).toBe(join(home, 'AppData', 'Roaming', 'Upres'));
  });

  it('finds the repository models, and takes both variables (made absolute)', () => {
    const dirs = resolveUserDirs({ env: {}, platform: 'linux', home: '/home/me' });
    expect(dirs.shippedModels).toBe(repoModels);
    expect(dirs.queue).toBe(join('/home/me', '.config', 'Upres', 'queue'));
    const env = { UPRES_USER_DIR: 'rel/user', UPRES_MODELS_DIR: 'rel/models' };
    const moved = resolveUserDirs({ env, platform: 'linux', home: '/home/me' });
    expect(moved.userData).toBe(resolve('rel/user'));
    expect(moved.shippedModels).toBe(resolve('rel/models'));
  });
});
