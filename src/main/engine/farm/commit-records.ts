import { basename, join } from 'node:path';
import type { Redis } from 'ioredis';
import { findCommitted, finishCommit } from '../pipeline/safe-write';
import { claimKey, tempsKey } from './farm-types';

/** How long a job's claim on its output is kept (longer than any batch is followed). */
const CLAIM_TTL_S = 30 * 24 * 3600;

interface TempRecord {
  /** Names in the job's output folder: each worker resolves them against its own mount. */
  tmp: string;
  target: string;
}

/**
 * The farm's side of the temp-file-and-link rule, in Redis: every temp file a job's render writes
 * is recorded before its first byte, so whoever takes the job next (after a kill, a lost lock) can
 * tell an output that was already committed (the temp file is a second link of it) from a partial
 * file to delete; and one claim per job decides which worker may link the output, so two workers
 * that raced on one job never both commit it.
 */
export class CommitRecords {
  constructor(
    private readonly redis: Redis,
    private readonly jobId: string,
    private readonly folder: string,
    private readonly token: string,
  ) {}

  /** Notes a temp file before the render that writes it starts. */
  async noteTemp(tmp: string, target: string): Promise<void> {
    const rec: TempRecord = { tmp: basename(tmp), target: basename(target) };
    await this.redis.sadd(tempsKey(this.jobId), JSON.stringify(rec));
  }

  /**
   * Before a job runs: what earlier attempts left. An output one of them committed is returned (the
   * job is done, nothing is rendered again); their other temp files are deleted, and a claim of a
   * worker that never linked its output is let go.
   */
  async recover(): Promise<string | undefined> {
    const recs = (await this.redis.smembers(tempsKey(this.jobId))).map(
      (r) => JSON.parse(r) as TempRecord,
    );
    let committed: string | undefined;
    for (const r of recs) {
      const tmp = join(this.folder, r.tmp);
      committed ??= await findCommitted(tmp, join(this.folder, r.target));
      await finishCommit(tmp);
    }
    if (!committed) await this.redis.del(claimKey(this.jobId), tempsKey(this.jobId));
    return committed;
  }

  /**
   * Just before the output is linked: takes the job's claim. False when another worker holds it
   * (it raced on this job and finished first): this worker must not commit.
   */
  async claim(): Promise<boolean> {
    const key = claimKey(this.jobId);
    const set = await this.redis.set(key, this.token, 'EX', CLAIM_TTL_S, 'NX');
    if (set === 'OK') return true;
    return (await this.redis.get(key)) === this.token;
  }

  /** After the job is recorded done: its temp records are not needed (the claim stays). */
  async finish(): Promise<void> {
    await this.redis.del(tempsKey(this.jobId));
  }

  /** After a job failed for good: its temp files go (none is an output). */
  async discard(): Promise<void> {
    for (const r of await this.redis.smembers(tempsKey(this.jobId)))
      await finishCommit(join(this.folder, (JSON.parse(r) as TempRecord).tmp));
    await this.redis.del(tempsKey(this.jobId));
  }
}
