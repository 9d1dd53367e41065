/**
 * A cluster file's text as the console edits it: checked by the same parser as `ferry inventory
 * --config` (errors located at their line and column), and written only when it is valid, through
 * a temporary file renamed over the target so a crash leaves the old file or the new one, with the
 * file's mode kept. Key contents never belong in it: the file names key files by their path.
 */
import { chmodSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { type ClusterConfig, ClusterConfigError, parseClusterConfig } from './config.js';

export interface TextDiagnostic {
  /** 1-based. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type CheckedText = { readonly ok: true; readonly config: ClusterConfig } | { readonly ok: false; readonly diagnostics: readonly TextDiagnostic[] };

const KEY_BLOCK = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Where a private key block sits in `text` (1-based line), or null. */
export function keyBlockLine(text: string): number | null {
  const m = KEY_BLOCK.exec(text);
  return m ? text.slice(0, m.index).split('\n').length : null;
}

/** The text as a cluster file at `file` (absolute): its config, or the located reasons it is not one. */
export function checkClusterText(text: string, file: string): CheckedText {
  const keyLine = keyBlockLine(text);
  if (keyLine !== null) return { ok: false, diagnostics: [{ line: keyLine, column: 1, message: 'a cluster file holds no key contents: give identityFile the path of the key file' }] };
  try {
    return { ok: true, config: parseClusterConfig(text, file) };
  } catch (e) {
    if (e instanceof ClusterConfigError && e.at) return { ok: false, diagnostics: [{ line: e.at.line, column: e.at.column, message: e.at.detail }] };
    return { ok: false, diagnostics: [{ line: 1, column: 1, message: e instanceof Error ? e.message : String(e) }] };
  }
}

/** Writes `text` over `file` atomically; a new file is the owner's only (0600), an existing one keeps its mode. */
export function writeClusterFile(file: string, text: string): void {
  let mode = 0o600;
  try {
    mode = statSync(file).mode & 0o7777;
  } catch {
    // a new file
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(temp, text, { mode, flag: 'wx' });
    // the umask may have narrowed the mode on creation: set it as it was
    chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
