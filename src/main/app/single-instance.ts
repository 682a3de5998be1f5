import { handedOverPaths, launchPaths, type HandOver } from './launch-args';
import type { OsEvents } from './os-events';

/** The slice of Electron's `app` that opening files with the app uses. */
export interface InstanceApp {
  readonly isPackaged: boolean;
  isReady(): boolean;
  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean;
  quit(): void;
  on(
    event: 'open-file',
    listener: (event: { preventDefault(): void }, path: string) => void,
  ): unknown;
  on(
    event: 'second-instance',
    listener: (
      event: unknown,
      argv: string[],
      workingDirectory: string,
      additionalData: unknown,
    ) => void,
  ): unknown;
}

export interface ClaimOptions {
  /** This process's command line and folder (process.argv, process.cwd()). */
  argv: readonly string[];
  cwd: string;
  events: Pick<OsEvents, 'openFiles'>;
  /** Shows and focuses the window (called only once the app is ready). */
  focus: () => void;
}

/**
 * Makes this launch the one instance, or hands over to the running one and quits (returns false):
 * the second instance sends the paths of its own command line along, and the first queues them
 * and comes to the front. The first's own command line, and macOS's `open-file` (Finder's *Open
 * with*, a drop on the dock icon, which can come before 'ready'), go to `events.openFiles` too;
 * the receiver keeps them until the window's page takes them. Call before 'ready'.
 */
export function claimInstance(app: InstanceApp, opt: ClaimOptions): boolean {
  const paths = launchPaths(opt.argv, { packaged: app.isPackaged, cwd: opt.cwd });
  const handOver: HandOver = { paths };
  if (!app.requestSingleInstanceLock({ ...handOver })) {
    app.quit();
    return false;
  }
  const focus = (): void => {
    if (app.isReady()) opt.focus();
  };
  app.on('open-file', (event, path) => {
    // Says the app takes the file (otherwise macOS reports that it could not open it).
    event.preventDefault();
    opt.events.openFiles([path]);
    focus();
  });
  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    const handed = handedOverPaths(argv, workingDirectory, additionalData, app.isPackaged);
    if (handed.length > 0) opt.events.openFiles(handed);
    focus();
  });
  if (paths.length > 0) opt.events.openFiles(paths);
  return true;
}
