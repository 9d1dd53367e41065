import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { PendingEndpoint, type ServeHandle, startServer } from '../../node/serve/index.js';
import type { RpcServer } from '../../rpc/index.js';
import { type Command, type CommandIO, UsageError } from '../command.js';

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
    const stopped = stopSignal();
    // listen and print the address first; the services load when the page first asks for them
    const load = servicesLoad();
    const endpoint = new PendingEndpoint(load.start);
    let server: ServeHandle;
    try {
      server = await startServer({
        rpc: endpoint,
        rendererDir: RENDERER_DIR,
        port: options.port,
        onError: (where, e) => io.err(`ferry console: ${where}: ${e instanceof Error ? e.message : String(e)}`),
      });
    } catch (e) {
      load.cancel();
      stopped.cancel();
      const code = (e as NodeJS.ErrnoException).code;
      io.err(`ferry console: cannot listen on 127.0.0.1:${options.port}: ${code === 'EADDRINUSE' ? 'the port is in use (--port 0 picks a free one)' : e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    io.out(`Ferry console: ${server.url}`);
    if (options.open && hasDisplay()) openBrowser(server.url, (message) => io.err(`ferry console: ${message}; open the address above yourself`));
    let opened: OpenedConsole;
    try {
      await load.started;
      opened = await openConsoleServices(io);
    } catch (e) {
      opened = { ok: false, message: `the console's services could not start: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (!opened.ok) {
      // the page may be open already: its calls get this reason until the server goes
      endpoint.fail(opened.message);
      io.err(`ferry console: ${opened.message}`);
      stopped.cancel();
      await server.close();
      return 1;
    }
    endpoint.attach(opened.rpc);
    await stopped.signal;
    await server.close();
    opened.close();
    return 0;
  },
};

/**
 * Loading the services takes most of a launch's time and blocks the process meanwhile (their
 * modules are evaluated in one go), and on a busy machine it takes CPU from the browser drawing
 * the page. So the page comes first: the load starts when the page's first call or subscription
 * arrives (it asks right after drawing its shell), or, when no browser came,
 * SERVICES_LOAD_DELAY_MS after the launch (a data directory that cannot be used is still reported
 * without one). Measured under load 6-10: console ready 3.0-3.3 s this way, 4.0-5.0 s with the load
 * started as soon as the page's files were sent, 4.4-4.5 s before the change.
 */
const SERVICES_LOAD_DELAY_MS = 5000;

function servicesLoad(): { readonly started: Promise<void>; start(): void; cancel(): void } {
  let start: () => void = () => {};
  const started = new Promise<void>((resolve) => (start = resolve));
  const timer = setTimeout(start, SERVICES_LOAD_DELAY_MS);
  return {
    started,
    start: () => {
      clearTimeout(timer);
      start();
    },
    cancel: () => clearTimeout(timer),
  };
}

type OpenedConsole = { readonly ok: true; readonly rpc: RpcServer; close(): void } | { readonly ok: false; readonly message: string };

/**
 * The services and the handler table over them, loaded after the server listens (the planner,
 * the providers, the journal and the contract are most of a launch's time).
 */
async function openConsoleServices(io: CommandIO): Promise<OpenedConsole> {
  const [{ openServices }, { createHandlers }] = await Promise.all([import('../services.js'), import('../../rpc/index.js')]);
  const opened = openServices();
  if (!opened.ok) return opened;
  const services = opened.services;
  const rpc = createHandlers({ ...services, actor: services.runs.actor }, { onInternalError: (where, e) => io.err(`ferry console: internal error in ${where}: ${e instanceof Error ? e.message : String(e)}`) });
  return {
    ok: true,
    rpc,
    close: () => {
      rpc.close();
      services.close();
    },
  };
}

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

/**
 * `signal` resolves on the first Ctrl-C or SIGTERM; the listeners go with it, or with `cancel`.
 * Listening from the start: a stop asked while the services load waits for them, then stops.
 */
function stopSignal(): { readonly signal: Promise<NodeJS.Signals>; cancel(): void } {
  let stop: (signal: NodeJS.Signals) => void = () => {};
  const off = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    stop = (received) => {
      off();
      resolve(received);
    };
  });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { signal, cancel: off };
}
