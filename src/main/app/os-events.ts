// The operating system around the app, as three events: the OS asks the app to open files, and
// the app tells the OS how the batch goes and how it ended. The Electron glue (os-electron.ts)
// turns these into app / BrowserWindow / Notification calls; tests drive them with fakes, and
// nothing here imports Electron.

/** The batch as the taskbar (Windows, Linux) or the dock (macOS) shows it. */
export type BatchProgress =
  /** No batch: the bar is cleared. */
  | { state: 'idle' }
  /** Running before any work could be measured (a model loading): a moving bar. */
  | { state: 'starting' }
  /** `fraction` 0–1 of the batch's work, weighted as the queue's overall progress. */
  | { state: 'running' | 'paused' | 'stopped'; fraction: number };

/** How a batch ended, counted over the photos it ran. */
export interface BatchSummary {
  /** `finished`: nothing of the batch is left to run; `stopped`: the queue stopped on a fault. */
  outcome: 'finished' | 'stopped';
  done: number;
  failed: number;
  /** Outputs that existed with "on exists: skip". */
  skipped: number;
  cancelled: number;
  /** Photos of the batch still waiting when it stopped (0 when finished). */
  left: number;
}

/** What the OS glue reacts to, whoever produces it (the Electron app, a headless fake). */
export interface OsEvents {
  /** Photos and folders the OS asked the app to open (command line, open-file, second instance). */
  openFiles(paths: readonly string[]): void;
  /** The batch's progress changed (sent only when what the bar shows changes). */
  progress(p: BatchProgress): void;
  /** A batch ended (once per batch; not for each photo). */
  batchEnded(s: BatchSummary): void;
}
