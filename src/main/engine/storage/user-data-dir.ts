// The per-user folder's path alone, without the rest of user-dirs.ts's imports: the CLI's early
// start (runtime/early-session.ts) reads a hint there before the CLI's bundle has loaded.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Electron's `userData` for an app named Upres, so the CLI and the app share one folder. */
export function platformUserData(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string,
): string {
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Upres');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Upres');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'Upres');
}

/** The per-user folder outside the app: `UPRES_USER_DIR`, else the platform's usual place. */
export function cliUserData(env: NodeJS.ProcessEnv = process.env): string {
  return env.UPRES_USER_DIR
    ? resolve(env.UPRES_USER_DIR)
    : platformUserData(env, process.platform, homedir());
}
