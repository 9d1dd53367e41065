/**
 * The console in serve mode as a real child process: `node bin/ferry.js console --port 0 --no-open`
 * with its own data folder (FERRY_HOME) and a fast demo cluster, the URL read from the one line it
 * prints, stopped by PID afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureConsoleBuilt } from './build.js';
import { FERRY_BIN, ROOT } from './paths.js';

/** How many times faster than real time the demo runs in tests: a drain of r2-h3 takes seconds. */
export const TEST_DEMO_SPEED = 20;
const URL_LINE = /^Ferry console: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([^\s&]+))\s*$/m;
const START_TIMEOUT_MS = 30_000;

export interface ConsoleServer {
  /** The URL printed by the console, token included. */
  readonly url: string;
  /** http://127.0.0.1:P, without the token. */
  readonly origin: string;
  readonly token: string;
  readonly pid: number;
  /** The console's data folder (FERRY_HOME). */
  readonly home: string;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL) and removes a data folder this launcher created. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** A data folder prepared by the test (e.g. a seeded demo cluster); a fresh temporary one otherwise. */
  readonly home?: string;
  readonly demoSpeed?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** The caller ran ensureConsoleBuilt already (a benchmark timing the launch alone). */
  readonly prebuilt?: boolean;
}

export function temporaryHome(): string {
  return mkdtempSync(join(tmpdir(), 'ferry-e2e-'));
}

export async function startConsole(options: StartOptions = {}): Promise<ConsoleServer> {
  if (options.prebuilt !== true) await ensureConsoleBuilt();
  const ownHome = options.home === undefined;
  const home = options.home ?? temporaryHome();
  const child = spawn(process.execPath, [FERRY_BIN, 'console', '--port', '0', '--no-open'], {
    cwd: ROOT,
    // built once under ensureConsoleBuilt's lock: no launch rebuilds the bundle another server is serving
    env: { ...process.env, ...options.env, FERRY_HOME: home, FERRY_DEMO_SPEED: String(options.demoSpeed ?? TEST_DEMO_SPEED), FERRY_CONSOLE_NO_BUILD: '1', BROWSER: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group: stopping it stops whatever it started too
    detached: true,
  });
  if (child.pid !== undefined) stopOnExit(child.pid);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    if (ownHome) rmSync(home, { recursive: true, force: true });
  };
  try {
    const match = await waitForUrl(child, () => output);
    const [, url = '', port = '', token = ''] = match;
    return { url, origin: `http://127.0.0.1:${port}`, token: decodeURIComponent(token), pid: child.pid ?? -1, home, output: () => output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function waitForUrl(child: ChildProcess, output: () => string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearInterval(poll);
      clearTimeout(timer);
      child.off('exit', exited);
    };
    const poll = setInterval(() => {
      const match = URL_LINE.exec(output());
      if (match) {
        done();
        resolve(match);
      }
    }, 50);
    const timer = setTimeout(() => {
      done();
      reject(new Error(`ferry console printed no 'Ferry console: http://127.0.0.1:P/?token=…' line within ${START_TIMEOUT_MS / 1000} s; it printed:\n${output() || '(nothing)'}`));
    }, START_TIMEOUT_MS);
    const exited = (code: number | null, signal: string | null): void => {
      done();
      reject(new Error(`ferry console exited (${code ?? signal}) before printing its URL:\n${output() || '(nothing)'}`));
    };
    child.once('exit', exited);
  });
}

/**
 * The consoles still running when this process exits (a test that timed out never reached its
 * `stop`): their process groups are killed then, by PID, so that none outlives the test run.
 */
const running = new Set<number>();
let exitHookSet = false;

function stopOnExit(pid: number): void {
  if (!exitHookSet) process.once('exit', () => running.forEach((p) => signalGroup(p, 'SIGKILL')));
  exitHookSet = true;
  running.add(pid);
}

/** SIGTERM to the child's process group, SIGKILL after 5 s; resolves once the child has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  running.delete(pid);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
