import { spawn } from 'node:child_process';
import { createEngine } from '../main/engine';
import { startLoopbackServer, type LoopbackServer } from '../main/server/loopback-server';
import { ensureRendererBuild } from '../main/server/renderer-build';

export interface ServeCliOptions {
  port: number;
  open: boolean;
}

const log = (line: string): void => void process.stderr.write(`upres: ${line}\n`);

/** Opens a URL in the desktop's browser; a machine without one (a GPU box over SSH) just logs. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => log('could not open a browser; open the address above yourself'));
    child.unref();
  } catch {
    log('could not open a browser; open the address above yourself');
  }
}

/** Longest a shutdown may take once the queue is paused and journaled. */
const SHUTDOWN_MS = 1800;

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/**
 * `upres serve`: the app's UI and engine on 127.0.0.1 for a browser, until SIGINT / SIGTERM; then
 * the queue is paused (and journaled) and every session closed.
 */
export async function runServe(opt: ServeCliOptions, version: string): Promise<number> {
  const engine = await createEngine({ version, log });
  let server: LoopbackServer;
  try {
    const rendererDir = await ensureRendererBuild(log);
    server = await startLoopbackServer({
      engine,
      rendererDir,
      port: opt.port,
      // Each printed address opens one browser once: offer the next one.
      onLaunch: () => log(`a browser opened Upres; for another browser: ${server.launchUrl()}`),
    });
  } catch (err) {
    await engine.close();
    throw err;
  }
  const stopped = stopSignal();
  process.stdout.write(`Upres is running at ${server.url}\n`);
  log('press Ctrl+C to stop');
  if (opt.open) openBrowser(server.url);
  const signal = await stopped;
  log(`${signal}: pausing the queue and shutting down…`);
  // The pause stops the running tile at once and is journaled first; whatever is slower than this
  // (a browser holding a connection open) does not keep the process alive. A second signal exits.
  setTimeout(() => process.exit(0), SHUTDOWN_MS).unref();
  const again = (): void => process.exit(0);
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  await engine.close();
  await server.close();
  return 0;
}
