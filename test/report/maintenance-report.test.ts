import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ExecEvent, Run, Step } from '../../src/executor/types.js';
import { escapeHtml, escapeMarkdown, type ReportData, renderReport, reportData, type StepReport } from '../../src/report/maintenance-report.js';
import { Journal } from '../../main/node/journal/journal.js';
import { HASH1, HASH2, META, revision, run, step, T0, tempDir } from '../journal/support.js';

const tmp = tempDir('ferry-report-');
afterAll(tmp.remove);

const HOSTILE = '<script>alert(1)</script>';
const FORGER = 'web|2`\n| s9 | 0\'00 to 0\'01 | forged |';

/**
 * A run told through the journal, as the executor would: s1 (a VM named `<script>…`) approved
 * by bob and migrated; s2 (a name that tries to forge a table row) approved by carol through
 * approve-ready, failed once and retried; s3 held, released and skipped; a re-plan proposed and
 * rejected; an audit note.
 */
function story(): { run: Run; journal: Journal } {
  const journal = Journal.open(join(tmp.dir, 'journal.sqlite'));
  let r = run('r20261207-114502-3fa9', 0, {
    steps: [
      step('s1', { action: { kind: 'migrateVM', vm: HOSTILE, from: 'r1-h2', to: 'r2-h1' }, memoryMiB: 4096 }),
      step('s2', { action: { kind: 'migrateVM', vm: FORGER, from: 'r1-h2', to: 'r2-h1' }, memoryMiB: 2048 }),
      step('s3', { action: { kind: 'bootVM', vm: 'db3', node: 'r2-h1' }, memoryMiB: 0, plannedStart: 4, plannedEnd: 6 }),
    ],
  });
  journal.createRun(r, META, revision(1));
  const at = (s: number): number => T0 + s * 1000;
  const set = (id: string, patch: Partial<Step>): void => {
    r = { ...r, steps: r.steps.map((s) => (s.id === id ? { ...s, ...patch } : s)) };
  };
  const rec = (event: ExecEvent, change: () => void = () => undefined): void => {
    change();
    journal.record(r.runId, event, r);
  };
  rec({ type: 'approve-plan', at: at(5), by: 'alice@ws1' }, () => (r = { ...r, state: 'approved' }));
  rec({ type: 'start', at: at(10), by: 'alice@ws1' }, () => (r = { ...r, state: 'running', startedAt: at(10) }));
  rec({ type: 'approve', at: at(11), by: 'bob@ws2', stepIds: ['s1'] }, () => set('s1', { approved: true, approvedBy: 'bob@ws2', state: 'running', phase: 'preflight', attempts: 1, startedAt: at(11) }));
  rec({ type: 'preflight-ok', at: at(12), stepId: 's1' }, () => set('s1', { phase: 'executing' }));
  rec({ type: 'effect-ended', at: at(40), stepId: 's1', outcome: { status: 'succeeded' } }, () => set('s1', { phase: 'verifying' }));
  rec({ type: 'verified', at: at(41), stepId: 's1', result: 'done', detail: `${HOSTILE} runs on r2-h1` }, () => set('s1', { state: 'succeeded', phase: null, endedAt: at(41) }));
  rec({ type: 'approve-ready', at: at(42), by: 'carol@ws3' }, () => set('s2', { approved: true, approvedBy: 'carol@ws3', state: 'running', phase: 'preflight', attempts: 1, startedAt: at(42) }));
  rec({ type: 'effect-ended', at: at(50), stepId: 's2', outcome: { status: 'failed', error: 'r2-h1 refused: <b>no memory</b>' } }, () => set('s2', { state: 'failed', phase: null, reason: 'migration failed' }));
  rec({ type: 'failure-choice', at: at(55), by: 'carol@ws3', stepId: 's2', choice: 'retry' }, () => set('s2', { state: 'running', phase: 'preflight', attempts: 2, reason: null, startedAt: at(55) }));
  rec({ type: 'effect-ended', at: at(80), stepId: 's2', outcome: { status: 'succeeded' } }, () => set('s2', { phase: 'verifying' }));
  rec({ type: 'verified', at: at(81), stepId: 's2', result: 'done', detail: 'ok' }, () => set('s2', { state: 'succeeded', phase: null, endedAt: at(81) }));
  rec({ type: 'hold', at: at(82), by: 'bob@ws2', stepId: 's3', reason: 'wait for the DBA' }, () => set('s3', { state: 'held', heldBy: 'bob@ws2', reason: 'wait for the DBA' }));
  journal.addRevision(r.runId, revision(2, { createdAt: at(83), reason: 're-plan: web7 moved outside Ferry' }));
  rec({ type: 'replan-proposed', at: at(83), proposal: { revision: 2, reason: 'web7 moved', steps: [], diff: { kept: [], dropped: [], added: [] }, constraintHash: HASH2 } }, () => (r = { ...r, replan: { revision: 2, reason: 'web7 moved', steps: [], diff: { kept: [], dropped: [], added: [] }, constraintHash: HASH2 } }));
  rec({ type: 'replan-rejected', at: at(84), by: 'alice@ws1' }, () => (r = { ...r, replan: null }));
  rec({ type: 'release', at: at(85), by: 'bob@ws2', stepId: 's3' }, () => set('s3', { state: 'awaiting-approval', heldBy: null, reason: null }));
  rec({ type: 'skip', at: at(90), by: 'bob@ws2', stepId: 's3', reason: 'db3 | not needed' }, () => {
    set('s3', { state: 'skipped', reason: 'db3 | not needed' });
    r = { ...r, state: 'succeeded', endedAt: at(90), reason: 'every step succeeded or was skipped' };
  });
  journal.note(r.runId, at(91), 'lock released', 'ferry');
  return { run: r, journal };
}

let data: ReportData;
let md: string;
let html: string;
beforeAll(() => {
  const { run: r, journal } = story();
  const stored = journal.loadRun(r.runId);
  if (!stored) throw new Error('the run is not in the journal');
  data = reportData({ ...stored, entries: journal.entries(r.runId) });
  journal.close();
  md = renderReport(data, 'md');
  html = renderReport(data, 'html');
});

function stepOf(id: string): StepReport {
  const s = data.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no ${id}`);
  return s;
}

describe('reportData', () => {
  it('sums the run up', () => {
    expect(data.summary).toMatchObject({
      runId: 'r20261207-114502-3fa9',
      clusterId: 'demo',
      state: 'succeeded',
      reason: 'every step succeeded or was skipped',
      createdBy: 'alice@ws1',
      startedBy: 'alice@ws1',
      total: 3,
      succeeded: 2,
      skipped: 1,
      failed: 0,
      memoryMovedMiB: 6144,
      durationSeconds: 80,
      windowSeconds: 3600,
      withinWindow: true,
    });
  });

  it('lists the revisions: initial in force, the re-plan rejected', () => {
    expect(data.revisions.map((r) => [r.revision, r.kind, r.status, r.constraintHash])).toEqual([
      [1, 'initial', 'in force', HASH1],
      [2, 're-plan', 'rejected', HASH2],
    ]);
  });

  it('gives each step its approvals with actor, revision and constraint hash, even through approve-ready', () => {
    expect(stepOf('s1').approvals).toEqual([{ by: 'bob@ws2', at: T0 + 11_000, revision: 1, constraintHash: HASH1 }]);
    expect(stepOf('s2').approvals).toEqual([{ by: 'carol@ws3', at: T0 + 42_000, revision: 1, constraintHash: HASH1 }]);
    expect(stepOf('s3').approvals).toEqual([]);
  });

  it('gives each step its attempts, errors, holds and skip', () => {
    const s2 = stepOf('s2');
    expect(s2.attempts.map((a) => [a.attempt, a.outcome, a.error, a.choice])).toEqual([
      [1, 'failed', 'r2-h1 refused: <b>no memory</b>', 'retry by carol@ws3'],
      [2, 'succeeded', null, null],
    ]);
    expect(s2.attempts[1]?.verified).toBe('done: ok');
    expect(s2.errors).toEqual(['failed: r2-h1 refused: <b>no memory</b>']);
    const s3 = stepOf('s3');
    expect(s3.holds).toEqual([{ at: T0 + 82_000, by: 'bob@ws2', reason: 'wait for the DBA', releasedAt: T0 + 85_000, releasedBy: 'bob@ws2' }]);
    expect(s3.skipped).toEqual({ at: T0 + 90_000, by: 'bob@ws2', reason: 'db3 | not needed' });
  });

  it('keeps the whole audit trail with times and actors', () => {
    expect(data.audit).toHaveLength(19);
    expect(data.audit.map((a) => a.actor)).toContain('carol@ws3');
    expect(data.audit.find((a) => a.type === 'failure-choice')?.text).toMatch(/^s2: chose retry; s2 failed → running/);
  });
});

describe('renderReport', () => {
  it('Markdown: the plan as lines, approvals, attempts and the audit trail', () => {
    expect(md).toContain("    s1  0'00 to 0'02  migrate <script>alert(1)</script> r1-h2 → r2-h1  (succeeded)");
    expect(md).toContain("    s3  0'04 to 0'06  boot db3 on r2-h1  (skipped)");
    expect(md).toContain(`- Approved by bob@ws2 at 2026-12-07 11:45:13, revision 1, constraints ${HASH1}`);
    expect(md).toContain('- Attempt 1: 2026-12-07 11:45:44 to 2026-12-07 11:45:52 (8 s); failed: r2-h1 refused: \\<b\\>no memory\\</b\\>; retry by carol@ws3');
    expect(md).toContain('- Skipped by bob@ws2 at 2026-12-07 11:46:32: db3 \\| not needed');
    expect(md).toContain('| Duration | 1 min 20 s, within the 1 h 00 min window |');
    expect(md).toMatch(/\| \d+ \| 2026-12-07 11:45:57 \| carol@ws3 \| 1 \| s2: chose retry/);
  });

  it('Markdown: hostile names cannot forge table rows, lines or markup', () => {
    const lines = md.split('\n');
    // the newline in the name did not start a line; the pipe and backtick are escaped in cells
    expect(lines.some((l) => l.startsWith('| s9'))).toBe(false);
    expect(md).toContain('### s2: migrate web\\|2\\`\uFFFD\\| s9 \\| 0\'00 to 0\'01 \\| forged \\| r1-h2 → r2-h1');
    // outside the plan's code block, no raw tag is left
    const outsideCode = lines.filter((l) => !l.startsWith('    ')).join('\n');
    expect(outsideCode).not.toMatch(/<script>|<b>/);
    // every table row has as many cells as its header
    for (const l of lines.filter((x) => x.startsWith('| '))) {
      const cells = l.replace(/\\\|/g, '').split('|').length;
      expect([4, 7, 8]).toContain(cells);
    }
  });

  it('HTML: one self-contained page, every name escaped, no script', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<b>|src=|href=/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('r2-h1 refused: &lt;b&gt;no memory&lt;/b&gt;');
    expect(html).toContain(`Approved by bob@ws2 at 2026-12-07 11:45:13, revision 1, constraints ${HASH1}`);
    expect(html).toContain('Approved by carol@ws3');
    expect(html).toContain("s1  0&#39;00 to 0&#39;02  migrate &lt;script&gt;");
    expect(html).toContain('<style>');
    expect(html).toContain("default-src 'none'");
  });
});

describe('escaping', () => {
  it('Markdown escapes syntax and replaces control characters', () => {
    expect(escapeMarkdown('a|b`c\nd<e>')).toBe('a\\|b\\`c\uFFFDd\\<e\\>');
  });

  it('HTML escapes the five characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
