import { type ChildProcess, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const LOADER = pathToFileURL(join(import.meta.dirname, 'ts-loader.mjs')).href;
// registers the hooks before the script loads (Node 20: module.register)
const REGISTER = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(LOADER)});`;

function argv(script: string, args: readonly string[]): string[] {
  return ['--no-warnings', '--import', REGISTER, join(import.meta.dirname, script), ...args];
}

/** Starts `node <script>.ts args…` in a child process (TypeScript through ts-loader.mjs). */
export function spawnTs(script: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, argv(script, args), { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `node <script>.ts args…` to its end, as another user when `user` is given. */
export function runTs(script: string, args: readonly string[], user?: { readonly uid: number; readonly gid: number }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, argv(script, args), { encoding: 'utf8', timeout: 60_000, ...(user ?? {}) });
}
