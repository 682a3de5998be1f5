// What an add could not queue, as the queue panel says it: one line per kind of problem, so a
// folder added twice says "already in the queue" once, not once per photo.
import type { EngineMessage } from '../../shared/engine-message';
import { engineText } from '../i18n/engine-text';

/** An input the engine refused, with its message (and its code, where the engine gave one). */
export interface AddProblem {
  path: string;
  error: string;
  code?: string;
  /** `error` as a catalogue key and its values (the UI words it in its language). */
  detail?: EngineMessage;
}

/** One line of the notice: the message and the inputs it is about. */
export interface ProblemLine {
  /** The message without the path it starts with (the line names the path or the count). */
  message: string;
  /** The code of the first problem with that message. */
  code?: string;
  paths: string[];
}

/** The message of a problem in the UI language, without the path it often starts with. */
export function problemMessage(p: AddProblem): string {
  const said = p.detail ? engineText({ ...p.detail, text: p.error }) : p.error;
  return said.startsWith(`${p.path}: `) ? said.slice(p.path.length + 2) : said;
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
