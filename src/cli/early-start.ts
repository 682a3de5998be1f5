// The first code `upres` runs from its build (bin/upres.js imports this small bundle before the
// CLI's, whose imports take ~0.5 s): forks the inference child and, on a hint, starts its load
// (see engine/runtime/early-session.ts).
import { startEarlySession } from '../main/engine/runtime/early-session';
import { inferenceProcessEntry } from '../main/engine/runtime/worker-entry';

/** Starts the early inference child for `argv` when it is a command that loads a model. */
export function startEarly(argv: readonly string[]): void {
  try {
    startEarlySession(argv, inferenceProcessEntry());
  } catch (err) {
    // A start-up aid only: without it the engine starts its child itself.
    if (process.env.UPRES_DEBUG) console.error(`upres: no early start (${String(err)})`);
  }
}
