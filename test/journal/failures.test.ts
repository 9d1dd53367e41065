import { execFileSync, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Journal, JournalError } from '../../main/node/journal/journal.js';
import { runTs } from './child/spawn.js';
import { META, revision, run, T0, tempDir, withStep } from './support.js';

const NOBODY = { uid: 65534, gid: 65534 };

const tmp = tempDir('ferry-journal-failures-');
const mounts: string[] = [];

/** Whether `user` can read `file` (root cannot tell by itself: it reads through mode bits). */
function readableBy(user: { readonly uid: number; readonly gid: number }, file: string): boolean {
  return spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(file)})`], { ...user, stdio: 'ignore' }).status === 0;
}

/** A tmpfs mounted for the test (root only); undefined (and the reason) when it cannot be. */
function mountTmpfs(name: string, size: string): { dir: string } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'needs root to mount a tmpfs' };
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    return { skip: `cannot mount a tmpfs here: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}` };
  }
  mounts.push(dir);
  return { dir };
}

function remountReadOnly(dir: string): void {
  execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' });
}

afterAll(() => {
  for (const dir of mounts.reverse()) execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  tmp.remove();
});

function errorOf(f: () => unknown): JournalError {
  try {
    f();
  } catch (e) {
    if (e instanceof JournalError) return e;
    throw e;
  }
  throw new Error('expected a JournalError');
}

describe('Journal.open fails clearly', () => {
  it('on a damaged file', () => {
    const file = join(tmp.dir, 'random.sqlite');
    writeFileSync(file, randomFillSync(Buffer.alloc(64 * 1024)));
    const e = errorOf(() => Journal.open(file));
    expect(e.code).toBe('corrupt');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/damaged/);
  });

  it('on an SQLite file of another application', () => {
    const file = join(tmp.dir, 'other.sqlite');
    execFileSync(process.execPath, ['-e', `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(file)}); d.exec('CREATE TABLE t (x)'); d.close();`], { cwd: process.cwd() });
    const e = errorOf(() => Journal.open(file));
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/not a Ferry journal/);
  });

  it('when its folder does not exist', () => {
    const file = join(tmp.dir, 'missing', 'journal.sqlite');
    const e = errorOf(() => Journal.open(file));
    expect(e.code).toBe('io');
    expect(e.message).toContain(join(tmp.dir, 'missing'));
  });

  it('when the native binding cannot be loaded, and says to run `npm run setup`', () => {
    const e = errorOf(() => Journal.open(join(tmp.dir, 'j.sqlite'), { nativeBinding: join(tmp.dir, 'no-such-addon.node') }));
    expect(e.code).toBe('missing-binding');
    expect(e.message).toContain('npm run setup');
  });

  it('in a read-only folder (mode 0500)', (ctx) => {
    // root writes through mode bits: as root, the open runs in a child process as nobody
    const asRoot = process.getuid?.() === 0;
    // …which must be able to read this checkout (a clone inside a 0700 folder is not)
    if (asRoot && !readableBy(NOBODY, join(import.meta.dirname, 'child', 'ts-loader.mjs'))) return ctx.skip('the checkout is not readable by nobody (it sits in a private folder); the read-only file system case below still runs');
    const dir = join(tmp.dir, 'ro-mode');
    mkdirSync(dir);
    if (asRoot) {
      chmodSync(tmp.dir, 0o711);
      chownSync(dir, NOBODY.uid, NOBODY.gid);
    }
    chmodSync(dir, 0o500);
    const file = join(dir, 'journal.sqlite');
    const child = runTs('open.ts', [file], asRoot ? NOBODY : undefined);
    expect(child.stderr).toBe('');
    const outcome = JSON.parse(child.stdout) as { ok: boolean; code?: string; message?: string };
    expect(outcome.code).toBe('readonly');
    expect(outcome.message).toContain(file);
  });

  describe('on a read-only file system', () => {
    let dir: string | undefined;
    let skip = '';
    beforeAll(() => {
      const m = mountTmpfs('ro', '1m');
      if ('skip' in m) {
        skip = m.skip;
        return;
      }
      dir = m.dir;
      const j = Journal.open(join(dir, 'existing.sqlite'));
      j.createRun(run('r1', 2), META, revision(1));
      j.close();
      remountReadOnly(dir);
    });

    it('a new journal', (ctx) => {
      if (!dir) return ctx.skip(skip);
      const file = join(dir, 'journal.sqlite');
      const e = errorOf(() => Journal.open(file));
      expect(e.code).toBe('readonly');
      expect(e.message).toContain(file);
    });

    it('an existing journal', (ctx) => {
      if (!dir) return ctx.skip(skip);
      const file = join(dir, 'existing.sqlite');
      const e = errorOf(() => Journal.open(file));
      expect(e.code).toBe('readonly');
      expect(e.message).toContain(file);
    });
  });

  describe('on a full disk', () => {
    it('at open', (ctx) => {
      const m = mountTmpfs('full-open', '128k');
      if ('skip' in m) return ctx.skip(m.skip);
      fill(m.dir);
      const file = join(m.dir, 'journal.sqlite');
      const e = errorOf(() => Journal.open(file));
      expect(e.code).toBe('full');
      expect(e.message).toContain(file);
    });

    it('at a record, and says no step was started', (ctx) => {
      const m = mountTmpfs('full-record', '512k');
      if ('skip' in m) return ctx.skip(m.skip);
      const file = join(m.dir, 'journal.sqlite');
      const journal = Journal.open(file);
      try {
        let committed = run('r1', 50);
        journal.createRun(committed, META, revision(1));
        fill(m.dir);
        const e = errorOf(() => {
          // the WAL may still have room for a few records: write until it has none
          for (let i = 0; i < 10_000; i++) {
            const r = withStep(committed, `s${(i % 50) + 1}`, { attempts: i, reason: 'x'.repeat(2000) });
            journal.record('r1', { type: 'preflight-ok', at: T0 + i, stepId: 's1' }, r);
            committed = r;
          }
        });
        expect(e.code).toBe('full');
        expect(e.message).toContain(`cannot write the journal ${file}: the disk is full`);
        expect(e.message).toContain('no step was started');
        // nothing half-written: the journal says the last state whose record returned, and
        // goes on once there is room again
        expect(journal.loadRun('r1')?.run).toEqual(committed);
        rmSync(join(m.dir, 'filler'));
        const after = withStep(committed, 's7', { state: 'held', reason: 'after the disk was freed' });
        journal.record('r1', { type: 'hold', at: T0, by: 'bob@ws2', stepId: 's7' }, after);
        const fresh = Journal.open(file);
        expect(fresh.loadRun('r1')?.run).toEqual(after);
        fresh.close();
      } finally {
        journal.close();
      }
    });
  });
});

/** Fills the file system of `dir` to the last byte. */
function fill(dir: string): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=4k'], { stdio: 'pipe' });
  } catch {
    // dd ends with ENOSPC: that is the point
  }
}
