import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import type { FarmJobData } from './farm-types';
import { mapPath, type PathRule } from './path-map';

/** A job's paths on this worker, checked: the input inside its root, outputs inside `outDir`. */
export interface LocalJob {
  input: string;
  root: string;
  outDir: string;
  /** The folder the output goes to: `outDir`/`relDir`. */
  outFolder: string;
}

const refuse = (message: EngineMessage): never => {
  throw new UpresError('request.refused', message);
};

function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** A relative folder of a job: no `..`, not absolute (a job must not steer outputs elsewhere). */
function checkRelative(rel: string, job: FarmJobData): void {
  if (rel === '') return;
  const parts = rel.split(/[\\/]+/);
  if (isAbsolute(rel) || /^[A-Za-z]:/.test(rel) || parts.includes('..'))
    refuse(msg('batch.confineSubFolder', { file: job.input, rel }));
}

/** The real path of `p`, or of its nearest existing parent with the missing rest appended. */
async function realOrParent(p: string): Promise<string> {
  const missing: string[] = [];
  for (let at = p; ; at = dirname(at)) {
    try {
      return join(await realpath(at), ...missing.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(at) === at) throw err;
      missing.push(at.slice(dirname(at).length).replace(/^[\\/]/, ''));
    }
  }
}

/**
 * Maps a job's paths to this worker (`--map` rules) and checks that the job stays where it says:
 * with rules, every path must lie under one of them (a worker serves the shared storage it mounts,
 * nothing else); the input must lie inside its root and the output folder inside `outDir`, by name
 * (`..`) and by real path (a symbolic link out of them is refused). Refusals carry
 * `request.refused` and name the photo.
 */
export async function confineJob(job: FarmJobData, rules: readonly PathRule[]): Promise<LocalJob> {
  // `what` picks the wording in the catalogue (a select), never shown as it is.
  const local = (p: string, what: 'input' | 'inputFolder' | 'outputFolder'): string => {
    const m = mapPath(p, rules);
    if (m === undefined)
      return refuse(
        msg('batch.confineUnmapped', {
          file: job.input,
          what,
          path: p,
          maps: rules.map((r) => r.from).join(', '),
        }),
      );
    if (!isAbsolute(m))
      return refuse(msg('batch.confineNotAbsolute', { file: job.input, what, path: p }));
    return normalize(m);
  };
  checkRelative(job.relDir, job);
  const root = local(job.root, 'inputFolder');
  const input = local(job.input, 'input');
  const outDir = local(job.outDir, 'outputFolder');
  if (!inside(input, root))
    refuse(msg('batch.confineInputOutside', { file: job.input, root: job.root }));
  const outFolder = join(outDir, job.relDir);
  if (!inside(outFolder, outDir))
    refuse(msg('batch.confineSubFolderLeaves', { file: job.input, outDir: job.outDir }));
  // By real path: links inside the shared folders must not lead out of them.
  let realInput: string;
  try {
    realInput = await realpath(input);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UpresError(
      code === 'ENOENT' ? 'input.missing' : 'input.unreadable',
      code === 'ENOENT'
        ? msg('batch.workerMissing', { file: input })
        : code === 'EACCES' || code === 'EPERM'
          ? msg('batch.workerPermission', { file: input })
          : msg('batch.workerUnreadable', { file: input, reason: code ?? (err as Error).message }),
    );
  }
  const realRoot = await realOrParent(root);
  if (!inside(realInput, realRoot))
    refuse(msg('batch.workerLinkOutside', { file: input, target: realInput, root }));
  const realOut = await realOrParent(outDir);
  const realFolder = await realOrParent(outFolder);
  if (!inside(realFolder, realOut))
    refuse(
      msg('batch.confineOutputLeads', { file: input, folder: outFolder, real: realFolder, outDir }),
    );
  if (rules.length > 0) {
    const roots = await Promise.all(rules.map((r) => realOrParent(r.to)));
    for (const [what, p] of [
      ['input', realInput],
      ['outputFolder', realFolder],
    ] as const)
      if (!roots.some((r) => inside(p, r)))
        refuse(msg('batch.confineResolvesOutside', { file: input, what, path: p }));
  }
  return { input, root, outDir, outFolder };
}
