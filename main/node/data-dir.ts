/**
 * Where Ferry keeps its state: the journal, the demo cluster, the cluster definitions. One folder
 * per user, private to that user (mode 0700): the journal holds scripts, cluster names and who
 * did what.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/**
 * `FERRY_HOME` when set, else the platform's application-data folder: Linux (and other Unixes)
 * `$XDG_DATA_HOME/ferry` or `~/.local/share/ferry`, macOS `~/Library/Application Support/Ferry`,
 * Windows `%APPDATA%\Ferry`.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const home = nonEmpty(env.FERRY_HOME);
  if (home !== undefined) return p.resolve(home);
  const user = nonEmpty(platform === 'win32' ? env.USERPROFILE : env.HOME) ?? homedir();
  if (platform === 'win32') return p.join(nonEmpty(env.APPDATA) ?? p.join(user, 'AppData', 'Roaming'), 'Ferry');
  if (platform === 'darwin') return p.join(user, 'Library', 'Application Support', 'Ferry');
  // the XDG spec: a relative XDG_DATA_HOME is invalid and must be ignored
  const xdg = nonEmpty(env.XDG_DATA_HOME);
  return p.join(xdg !== undefined && p.isAbsolute(xdg) ? xdg : p.join(user, '.local', 'share'), 'ferry');
}

/**
 * Creates the folder (and its parents) when missing, readable by its owner only. An existing
 * folder is left as it is: FERRY_HOME may point at a folder the operator set up on purpose.
 */
export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export function journalPath(dir: string): string {
  return path.join(dir, 'journal.sqlite');
}

export function demoDir(dir: string): string {
  return path.join(dir, 'demo');
}

export function clustersDir(dir: string): string {
  return path.join(dir, 'clusters');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
