import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import { UsageError } from '../../main/cli/command.js';
import { browserOpener, hasDisplay, parseConsoleArgs } from '../../main/cli/commands/console.js';

/**
 * `ferry console`, as an operator starts it: one line on stdout (the address with its token), a
 * server that answers with that token, and a clean stop on SIGTERM.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const LINE = /^Ferry console: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})$/;

let child: ChildProcessByStdio<null, Readable, Readable> | undefined;
let home: string | undefined;

afterEach(() => {
  if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  child = undefined;
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

describe('ferry console', () => {
  it('prints exactly one line, serves with that token, and stops cleanly on SIGTERM', async () => {
    home = mkdtempSync(join(tmpdir(), 'ferry-console-'));
    // the renderer's build is not this test's subject: the server answers without it
    const env = { ...process.env, FERRY_HOME: home, FERRY_CONSOLE_NO_BUILD: '1', DISPLAY: '', WAYLAND_DISPLAY: '' };
    const started = spawn(process.execPath, [join(ROOT, 'bin', 'ferry.js'), 'console', '--port', '0', '--no-open'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let stdout = '';
    let stderr = '';
    started.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    started.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));

    const deadline = Date.now() + 120_000; // a first run may compile the CLI
    while (!stdout.includes('\n')) {
      if (Date.now() > deadline || started.exitCode !== null) throw new Error(`no address line; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const match = LINE.exec(stdout.trimEnd());
    expect(match, stdout).not.toBeNull();
    const [, port, token] = match as RegExpExecArray;

    const base = `http://127.0.0.1:${port}/rpc/ferry:cluster:list`;
    const answered = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{}' });
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ ok: true, value: { clusters: [{ clusterId: 'demo' }] } });
    const refused = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);

    process.kill(started.pid as number, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('ferry console, services that cannot start', () => {
  it('prints its address first, then why the services cannot start, and exits 1 without a stack trace', async () => {
    home = mkdtempSync(join(tmpdir(), 'ferry-console-'));
    // a data directory that is a file: the services (journal, demo cluster) cannot open
    const notADirectory = join(home, 'file');
    writeFileSync(notADirectory, 'not a directory\n');
    const env = { ...process.env, FERRY_HOME: notADirectory, FERRY_CONSOLE_NO_BUILD: '1', DISPLAY: '', WAYLAND_DISPLAY: '' };
    const started = spawn(process.execPath, [join(ROOT, 'bin', 'ferry.js'), 'console', '--port', '0', '--no-open'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let stdout = '';
    let stderr = '';
    started.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    started.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => started.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stdout.trimEnd()).toMatch(LINE);
    expect(stderr).toMatch(/^ferry console: cannot use the data directory: .*\(set FERRY_HOME to a writable directory\)$/m);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

/** The Electron binary's path, when this machine has one (then `npm start` runs the app, not tested here). */
function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

describe('npm start (bin/start.js)', () => {
  it.skipIf(electronBinary() !== undefined)('without an Electron binary, says so on one line and starts serve mode; SIGTERM stops both', async () => {
    home = mkdtempSync(join(tmpdir(), 'ferry-start-'));
    const env = { ...process.env, FERRY_HOME: home, FERRY_CONSOLE_NO_BUILD: '1', DISPLAY: '', WAYLAND_DISPLAY: '' };
    const started = spawn(process.execPath, [join(ROOT, 'bin', 'start.js'), '--port', '0', '--no-open'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let stdout = '';
    let stderr = '';
    started.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    started.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 120_000;
    while (!stdout.includes('\n')) {
      if (Date.now() > deadline || started.exitCode !== null) throw new Error(`no address line; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stderr.split('\n')[0]).toBe('Ferry: no Electron binary on this machine: starting serve mode (the console in your browser)');
    const [, port] = LINE.exec(stdout.trimEnd()) as RegExpExecArray;

    process.kill(started.pid as number, 'SIGTERM');
    expect(await exited).toBe(0);
    // the console it started is gone with it: nothing listens on its port any more
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});

describe('its options and platform choices', () => {
  it('reads --port and --no-open, and refuses anything else with a usage error', () => {
    expect(parseConsoleArgs([])).toEqual({ port: 0, open: true });
    expect(parseConsoleArgs(['--port', '8080', '--no-open'])).toEqual({ port: 8080, open: false });
    expect(parseConsoleArgs(['--port=0'])).toEqual({ port: 0, open: true });
    for (const bad of [['--port'], ['--port', '-1'], ['--port', '70000'], ['--port', 'http'], ['--open-all']]) expect(() => parseConsoleArgs(bad), bad.join(' ')).toThrow(UsageError);
  });

  it('opens a browser only where one can show: a display on Linux, always on macOS and Windows', () => {
    expect(hasDisplay({}, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: '' }, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'freebsd')).toBe(true);
    expect(hasDisplay({}, 'darwin')).toBe(true);
    expect(hasDisplay({}, 'win32')).toBe(true);
    const url = 'http://127.0.0.1:1/?token=abc';
    expect(browserOpener(url, 'linux')).toEqual({ command: 'xdg-open', args: [url] });
    expect(browserOpener(url, 'darwin')).toEqual({ command: 'open', args: [url] });
    expect(browserOpener(url, 'win32')).toEqual({ command: 'cmd', args: ['/c', 'start', '""', url] });
  });
});
