import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
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

const refuse = (message: string): never => {
  throw new UpresError('request.refused', message);
};

function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** A relative folder of a job: no `..`, not absolute (a job must not steer outputs elsewhere). */
function checkRelative(rel: string, what: string, job: FarmJobData): void {
  if (rel === '') return;
  const parts = rel.split(/[\\/]+/);
  if (isAbsolute(rel) || /^[A-Za-z]:/.test(rel) || parts.includes('..'))
    refuse(`${job.input}: the job's ${what} "${rel}" leaves its folder; refused`);
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
  const local = (p: string, what: string): string => {
    const m = mapPath(p, rules);
    if (m === undefined)
      return refuse(
        `${job.input}: the ${what} ${p} is outside the paths this worker maps (${rules.map((r) => r.from).join(', ')}); refused`,
      );
    if (!isAbsolute(m)) return refuse(`${job.input}: the ${what} ${p} is not an absolute path`);
    return normalize(m);
  };
  checkRelative(job.relDir, 'output sub-folder', job);
  const root = local(job.root, 'input folder');
  const input = local(job.input, 'input');
  const outDir = local(job.outDir, 'output folder');
  if (!inside(input, root))
    refuse(`${job.input}: the input is outside its folder ${job.root}; refused`);
  const outFolder = join(outDir, job.relDir);
  if (!inside(outFolder, outDir))
    refuse(`${job.input}: the output sub-folder leaves ${job.outDir}; refused`);
  // By real path: links inside the shared folders must not lead out of them.
  let realInput: string;
  try {
    realInput = await realpath(input);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file on this worker (is the share mounted here, and is --map right?)'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied on this worker'
          : `cannot be read on this worker (${code ?? (err as Error).message})`;
    throw new UpresError(
      code === 'ENOENT' ? 'input.missing' : 'input.unreadable',
      `${input}: ${why}`,
    );
  }
  const realRoot = await realOrParent(root);
  if (!inside(realInput, realRoot))
    refuse(`${input}: a symbolic link to ${realInput}, outside the job's folder ${root}; refused`);
  const realOut = await realOrParent(outDir);
  const realFolder = await realOrParent(outFolder);
  if (!inside(realFolder, realOut))
    refuse(
      `${input}: the output folder ${outFolder} leads to ${realFolder}, outside ${outDir}; refused`,
    );
  if (rules.length > 0) {
    const roots = await Promise.all(rules.map((r) => realOrParent(r.to)));
    for (const [what, p] of [
      ['input', realInput],
      ['output folder', realFolder],
    ] as const)
      if (!roots.some((r) => inside(p, r)))
        refuse(`${input}: the ${what} resolves to ${p}, outside the mapped folders; refused`);
  }
  return { input, root, outDir, outFolder };
}
