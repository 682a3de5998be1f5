import { join } from 'node:path';

/**
 * Model folders for the app: shipped models sit in the package's resources when packaged (see
 * electron-builder.yml extraResources) and in the repository otherwise; users add their own in
 * the profile folder. `UPRES_MODELS_DIR` overrides the shipped folder, as in the CLI.
 */
export function appModelDirs(opts: {
  isPackaged: boolean;
  resourcesPath: string;
  appPath: string;
  userDataPath: string;
  env: NodeJS.ProcessEnv;
}): { shipped: string; user: string } {
  const shipped =
    opts.env.UPRES_MODELS_DIR ||
    (opts.isPackaged
      ? join(opts.resourcesPath, 'models')
      : join(opts.appPath, 'resources', 'models'));
  return { shipped, user: join(opts.userDataPath, 'models') };
}
