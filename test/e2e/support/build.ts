/**
 * Builds what the console needs before a test launches it: the compiled main process (through
 * bin/ferry.js, which rebuilds dist/ when the sources changed) and the renderer bundle (Vite) when
 * it is missing or older than its sources. Spec files run in parallel processes: one build at a
 * time, behind a lock folder (mkdir is atomic), the others waiting for it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { FERRY_BIN, RENDERER_BUILD, RENDERER_SOURCES, ROOT } from './paths.js';

const LOCK = join(ROOT, 'dist', '.e2e-build.lock');
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 5 * 60_000;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether dist/renderer is missing or older than renderer/ or src/ (the bundle includes the domain core). */
export function rendererStale(): boolean {
  if (!existsSync(RENDERER_BUILD)) return true;
  const built = statSync(RENDERER_BUILD).mtimeMs;
  return Math.max(newestSource(RENDERER_SOURCES), newestSource(join(ROOT, 'src'))) > built;
}

/**
 * Runs a build step as a child process, asynchronously: a test worker that blocked for the minute a
 * cold build takes would miss its runner's heartbeats.
 */
function run(command: string, args: readonly string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${what} could not start: ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (exit ${code ?? signal}):\n${output.trim().split('\n').slice(-20).join('\n')}`));
    });
  });
}

const BUILD_TIMEOUT_MS = 5 * 60_000;

async function withLock(work: () => Promise<void>): Promise<void> {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const held = statSync(LOCK, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** `npm run build:renderer` when package.json has it, else the same Vite build directly. */
function buildRenderer(): Promise<void> {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  if (scripts['build:renderer'] !== undefined) return run('npm', ['run', '--silent', 'build:renderer'], 'building the renderer (npm run build:renderer)');
  return run(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(RENDERER_SOURCES, 'vite.config.ts')], 'building the renderer (vite build)');
}

/** The compiled CLI and the renderer bundle, fresh. */
export async function ensureConsoleBuilt(): Promise<void> {
  await withLock(async () => {
    // `ferry --help` rebuilds dist/ first when the sources changed (bin/ferry.js)
    await run(process.execPath, [FERRY_BIN, '--help'], 'building the CLI (node bin/ferry.js --help)');
    if (rendererStale()) await buildRenderer();
  });
}
