import { CommanderError } from 'commander';
import { errorCode } from '../shared/errors';

/** The exit codes of `upres`, as its --help and README document them. */
export const EXIT = {
  ok: 0,
  /** A file or item failed, or a model file was refused. */
  failed: 1,
  /** Bad usage: a malformed command line, an unknown model, models that cannot pair. */
  usage: 2,
  /** Stopped by Ctrl+C / SIGTERM (128 + SIGINT). */
  cancelled: 130,
} as const;

/**
 * The exit code of a failure that reached the top of a command: decided here, from the error's
 * code, and nowhere else (never from its message).
 */
export function exitCodeOf(err: unknown): number {
  // --help and --version exit 0; every other parse error is bad usage.
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  switch (errorCode(err)) {
    case 'request.invalid':
    case 'model.unknown':
    case 'model.incompatible':
      return EXIT.usage;
    case 'cancelled':
      return EXIT.cancelled;
    default:
      return EXIT.failed;
  }
}
