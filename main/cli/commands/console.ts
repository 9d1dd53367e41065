import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { type ServeHandle, startServer } from '../../node/serve/index.js';
import { createHandlers } from '../../rpc/index.js';
import { type Command, UsageError } from '../command.js';
import { openServices } from '../services.js';

const USAGE = `usage: ferry console [--port P] [--no-open]

Serves the operator console to a browser on this machine: the console's services behind
http://127.0.0.1:P only (P = 0, the default, picks a free port), with a token made for this
launch. Prints one line, the address to open (with its token), then opens the default browser
unless --no-open is given or there is no display. Ctrl-C stops it.

The demo cluster is always there; runs are journaled in the data directory (FERRY_HOME).`;

/** dist/renderer, from dist/main/cli/commands/console.js. */
const RENDERER_DIR = fileURLToPath(new URL('../../../renderer/', import.meta.url));

interface ConsoleArgs {
  readonly port: number;
  readonly open: boolean;
}

export function parseConsoleArgs(args: readonly string[]): ConsoleArgs {
  let port = 0;
  let open = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--no-open') open = false;
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg === '--port' ? args[++i] : arg.slice('--port='.length);
      if (value === undefined || !/^\d{1,5}$/.test(value) || Number(value) > 65_535) throw new UsageError(`--port needs a port number from 0 to 65535 (0 picks a free one), got '${value ?? ''}'`);
      port = Number(value);
    } else throw new UsageError(`unknown option '${arg}'`);
  }
  return { port, open };
}

export const consoleCommand: Command = {
  name: 'console',
  summary: 'serve the operator console to a browser on this machine (127.0.0.1, a token per launch)',
  usage: USAGE,
  async run(args, io) {
    const options = parseConsoleArgs(args);
    const opened = openServices();
    if (!opened.ok) {
      io.err(`ferry console: ${opened.message}`);
      return 1;
    }
    const services = opened.services;
    const rpc = createHandlers({ ...services, actor: services.runs.actor }, { onInternalError: (where, e) => io.err(`ferry console: internal error in ${where}: ${e instanceof Error ? e.message : String(e)}`) });
    let server: ServeHandle;
    try {
      server = await startServer({ rpc, rendererDir: RENDERER_DIR, port: options.port, onError: (where, e) => io.err(`ferry console: ${where}: ${e instanceof Error ? e.message : String(e)}`) });
    } catch (e) {
      rpc.close();
      services.close();
      const code = (e as NodeJS.ErrnoException).code;
      io.err(`ferry console: cannot listen on 127.0.0.1:${options.port}: ${code === 'EADDRINUSE' ? 'the port is in use (--port 0 picks a free one)' : e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    io.out(`Ferry console: ${server.url}`);
    if (options.open && hasDisplay()) openBrowser(server.url, (message) => io.err(`ferry console: ${message}; open the address above yourself`));
    await stopSignal();
    await server.close();
    rpc.close();
    services.close();
    return 0;
  },
};

/** A browser can be shown: always on macOS and Windows; on Linux and other Unixes, with X11 or Wayland. */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env['DISPLAY']) || Boolean(env['WAYLAND_DISPLAY']);
}

/** The platform's command that opens an address in the default browser. */
export function browserOpener(url: string, platform: NodeJS.Platform = process.platform): { readonly command: string; readonly args: readonly string[] } {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // start's first quoted argument is a window title: the empty one keeps the URL an address
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url] };
  return { command: 'xdg-open', args: [url] };
}

/** Detached: the console does not wait for the browser, nor die with it. */
function openBrowser(url: string, failed: (message: string) => void): void {
  const { command, args } = browserOpener(url);
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: true });
    child.on('error', () => failed(`could not start ${command} to open a browser`));
    child.unref();
  } catch {
    failed(`could not start ${command} to open a browser`);
  }
}

/** Resolves on the first Ctrl-C or SIGTERM; the listeners go with it. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
