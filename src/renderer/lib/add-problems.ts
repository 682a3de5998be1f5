// What an add could not queue, as the queue panel says it: one line per kind of problem, so a
// folder added twice says "already in the queue" once, not once per photo.

/** An input the engine refused, with its message (and its code, where the engine gave one). */
export interface AddProblem {
  path: string;
  error: string;
  code?: string;
}

/** One line of the notice: the message and the inputs it is about. */
export interface ProblemLine {
  /** The message without the path it starts with (the line names the path or the count). */
  message: string;
  /** The code of the first problem with that message. */
  code?: string;
  paths: string[];
}

/** The message of a problem without the path it often starts with. */
export function problemMessage(p: AddProblem): string {
  return p.error.startsWith(`${p.path}: `) ? p.error.slice(p.path.length + 2) : p.error;
}

/** Groups problems by message, in the order each message first came; repeated paths count once. */
export function problemLines(problems: readonly AddProblem[]): ProblemLine[] {
  const lines = new Map<string, ProblemLine>();
  for (const p of problems) {
    const message = problemMessage(p);
    const line = lines.get(message) ?? { message, code: p.code, paths: [] };
    if (!line.paths.includes(p.path)) line.paths.push(p.path);
    lines.set(message, line);
  }
  return [...lines.values()];
}
