import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Upres's per-user folder, the same one Electron's `app.getPath('userData')` gives the app, so the
 * CLI and the app share imported models, pairs and the queue. `UPRES_USER_DIR` overrides it.
 */
export function userDataDir(): string {
  if (process.env.UPRES_USER_DIR) return resolve(process.env.UPRES_USER_DIR);
  const home = homedir();
  if (process.platform === 'win32')
    return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Upres');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Upres');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Upres');
}

/** Where the user's own models and pairs live. */
export function userModelsDir(): string {
  return join(userDataDir(), 'models');
}
