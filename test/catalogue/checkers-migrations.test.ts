import { describe, expect, it } from 'vitest';

import { readTimestamp } from '../../src/catalogue/deadline/timestamp.js';
import { bootVM, build, cstr, firstProblem, migrate, satisfied, shutdownVM } from './support.js';

const cluster = (): ReturnType<typeof build> => build().on(0, 1, 2, 3).run(0, 0, 1).run(1, 2, 3);

describe('Deadline (no BtrPlace checker: Ferry checks relative deadlines)', () => {
  it('parses BtrPlace timestamps and the short forms', () => {
    expect(readTimestamp('+00:01:30')).toEqual({ relative: true, seconds: 90 });
    expect(readTimestamp('12:00:05')).toEqual({ relative: false, seconds: 43205 });
    expect(readTimestamp("+1'05")).toEqual({ relative: true, seconds: 65 });
    expect(readTimestamp('+30')).toEqual({ relative: true, seconds: 30 });
    // Ferry's short forms are delays, with or without '+'
    expect(readTimestamp('90')).toEqual({ relative: true, seconds: 90 });
    expect(readTimestamp("1'30")).toEqual({ relative: true, seconds: 90 });
    expect(readTimestamp('+0:05')).toEqual({ relative: true, seconds: 5 });
    expect(readTimestamp('')).toEqual({ error: expect.stringMatching(/hh:mm:ss/) as unknown });
    expect(readTimestamp('+1:2')).toEqual({ error: expect.stringMatching(/hh:mm:ss/) as unknown });
    expect(readTimestamp('12:00')).toEqual({ error: expect.stringMatching(/ambiguous/) as unknown });
    expect(readTimestamp('25:00:00')).toEqual({ error: expect.stringMatching(/no hour 25/) as unknown });
    expect(readTimestamp("+1'75")).toEqual({ error: expect.stringMatching(/00 to 59/) as unknown });
    expect(readTimestamp('+99999999999')).toEqual({ error: expect.stringMatching(/out of range/) as unknown });
  });

  it("the VM's migration ends by the deadline", () => {
    const m = cluster().model;
    const d = cstr('Deadline', { vm: 0, timestamp: '+00:00:05' });
    expect(satisfied(d, m)).toBe(true);
    expect(satisfied(d, m, [migrate(0, 0, 2, 0, 5)])).toBe(true);
    expect(satisfied(d, m, [migrate(0, 0, 2, 2, 6)])).toBe(false);
    expect(firstProblem(d, m, [migrate(0, 0, 2, 2, 6)])).toBe('VM0 finishes migrating at t=6, after its deadline t=5');
    // other VMs and other actions are not concerned
    expect(satisfied(d, m, [migrate(1, 0, 2, 2, 60), shutdownVM(0, 0, 10, 20)])).toBe(true);
  });

  it('an absolute (wall-clock) deadline cannot be judged from a plan', () => {
    expect(satisfied(cstr('Deadline', { vm: 0, timestamp: '00:00:05' }), cluster().model, [migrate(0, 0, 2, 2, 600)])).toBe(true);
  });
});

describe('Precedence (no BtrPlace checker: Ferry checks the order)', () => {
  const p = cstr('Precedence', { vm1: 0, vm2: 2 });

  it("vm1's migration ends before vm2's starts; touching is fine", () => {
    const m = cluster().model;
    expect(satisfied(p, m, [migrate(0, 0, 3, 0, 2), migrate(2, 1, 3, 2, 4)])).toBe(true);
    expect(satisfied(p, m, [migrate(0, 0, 3, 0, 2), migrate(2, 1, 3, 1, 4)])).toBe(false);
    expect(firstProblem(p, m, [migrate(0, 0, 3, 0, 2), migrate(2, 1, 3, 1, 4)])).toBe('VM2 starts migrating at t=1 before VM0 has finished');
  });

  it('vm2 first is a violation', () => {
    const m = cluster().model;
    expect(firstProblem(p, m, [migrate(2, 1, 3, 0, 1), migrate(0, 0, 3, 3, 4)])).toBe('VM0 starts migrating at t=3, after VM2 started at t=0');
  });

  it('a VM that does not migrate leaves nothing to order', () => {
    const m = cluster().model;
    expect(satisfied(p, m, [migrate(2, 1, 3, 0, 1)])).toBe(true);
    expect(satisfied(p, m, [migrate(0, 0, 3, 5, 6)])).toBe(true);
  });
});

describe('Serialize (no BtrPlace checker: Ferry checks migrations never overlap)', () => {
  const s = cstr('Serialize', { vms: [0, 1, 2] });

  it('back to back passes, overlap fails', () => {
    const m = cluster().model;
    expect(satisfied(s, m, [migrate(0, 0, 2, 0, 2), migrate(1, 0, 3, 2, 3), migrate(2, 1, 3, 3, 5)])).toBe(true);
    expect(satisfied(s, m, [migrate(0, 0, 2, 0, 2), migrate(1, 0, 3, 1, 3)])).toBe(false);
    expect(firstProblem(s, m, [migrate(0, 0, 2, 0, 2), migrate(1, 0, 3, 1, 3)])).toBe('VM1 starts migrating at t=1 while VM0 is still migrating');
  });

  it('VMs outside the set and non-migration actions may overlap', () => {
    const m = cluster().ready(5).model;
    expect(satisfied(s, m, [migrate(0, 0, 2, 0, 2), migrate(3, 1, 2, 0, 2), bootVM(5, 3, 0, 2), shutdownVM(1, 0, 0, 1)])).toBe(true);
  });
});

describe('Sync (no BtrPlace checker: Ferry checks the migrations meet)', () => {
  const s = cstr('Sync', { vms: [0, 2] });

  it('pre-copy migrations end together', () => {
    const m = cluster().model;
    expect(satisfied(s, m, [migrate(0, 0, 2, 0, 4), migrate(2, 1, 3, 2, 4)])).toBe(true);
    expect(satisfied(s, m, [migrate(0, 0, 2, 0, 4), migrate(2, 1, 3, 2, 5)])).toBe(false);
    expect(firstProblem(s, m, [migrate(0, 0, 2, 0, 4), migrate(2, 1, 3, 2, 5)])).toBe("VM2's migration ends at t=5 but VM0's ends at t=4");
  });

  /** The model with a `net` view: post-copy exists only with one (BtrPlace's RelocatableVM). */
  const withNet = <M extends { opaqueViews: unknown[] }>(m: M): M => {
    m.opaqueViews.push({ id: 'net', switches: [], links: [], routing: { type: 'default' } });
    return m;
  };

  it('post-copy migrations meet at their start', () => {
    const m = withNet(cluster().attr(0, 'postCopy', true).attr(2, 'postCopy', true).model);
    expect(satisfied(s, m, [migrate(0, 0, 2, 1, 4), migrate(2, 1, 3, 1, 6)])).toBe(true);
    expect(satisfied(s, m, [migrate(0, 0, 2, 0, 4), migrate(2, 1, 3, 1, 4)])).toBe(false);
    // mixed: the post-copy start meets the pre-copy end (CSync)
    const mixed = withNet(cluster().attr(2, 'postCopy', true).model);
    expect(satisfied(s, mixed, [migrate(0, 0, 2, 0, 3), migrate(2, 1, 3, 3, 6)])).toBe(true);
  });

  it('without a network view postCopy means nothing (BtrPlace reads it only with a net view): the ends meet', () => {
    const m = cluster().attr(0, 'postCopy', true).attr(2, 'postCopy', true).model;
    expect(satisfied(s, m, [migrate(0, 0, 2, 1, 4), migrate(2, 1, 3, 1, 6)])).toBe(false);
    expect(satisfied(s, m, [migrate(0, 0, 2, 1, 6), migrate(2, 1, 3, 3, 6)])).toBe(true);
  });

  it('a VM that does not migrate is not concerned', () => {
    expect(satisfied(s, cluster().model, [migrate(0, 0, 2, 0, 4)])).toBe(true);
  });
});
