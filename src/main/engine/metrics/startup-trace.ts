// Where a start-up's time goes, phase by phase, when `UPRES_STARTUP_TRACE=1`: the CLI, the engine
// and the inference child each mark the moments they pass, and the CLI prints one table (stderr,
// and the `--json` report's `startup.phases`). Marks are wall-clock (epoch) milliseconds, so a
// child's marks line up with its parent's; without the variable a mark costs one branch.

/** A moment a start-up passed: its name and when, in epoch milliseconds. */
export interface TraceMark {
  name: string;
  at: number;
}

// One list per process, shared by every bundle that marks (bin/upres.js, the early start, the CLI).
const marks: TraceMark[] = ((globalThis as Record<symbol, TraceMark[]>)[
  Symbol.for('upres.startupTrace')
] ??= []);

/** Whether this process records start-up marks (`UPRES_STARTUP_TRACE` set to anything but 0). */
export function traceEnabled(): boolean {
  const v = process.env.UPRES_STARTUP_TRACE;
  return v !== undefined && v !== '' && v !== '0';
}

/** Now, in epoch milliseconds (comparable across processes on one machine). */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Records that the start-up reached `name` (now, or at `at`). */
export function traceMark(name: string, at: number = epochNow()): void {
  if (traceEnabled()) marks.push({ name, at });
}

/** Records marks another process took (the inference child's, sent with its answer). */
export function traceMarks(list: readonly TraceMark[] | undefined, prefix = ''): void {
  if (!list || !traceEnabled()) return;
  for (const m of list) marks.push({ name: `${prefix}${m.name}`, at: m.at });
}

/**
 * Node's own moments before any of our code ran (process start is this process's time origin):
 * V8 started, Node's bootstrap done.
 */
export function nodeMarks(): TraceMark[] {
  const t = performance.nodeTiming;
  const at = (ms: number) => performance.timeOrigin + ms;
  return [
    { name: 'node: V8 started', at: at(t.v8Start) },
    { name: 'node: bootstrap done', at: at(t.bootstrapComplete) },
  ];
}

/** The marks so far, Node's first, in time order; times in seconds from this process's start. */
export function tracePhases(): { name: string; seconds: number }[] {
  return [...nodeMarks(), ...marks]
    .sort((a, b) => a.at - b.at)
    .map((m) => ({ name: m.name, seconds: (m.at - performance.timeOrigin) / 1000 }));
}

/** A table of phases: when each was reached and how long after the one before. */
export function formatPhases(phases: readonly { name: string; seconds: number }[]): string {
  let last = 0;
  const width = Math.max(...phases.map((p) => p.name.length), 5);
  const rows = phases.map((p) => {
    const row = `  ${p.name.padEnd(width)}  ${p.seconds.toFixed(3)} s  +${(p.seconds - last).toFixed(3)}`;
    last = p.seconds;
    return row;
  });
  return [`  ${'phase'.padEnd(width)}  at (from process start)  +since previous`, ...rows].join(
    '\n',
  );
}

/** Forgets the marks (tests). */
export function clearTrace(): void {
  marks.length = 0;
}
