import { once } from 'node:events';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { Journal } from '../../main/node/journal/journal.js';
import { spawnTs } from './child/spawn.js';
import { tempDir } from './support.js';

const tmp = tempDir('ferry-durability-');
afterAll(tmp.remove);

interface Printed {
  readonly seq: number;
  readonly stepId: string;
  readonly attempts: number;
}

/**
 * Runs the recorder child until it printed `count` records, kills it with SIGKILL (no exit
 * handler, no flush: a crash), and returns every record it printed, including lines still in
 * the pipe when it died.
 */
async function recordThenKill(file: string, count: number): Promise<Printed[]> {
  const child = spawnTs('recorder.ts', [file, 'r1', '50']);
  const printed: Printed[] = [];
  let buffer = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const [seq, stepId, attempts] = line.split(' ');
      if (seq === 'ready' || seq === undefined || stepId === undefined) continue;
      printed.push({ seq: Number(seq), stepId, attempts: Number(attempts) });
      if (printed.length === count) child.kill('SIGKILL');
    }
  });
  const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
  expect(signal, `the child ended by itself (code ${code}): ${stderr}`).toBe('SIGKILL');
  return printed;
}

describe('Journal durability', () => {
  it('keeps every record whose record() returned when the process is killed, and resumes from it', async () => {
    const file = join(tmp.dir, 'journal.sqlite');
    const all: Printed[] = [];
    for (const count of [40, 97, 211]) {
      const printed = await recordThenKill(file, count);
      expect(printed.length).toBeGreaterThanOrEqual(count);
      all.push(...printed);
    }

    const journal = Journal.open(file);
    try {
      const entries = new Map(journal.entries('r1').map((e) => [e.seq, e]));
      for (const p of all) expect((entries.get(p.seq)?.event as { stepId?: string } | undefined)?.stepId, `seq ${p.seq}`).toBe(p.stepId);
      // each child resumed from the state the previous one left: attempts only grow, by one
      const run = journal.loadRun('r1')?.run;
      const last = new Map(all.map((p) => [p.stepId, p.attempts]));
      for (const [stepId, attempts] of last) {
        const loaded = run?.steps.find((s) => s.id === stepId)?.attempts ?? -1;
        // the killed child may have committed one more record than it printed
        expect(loaded - attempts, stepId).toBeGreaterThanOrEqual(0);
        expect(loaded - attempts, stepId).toBeLessThanOrEqual(1);
      }
    } finally {
      journal.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    // three TypeScript children compiled and started one after the other: on a loaded CI machine
    // that alone has taken a minute
  }, 180_000);
});
