import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The photos and folders named on a command line, as absolute paths. `argv` is Electron's (its own
 * `process.argv`, or a second instance's from 'second-instance'): the executable first, then in a
 * development run (`electron .`, `electron-vite dev`) Electron's switches and the app's folder, then
 * the arguments. Switches are skipped wherever they stand: Chromium adds some
 * (`--original-process-start-time=…`) and on Windows moves them before the arguments, and macOS
 * once passed `-psn_…`. After `--` everything is a path. `file://` URLs (a Linux desktop entry's
 * `%U`) become paths; relative paths are taken from `cwd` (the second instance's folder).
 */
export function launchPaths(
  argv: readonly string[],
  opt: { packaged: boolean; cwd: string },
): string[] {
  const args = argv.slice(1);
  let i = 0;
  if (!opt.packaged) {
    while (i < args.length && args[i]!.startsWith('-')) i++;
    i++; // the app's folder or main script
  }
  const paths: string[] = [];
  let literal = false;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (!literal && arg === '--') {
      literal = true;
      continue;
    }
    if (arg === '' || (!literal && arg.startsWith('-'))) continue;
    paths.push(pathOf(arg, opt.cwd));
  }
  return paths;
}

function pathOf(arg: string, cwd: string): string {
  if (/^file:\/\//i.test(arg)) {
    try {
      return fileURLToPath(arg);
    } catch {
      return arg;
    }
  }
  return isAbsolute(arg) ? arg : resolve(cwd, arg);
}

/** What a second instance hands the first (requestSingleInstanceLock's additionalData). */
export interface HandOver {
  paths: string[];
}

/**
 * The paths a second instance asked to open: from its hand-over when it sent one (it parsed its own
 * command line, so nothing is lost to Chromium's rewriting of argv), else from its argv.
 */
export function handedOverPaths(
  argv: readonly string[],
  cwd: string,
  additionalData: unknown,
  packaged: boolean,
): string[] {
  const paths = (additionalData as Partial<HandOver> | null | undefined)?.paths;
  if (Array.isArray(paths) && paths.every((p) => typeof p === 'string' && isAbsolute(p)))
    return paths as string[];
  return launchPaths(argv, { packaged, cwd });
}
