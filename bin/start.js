#!/usr/bin/env node
// `npm start`: the console on the demo cluster. The Electron app where its binary is present;
// serve mode (`ferry console`, a browser on 127.0.0.1) where it is not, as on machines where
// Electron could not be downloaded. Says which on one line (stderr: stdout stays the console's).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

/** The Electron binary's path, or undefined: the package throws when its download never happened. */
function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The built renderer is missing or older than its sources (renderer/ and the src/ it bundles). */
function rendererStale() {
  const page = join(root, 'dist', 'renderer', 'index.html');
  return !existsSync(page) || Math.max(newestMtime(join(root, 'renderer')), newestMtime(join(root, 'src'))) > statSync(page).mtimeMs;
}

/** Runs a build step of the repository, its output on stderr. */
function build(script, ...rest) {
  execFileSync(process.execPath, [join(root, ...script), ...rest], { stdio: ['ignore', 2, 2], cwd: root });
}

/** Runs `command`, passes Ctrl-C and SIGTERM on, and exits with its code. */
function runToEnd(command, commandArgs) {
  const child = spawn(command, commandArgs, { stdio: 'inherit', cwd: root });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/**
 * The run journal's SQLite binding: dependencies install with their scripts off (.npmrc), so on a
 * fresh clone it was never built. `require()` alone succeeds without it; opening a database proves it.
 */
function journalBindingWorks() {
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3');
    new Database(':memory:').close();
    return true;
  } catch {
    return false;
  }
}

if (!journalBindingWorks()) {
  process.stderr.write('Ferry: building the run journal\'s SQLite binding once (npm run setup, about a minute)\n');
  try {
    execFileSync('npm', ['run', 'setup', '--silent'], { stdio: ['ignore', 2, 2], cwd: root });
  } catch {
    process.stderr.write('Ferry: the SQLite binding could not be built (a C++ compiler, make and python3 are needed; see the README)\n');
    process.exit(1);
  }
}

const electron = electronBinary();
if (electron !== undefined) {
  process.stderr.write('Ferry: starting the desktop app (Electron)\n');
  try {
    build(['node_modules', 'typescript', 'bin', 'tsc'], '-b', join(root, 'main'));
    if (rendererStale()) build(['node_modules', 'vite', 'bin', 'vite.js'], 'build', '--config', join(root, 'renderer', 'vite.config.ts'), '--logLevel', 'warn');
    // the sandboxed preload must be one CommonJS file (the same as `npm run build:preload`)
    const { build: bundle } = await import('esbuild');
    await bundle({ entryPoints: [join(root, 'main', 'electron', 'preload.ts')], bundle: true, platform: 'node', format: 'cjs', external: ['electron'], target: 'node20', outfile: join(root, 'dist', 'preload', 'preload.cjs'), logLevel: 'warning' });
  } catch {
    process.stderr.write('Ferry: the app could not be built (the errors are above)\n');
    process.exit(1);
  }
  runToEnd(electron, [root, ...args]);
} else {
  process.stderr.write('Ferry: no Electron binary on this machine: starting serve mode (the console in your browser)\n');
  runToEnd(process.execPath, [join(root, 'bin', 'ferry.js'), 'console', ...args]);
}
