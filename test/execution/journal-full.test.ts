import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { Run } from '../../src/executor/types.js';
import { demoDir } from '../../main/node/data-dir.js';
import { readActionsLog } from '../../main/node/demo/index.js';
import { Journal, JournalError } from '../../main/node/journal/journal.js';
import { ClusterService } from '../../main/services/cluster.js';
import type { RunDriver } from '../../main/services/execution.js';
import { PlanningService } from '../../main/services/planning.js';
import { RunService } from '../../main/services/runs.js';

/**
 * The journal's disk fills up in the middle of a run: the transition that cannot be written is
 * not acted upon, the driver stops with the journal's error and starts nothing more; once there is
 * room again the run is resumed from the journal and completes, no step twice.
 */

const SCRIPT = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'demo-maintenance.btrp'), 'utf8');
const home = mkdtempSync(join(tmpdir(), 'ferry-full-'));
let mounted: string | null = null;

afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', mounted], { stdio: 'pipe' });
  rmSync(home, { recursive: true, force: true });
});

function mountSmallDisk(): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = join(home, 'disk');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch {
    return null;
  }
  mounted = dir;
  return dir;
}

/** Fills the disk to the last byte; returns the filler's path (remove it to make room). */
function fill(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full
  } finally {
    closeSync(fd);
  }
  return file;
}

async function until(driver: RunDriver, what: (run: Run) => boolean): Promise<void> {
  const start = Date.now();
  while (!what(driver.run) && driver.failure === null) {
    if (Date.now() - start > 30_000) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('a journal that fills up mid-run', () => {
  it('stops the run where the journal stops, then resumes it once there is room', async (ctx) => {
    const disk = mountSmallDisk();
    if (disk === null) return ctx.skip('needs root and tmpfs to make a small disk');
    process.env.FERRY_DEMO_SPEED = '20';
    const journalFile = join(disk, 'journal.sqlite');
    const clock = { now: () => Date.now() };
    const journal = Journal.open(journalFile);
    const runs = new RunService({ home, journal, clusters: new ClusterService(home), planning: new PlanningService({ pickRunner: null }), clock, actor: 'alice@ws1' });
    const created = await runs.create({ clusterId: 'demo', script: { text: SCRIPT, name: 'demo.btrp' }, options: { objective: 'mttr', timeLimitS: 3, maxConcurrent: 2, migrationTime: 'memory' } });
    if (created.kind !== 'created') throw new Error(created.kind);
    const driver = created.driver;
    driver.dispatch({ type: 'start', at: Date.now(), by: 'alice@ws1' });
    driver.dispatch({ type: 'set-mode', at: Date.now(), by: 'alice@ws1', mode: 'unattended' });
    await until(driver, (r) => r.steps.some((s) => s.phase === 'executing'));

    const filler = fill(disk);
    const failure = await driver.settled().then(
      () => null,
      (e: unknown) => e,
    );
    driver.close();
    expect(failure).toBeInstanceOf(JournalError);
    expect((failure as JournalError).code).toBe('full');
    expect((failure as JournalError).message).toContain(journalFile);
    const acceptedAtStop = readActionsLog(demoDir(home)).filter((e) => 'result' in e && e.result === 'accepted').length;
    // nothing more reaches the hypervisor once the journal cannot follow
    await new Promise((r) => setTimeout(r, 1500));
    expect(readActionsLog(demoDir(home)).filter((e) => 'result' in e && e.result === 'accepted').length).toBe(acceptedAtStop);
    journal.close();

    // room again: the run picks up from what the journal says, and completes
    rmSync(filler);
    const reopened = Journal.open(journalFile);
    const again = new RunService({ home, journal: reopened, clusters: new ClusterService(home), planning: new PlanningService({ pickRunner: null }), clock, actor: 'alice@ws1' });
    const resumed = again.resume(driver.runId);
    if (!resumed.ok) throw new Error(resumed.message);
    const end = await resumed.driver.settled();
    resumed.driver.close();
    reopened.close();
    expect(end.state).toBe('succeeded');
    const perStep = new Map<string, number>();
    for (const e of readActionsLog(demoDir(home))) {
      if (!('result' in e) || e.result !== 'accepted') continue;
      const step = e.requestId.split(':')[1] as string;
      perStep.set(step, (perStep.get(step) ?? 0) + 1);
    }
    for (const [step, count] of perStep) expect(count, step).toBe(1);
    expect(perStep.size).toBe(end.steps.length);
  });
});
