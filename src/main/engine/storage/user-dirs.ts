import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { platformUserData } from './user-data-dir';

/** The folders Upres reads and writes; the same for the app, `upres serve` and the CLI. */
export interface UserDirs {
  /** The per-user folder: `settings.json`, `queue/` and `models/` live there. */
  userData: string;
  /** The models that ship with Upres (read only). */
  shippedModels: string;
  /** The user's imported models and pairs. */
  userModels: string;
  /** Batch journals: the app's `app.json`, the command line's `cli-*.json`. */
  queue: string;
}

/** What the Electron app knows about where it runs (from `app` and `process.resourcesPath`). */
export interface AppLocation {
  /** `app.getPath('userData')`: the default per-user folder. */
  userData: string;
  isPackaged: boolean;
  resourcesPath: string;
  appPath: string;
}

export interface ResolveDirsOptions {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to process.platform. */
  platform?: NodeJS.Platform;
  /** Defaults to os.homedir(). */
  home?: string;
  /** Given by the Electron app only. */
  app?: AppLocation;
}

/** `resources/models` in the repository or installed package above this file. */
function packagedModels(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'resources', 'models');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new UpresError('not-found', msg('pipeline.noShippedModels'));
  }
}

/**
 * Resolves Upres's folders, once, for every front end. `UPRES_USER_DIR` overrides the per-user
 * folder (else the app's `userData`, else the platform's usual place); `UPRES_MODELS_DIR`
 * overrides the shipped models (else the packaged app's resources, else the repository's
 * `resources/models`). An empty variable counts as unset.
 */
export function resolveUserDirs(opt: ResolveDirsOptions = {}): UserDirs {
  const env = opt.env ?? process.env;
  const { app } = opt;
  const userData = env.UPRES_USER_DIR
    ? resolve(env.UPRES_USER_DIR)
    : (app?.userData ??
      platformUserData(env, opt.platform ?? process.platform, opt.home ?? homedir()));
  const shippedModels = env.UPRES_MODELS_DIR
    ? resolve(env.UPRES_MODELS_DIR)
    : app
      ? app.isPackaged
        ? join(app.resourcesPath, 'models')
        : join(app.appPath, 'resources', 'models')
      : packagedModels();
  return {
    userData,
    shippedModels,
    userModels: join(userData, 'models'),
    queue: join(userData, 'queue'),
  };
}
