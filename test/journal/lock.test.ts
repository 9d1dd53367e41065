import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { Journal, JournalError, STALE_AFTER_MS } from '../../main/node/journal/journal.js';
import { spawnTs } from './child/spawn.js';
import { META, revision, run, T0, tempDir } from './support.js';

const tmp = tempDir('ferry-lock-');
afterAll(tmp.remove);

const HOST = hostname();
let journal: Journal;
let other: Journal;
let file: string;
let counter = 0;
beforeEach(() => {
  file = join(tmp.dir, `journal-${++counter}.sqlite`);
  journal = Journal.open(file);
  // a second connection stands for another process or operator sharing the journal
  other = Journal.open(file);
});
afterEach(() => {
  journal.close();
  other.close();
});

/** A pid that was alive and is not any more: a child that ran and exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  expect(child.status).toBe(0);
  return child.pid as number;
}

const alice = { runId: 'r-alice', user: 'alice', host: HOST, pid: process.pid };
const bob = { runId: 'r-bob', user: 'bob', host: 'ws2', pid: 4242 };

describe('run lock', () => {
  it('refuses a second run on the cluster, naming who holds it and since when', () => {
    expect(journal.acquireLock('demo', alice, T0)).toEqual({ ok: true });
    const refused = other.acquireLock('demo', bob, T0 + 1000);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.stale).toBe(false);
    expect(refused.holder).toEqual({ ...alice, since: T0, heartbeat: T0 });
    expect(refused.message).toBe(
      `cluster demo is held by run r-alice (alice@${HOST}, pid ${process.pid}) since 2026-12-07 11:45:02 UTC (last sign of life 2026-12-07 11:45:02 UTC); one run per cluster at a time: wait for it to end, or abort it with \`ferry run --abort r-alice\``,
    );
    // another cluster is free
    expect(other.acquireLock('lab', bob, T0)).toEqual({ ok: true });
    expect(journal.currentLock('lab')).toEqual({ ...bob, since: T0, heartbeat: T0 });
  });

  it('lets the same run in the same process take it again', () => {
    expect(journal.acquireLock('demo', alice, T0).ok).toBe(true);
    expect(journal.acquireLock('demo', alice, T0 + 5000)).toEqual({ ok: true });
    expect(journal.currentLock('demo')).toEqual({ ...alice, since: T0, heartbeat: T0 + 5000 });
  });

  it('refuses the same run from another live process', () => {
    expect(journal.acquireLock('demo', bob, T0).ok).toBe(true);
    const refused = other.acquireLock('demo', { ...bob, pid: 4243 }, T0 + 1000);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.message).toMatch(/already being carried out by another process/);
  });

  it('finds a lock stale when its holder process on this host is gone, and says how to resume or abort', () => {
    const dead = { ...alice, pid: deadPid() };
    expect(journal.acquireLock('demo', dead, T0).ok).toBe(true);
    const refused = other.acquireLock('demo', bob, T0 + 1000);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.stale).toBe(true);
    expect(refused.message).toBe(
      `cluster demo is held by run r-alice (alice@${HOST}, pid ${dead.pid}) since 2026-12-07 11:45:02 UTC; the holder is not running any more (stale lock): resume that run with \`ferry run --resume r-alice\`, or abort it with \`ferry run --abort r-alice\``,
    );
    // never broken silently: it is still there
    expect(other.currentLock('demo')?.runId).toBe('r-alice');
  });

  it('does not judge a pid of another host, but finds a silent holder stale after 120 s', () => {
    expect(journal.acquireLock('demo', bob, T0).ok).toBe(true);
    journal.heartbeat('demo', 'r-bob', T0 + 60_000);
    const fresh = other.acquireLock('demo', alice, T0 + 60_000 + STALE_AFTER_MS);
    expect(!fresh.ok && fresh.stale).toBe(false);
    const stale = other.acquireLock('demo', alice, T0 + 60_000 + STALE_AFTER_MS + 1);
    expect(!stale.ok && stale.stale).toBe(true);
    if (!stale.ok) expect(stale.message).toMatch(/no sign of life since 2026-12-07 11:46:02 UTC \(stale lock\)/);
  });

  it('is taken over only when stale, with a note on the previous run', () => {
    journal.createRun(run('r-alice', 1), META, revision(1));
    expect(journal.acquireLock('demo', alice, T0).ok).toBe(true);
    const live = other.takeOverStaleLock('demo', bob, T0 + 1000);
    expect(live.ok).toBe(false);
    if (!live.ok) expect(live.message).toMatch(/held by run r-alice.*only a stale lock may be taken over/);
    expect(other.takeOverStaleLock('lab', bob, T0)).toEqual({ ok: false, message: 'cluster lab is not locked: there is no lock to take over' });

    const late = T0 + STALE_AFTER_MS + 1;
    const taken = other.takeOverStaleLock('demo', bob, late);
    expect(taken).toEqual({ ok: true, previous: { ...alice, since: T0, heartbeat: T0 } });
    expect(other.currentLock('demo')).toEqual({ ...bob, since: late, heartbeat: late });
    const note = journal.entries('r-alice').find((e) => e.type === 'note');
    expect(note?.actor).toBe('bob@ws2');
    expect(note?.at).toBe(late);
    expect(note?.note).toMatch(/lock of cluster demo taken over for run r-bob .* from run r-alice \(alice@.*\) since 2026-12-07 11:45:02 UTC: it gave no sign of life/);
  });

  it('takes over the lock of a run resumed after a crash (same run, dead process)', () => {
    const crashed = { ...alice, pid: deadPid() };
    expect(journal.acquireLock('demo', crashed, T0).ok).toBe(true);
    const resumed = other.acquireLock('demo', alice, T0 + 1000);
    expect(!resumed.ok && resumed.stale).toBe(true);
    expect(other.takeOverStaleLock('demo', alice, T0 + 1000).ok).toBe(true);
    expect(other.acquireLock('demo', alice, T0 + 2000)).toEqual({ ok: true });
  });

  it('heartbeats only its own lock, and says so when it lost it', () => {
    expect(journal.acquireLock('demo', bob, T0).ok).toBe(true);
    journal.heartbeat('demo', 'r-bob', T0 + 10_000);
    expect(other.currentLock('demo')?.heartbeat).toBe(T0 + 10_000);
    expect(other.takeOverStaleLock('demo', alice, T0 + 10_000 + STALE_AFTER_MS + 1).ok).toBe(true);
    let error: unknown;
    try {
      journal.heartbeat('demo', 'r-bob', T0 + 200_000);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JournalError);
    expect((error as JournalError).code).toBe('locked');
    expect((error as JournalError).message).toMatch(/run r-bob no longer holds the lock of cluster demo: it is held by run r-alice/);
  });

  it('is released by its run only', () => {
    expect(journal.acquireLock('demo', alice, T0).ok).toBe(true);
    other.releaseLock('demo', 'r-bob');
    expect(journal.currentLock('demo')?.runId).toBe('r-alice');
    journal.releaseLock('demo', 'r-alice');
    expect(journal.currentLock('demo')).toBeUndefined();
    journal.releaseLock('demo', 'r-alice');
    expect(other.acquireLock('demo', bob, T0).ok).toBe(true);
  });

  it('lets exactly one of many racing processes take a free lock', async () => {
    const children = Array.from({ length: 4 }, (_, i) => spawnTs('lock-racer.ts', [file, `r-racer-${i}`]));
    const outcomes = await Promise.all(
      children.map(async (c) => {
        let out = '';
        c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
        await once(c, 'close');
        return out.trim();
      }),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o.startsWith('refused'))).toHaveLength(3);
  });
});
