import { describe, expect, it } from 'vitest';

import { CORE_DURATION, CORE_STATE, checkPlan, formatViolations } from '../../src/checker/plan-checker.js';
import type { Action } from '../../src/plan/actions.js';
import { DurationModel, constantDuration } from '../../src/plan/durations.js';
import { bootNode, bootVm, buildModel, constraint, id, instanceOf, migrate, planOf, shutdownNode, shutdownVm } from './support.js';

/**
 * Beyond BtrPlace's checkers (issue 15 §2): a plan does what the instance asks for and nothing
 * else — no VM changes state unless a state constraint asks, no action is shorter than the
 * duration model says.
 */

describe('core: state — a VM keeps its state unless a state constraint asks', () => {
  const model = buildModel({ on: { N1: ['VM1', 'VM2'], N2: [] }, sleeping: { N1: ['VM3'] }, ready: ['VM4'] });
  const suspend: Action = { kind: 'suspendVM', vm: id('VM1'), from: id('N1'), to: id('N1'), start: 0, end: 1 };
  const kill: Action = { kind: 'killVM', vm: id('VM2'), node: id('N1'), start: 0, end: 1 };
  const resume: Action = { kind: 'resumeVM', vm: id('VM3'), from: id('N1'), to: id('N1'), start: 0, end: 1 };

  it('a running VM shut down to make room, with nothing asking: refused, located, worded', () => {
    const report = checkPlan(instanceOf(model), planOf(model, [shutdownVm('VM1', 'N1', 2, 4)]));
    expect(report.violations.map((v) => [v.rule, v.from, v.to, v.vms, v.nodes])).toEqual([[CORE_STATE, 2, 4, [id('VM1')], [id('N1')]]]);
    expect(report.violations[0]?.message).toBe(
      "core: state: VM1 shuts down on N1 from 0'02 to 0'04, but nothing asked to change its state: it is running and no running, ready, sleeping or killed constraint names it",
    );
  });

  it('suspend, kill, resume and boot without a state constraint: one violation each', () => {
    const report = checkPlan(instanceOf(model), planOf(model, [suspend, kill, resume, bootVm('VM4', 'N2', 0, 1)]));
    expect(report.violations.filter((v) => v.rule === CORE_STATE).map((v) => v.vms[0])).toEqual([id('VM1'), id('VM2'), id('VM3'), id('VM4')]);
  });

  it('the same actions asked for by ready/sleeping/killed/running pass', () => {
    const asked = [
      constraint('ready', false, { vm: id('VM1') }),
      constraint('sleeping', false, { vm: id('VM1') }),
      constraint('killed', false, { vm: id('VM2') }),
      constraint('running', false, { vm: id('VM3') }),
      constraint('running', false, { vm: id('VM4') }),
    ];
    // ready and sleeping on VM1 contradict each other: each state constraint judges the result itself
    const report = checkPlan(instanceOf(model, asked.filter((c) => c.id !== 'ready')), planOf(model, [suspend, kill, resume, bootVm('VM4', 'N2', 0, 1)]));
    expect(report.violations).toEqual([]);
  });

  it('migrations and node actions are no change of state', () => {
    const withSpare = buildModel({ on: { N1: ['VM1'], N2: [] }, off: ['N3'] });
    const report = checkPlan(instanceOf(withSpare), planOf(withSpare, [migrate('VM1', 'N1', 'N2', 0, 1), shutdownNode('N1', 1, 2), bootNode('N3', 0, 1)]));
    expect(report.violations).toEqual([]);
  });

  it('re-instantiation (forge and boot of a clone, shutdown of the VM it replaces) is no change of state', () => {
    const m = buildModel({ on: { N1: ['VM1'], N2: [] }, vms: ['VM9'] });
    m.attributes.put('vm', id('VM1'), 'template', 'small');
    m.attributes.put('vm', id('VM9'), 'template', 'small');
    const plan = planOf(m, [
      { kind: 'forgeVM', vm: id('VM9'), start: 0, end: 1 },
      { kind: 'bootVM', vm: id('VM9'), node: id('N2'), start: 1, end: 2, hooks: { pre: [{ kind: 'substitutedVM', vm: id('VM1'), newVm: id('VM9') }], post: [] } },
      shutdownVm('VM1', 'N1', 2, 3),
    ]);
    expect(checkPlan(instanceOf(m), plan).violations.filter((v) => v.rule === CORE_STATE)).toEqual([]);
  });
});

describe('core: duration — no action shorter than the duration model', () => {
  const model = buildModel({ on: { N1: ['VM1', 'VM2'], N2: [] }, off: ['N3'] });
  model.attributes.put('vm', id('VM2'), 'migrate', 5);

  it('a zero-second migration is refused, located and worded', () => {
    const report = checkPlan(instanceOf(model), planOf(model, [migrate('VM1', 'N1', 'N2', 3, 3)]));
    expect(report.violations.map((v) => [v.rule, v.from, v.to, v.vms])).toEqual([[CORE_DURATION, 3, 3, [id('VM1')]]]);
    expect(report.violations[0]?.message).toBe("core: duration: VM1 migrates from N1 to N2 in 0 s (at 0'03), less than the 1 s the duration model gives (no action is instantaneous: 1 s at least)");
  });

  it("shorter than the element's attribute (migrate=5) is refused, as long or longer passes", () => {
    const short = checkPlan(instanceOf(model), planOf(model, [migrate('VM2', 'N1', 'N2', 0, 4)]));
    expect(short.violations.map((v) => v.rule)).toEqual([CORE_DURATION]);
    expect(formatViolations(short, model)[0]).toMatch(/VM2 migrates from N1 to N2 in 4 s \(0'00 to 0'04\), less than the 5 s the duration model gives \(the 'migrate' attribute of VM2 is 5\)/);
    expect(checkPlan(instanceOf(model), planOf(model, [migrate('VM2', 'N1', 'N2', 0, 5)])).violations).toEqual([]);
    expect(checkPlan(instanceOf(model), planOf(model, [migrate('VM2', 'N1', 'N2', 0, 9)])).violations).toEqual([]);
  });

  it('node actions too: an instantaneous boot is refused', () => {
    const report = checkPlan(instanceOf(model), planOf(model, [bootNode('N3', 0, 0)]));
    expect(report.violations.map((v) => [v.rule, v.nodes])).toEqual([[CORE_DURATION, [id('N3')]]]);
  });

  it("the caller's duration model replaces the instance's (a plan computed with 3 s boots)", () => {
    const durations = DurationModel.defaults().register('bootNode', constantDuration(3));
    expect(checkPlan(instanceOf(model), planOf(model, [bootNode('N3', 0, 2)]), { durations }).violations.map((v) => v.rule)).toEqual([CORE_DURATION]);
    expect(checkPlan(instanceOf(model), planOf(model, [bootNode('N3', 0, 3)]), { durations }).violations).toEqual([]);
  });
});
