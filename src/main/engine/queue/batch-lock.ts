import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';

// Who runs a queue journal. A check on the pid written in the journal cannot tell: a killed
// process that its parent has not reaped yet (a zombie; for ever in a container whose PID 1 does
// not reap) still answers `kill(pid, 0)`, and pids are reused by unrelated processes. So a running
// queue holds a local socket server instead, which the kernel closes the moment the process dies,
// zombie or not: a batch is owned exactly while connecting to its socket succeeds. The pid stays in
// the journal and in the socket's greeting, for messages only.

/** Where the lock of a journal listens: one name per journal file, the same in every process. */
export function lockAddress(journalPath: string): { address: string; file: boolean } {
  const abs = resolve(journalPath);
  let canonical = abs;
  try {
    canonical = join(realpathSync.native(dirname(abs)), basename(abs));
  } catch {
    // The folder does not exist yet: the plain path is all there is.
  }
  if (process.platform === 'win32' || process.platform === 'darwin')
    canonical = canonical.toLowerCase();
  const hash = createHash('sha256').update(canonical).digest('hex').slice(0, 32);
  if (process.platform === 'win32')
    return { address: `\\\\?\\pipe\\upres-queue-${hash}`, file: false };
  // Linux: the abstract namespace (no file, so nothing stale is ever left behind); elsewhere a
  // socket file in a short path (socket paths are limited to ~104 bytes).
  if (process.platform === 'linux') return { address: `\0upres-queue-${hash}`, file: false };
  return { address: join(tmpdir(), `upres-${hash.slice(0, 24)}.sock`), file: true };
}

/** What a lock's owner says to a process that connects: its pid. */
async function askOwner(address: string): Promise<{ owned: boolean; pid?: number }> {
  return new Promise((done) => {
    const socket = connect(address);
    let text = '';
    let connected = false;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const pid = Number((/"pid":(\d+)/.exec(text) ?? [])[1]);
      done({ owned: connected, pid: Number.isInteger(pid) && pid > 0 ? pid : undefined });
    };
    const timer = setTimeout(finish, 2000);
    socket.on('connect', () => (connected = true));
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) finish();
    });
    socket.on('end', finish);
    // ECONNREFUSED / ENOENT: nobody listens, the owner is dead.
    socket.on('error', finish);
  });
}

function listen(address: string): Promise<Server> {
  return new Promise((done, fail) => {
    const server = createServer((c) => {
      c.unref();
      c.on('error', () => undefined);
      c.end(`${JSON.stringify({ pid: process.pid })}\n`);
    });
    server.once('error', fail);
    server.listen(address, () => {
      server.off('error', fail);
      // The lock must never keep a finished process alive.
      server.unref();
      done(server);
    });
  });
}

/** Ownership of one queue journal for the life of this process (or until `release`). */
export class BatchLock {
  /** Locks this process holds, by address: a second open in the same process takes them over. */
  private static readonly held = new Map<string, BatchLock>();
  private active = true;

  private constructor(
    private readonly address: string,
    private readonly server: Server,
    private readonly socketFile: string | undefined,
    private readonly onSuperseded: (() => void) | undefined,
  ) {
    BatchLock.held.set(address, this);
  }

  /**
   * Takes the lock of a journal, or throws `queue.busy` naming the process that holds it. Within
   * one process a second acquire takes the lock over and tells the first holder (`onSuperseded`),
   * which must stop writing the journal.
   */
  static async acquire(journalPath: string, onSuperseded?: () => void): Promise<BatchLock> {
    const { address, file } = lockAddress(journalPath);
    const mine = BatchLock.held.get(address);
    if (mine) {
      mine.active = false;
      mine.onSuperseded?.();
      return new BatchLock(address, mine.server, mine.socketFile, onSuperseded);
    }
    for (let tries = 0; tries < 3; tries++) {
      try {
        const server = await listen(address);
        return new BatchLock(address, server, file ? address : undefined, onSuperseded);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      }
      const owner = await askOwner(address);
      if (owner.owned)
        throw new UpresError(
          'queue.busy',
          owner.pid
            ? msg('batch.queueBusyProcess', { file: journalPath, pid: owner.pid })
            : msg('batch.queueBusyOther', { file: journalPath }),
        );
      // A socket file nobody listens on was left by a dead owner (abstract sockets and pipes
      // vanish with their process, so only socket files get here).
      if (file) await unlink(address).catch(() => undefined);
    }
    throw new UpresError('queue.busy', msg('batch.queueLockFailed', { file: journalPath }));
  }

  /** Gives the journal up (the kernel does the same when the process dies). */
  async release(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    BatchLock.held.delete(this.address);
    await new Promise<void>((done) => this.server.close(() => done()));
    if (this.socketFile) await unlink(this.socketFile).catch(() => undefined);
  }
}
